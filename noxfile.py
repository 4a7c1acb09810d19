"""Task runner: `nox -l` lists the sessions.

The flow of the project shows in the sessions: `regen` turns the cell specs into
generated NumPy code, `tests` checks it, `docs` builds the bilingual site, `bench`
measures speed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
# The CPU build of PyTorch lies in a local wheel folder that only pip sees; a bare
# `torch` requirement would pull the CUDA build from the registry instead.
TORCH = "torch==2.13.0"


def install_project(session: nox.Session, *groups: str, editable: bool = False) -> None:
    """Install the package and the named dependency groups with pip."""
    requirements: list[str] = []
    for group in groups:
        requirements += nox.project.dependency_groups(PYPROJECT, group)
    if requirements:
        session.install(*requirements)
    session.install("-e", ".") if editable else session.install(".")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format check) and mypy (strict on src/)."""
    install_project(session, "dev", editable=True)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite: gradient checks, autodiff and torch cross-checks, regen drift."""
    install_project(session, "test", editable=True)
    session.install(TORCH)
    session.run("lstm-derive", "regen", "--check")
    session.run("pytest", *session.posargs, env={"LSTM_DERIVE_REQUIRE_ALL": "1"})


@nox.session(python=PYTHON)
def regen(session: nox.Session) -> None:
    """Regenerate src/lstm_derive/generated/ from the cell specs.

    `nox -s regen -- --check` writes nothing and fails, naming the files, when the
    committed code has drifted from the specs.
    """
    install_project(session, editable=True)
    session.run("lstm-derive", "regen", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time one training step of the generated LSTM against torch and the GEMM bound."""
    install_project(session)
    session.install(TORCH)
    session.run("python", "tests/benchmarks/bench_training_step.py", *session.posargs)


@nox.session(python=False)
def clean(session: nox.Session) -> None:
    """Remove build output (the site, caches)."""
    for path in ("docs/_build", "build", "dist"):
        session.log(f"removing {path}")
        shutil.rmtree(ROOT / path, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run this file with nox")
