"""The GitHub Pages workflow is valid (offline schema check) and builds with nox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "pages.yml"


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    """Validate ``path`` with check-jsonschema's vendored GitHub workflow schema."""
    return subprocess.run(
        [
            sys.executable, "-m", "check_jsonschema",
            "--builtin-schema", "vendor.github-workflows", str(path),
        ],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_the_pages_workflow_matches_the_schema() -> None:
    result = check_workflow(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "pages.yml"
    broken.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:"),
        encoding="utf-8",
    )
    assert check_workflow(broken).returncode != 0


@pytest.mark.parametrize(
    "step",
    ["nox -s docs", "actions/upload-pages-artifact@", "path: docs/_build/html",
     "actions/deploy-pages@", "pages: write", "id-token: write"],
)  # fmt: skip
def test_the_workflow_builds_with_nox_and_deploys_the_whole_site(step: str) -> None:
    assert step in WORKFLOW.read_text(encoding="utf-8")
