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


def test_every_session_the_readme_names_exists() -> None:
    noxfile = (ROOT / "noxfile.py").read_text()
    for command in readme_commands().values():
        for session in command.split("nox -s ")[1].split():
            defined = f"def {session}(" in noxfile or f'name="{session}"' in noxfile
            assert defined, session


def test_the_readme_has_a_command_that_serves_the_site() -> None:
    serve = next(
        c for what, c in readme_commands().items() if what.startswith("build and serve")
    )
    assert "serve" in serve.split("nox -s ")[1].split()
