"""The README's two commands stay true: CI runs exactly the test command it shows."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> dict[str, str]:
    rows = re.findall(
        r"^\| (.+?) \| `(.+?)` \|$", (ROOT / "README.md").read_text(), re.MULTILINE
    )
    return dict(rows)


def test_ci_runs_the_readme_test_command() -> None:
    commands = readme_commands()
    test_command = next(
        c for what, c in commands.items() if what.startswith("run every test")
    )
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_readme_serve_command_names_a_real_session() -> None:
    commands = readme_commands()
    serve = next(
        c for what, c in commands.items() if what.startswith("build and serve")
    )
    session = serve.split("nox -s ")[1].split()[0]
    assert f"def {session}(" in (ROOT / "noxfile.py").read_text()
