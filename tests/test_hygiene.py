"""Project hygiene: the Scientific Python checks (repo-review) and the Pages workflow.

Both tools run offline on the working tree; the dependency group ``hygiene`` pins
them, so a new release of a check never turns the suite red on its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_applicable_repo_review_check_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "repo_review", str(ROOT), "--format", "json"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    checks = json.loads(result.stdout)["checks"]
    assert len(checks) > 40
    failed = {code: c["err_msg"] for code, c in checks.items() if c["result"] is False}
    assert not failed
    ignored = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"
    ]["repo-review"]["ignore"]
    skipped = {code for code, c in checks.items() if c["result"] is None}
    assert skipped <= set(ignored)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ignored:  # each exception is explained to contributors
        assert code in readme, code


def test_the_pages_workflow_passes_zizmor() -> None:
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", str(ROOT / ".github" / "workflows")],
        capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_runs_the_ruff_that_lint_pins() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = next(
        d
        for d in pyproject["project"]["optional-dependencies"]["derive"]
        if d.startswith("ruff==")
    ).removeprefix("ruff==")
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    hook = re.search(r"ruff-pre-commit\n\s+rev: v(\S+)", config)
    assert hook is not None
    assert hook.group(1) == pinned


def test_the_license_is_the_one_pyproject_declares() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "lstm-derive developers" in text


def test_the_noxfile_runs_as_a_script() -> None:
    noxfile = ROOT / "noxfile.py"
    assert os.access(noxfile, os.X_OK)
    assert noxfile.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
