"""Shared test helpers.

A test that needs an optional tool (torch, a browser) calls :func:`require`. On a
developer's machine without the tool it skips with a clear message; in CI (``CI``
set) or under ``nox -s tests`` (``LSTM_DERIVE_REQUIRE_ALL`` set) it fails instead,
so a missing install step can never pass as green.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from types import ModuleType

import pytest

from lstm_book.environment import Comparison, numeric_environment

REPRODUCTIONS: list[Comparison] = []
"""How each reproduction test compared its re-run with the record."""


def must_have_everything() -> bool:
    """Whether missing tools fail the run instead of skipping."""
    return bool(os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"))


def require(module: str) -> ModuleType:
    """Import ``module`` or skip (locally) / fail (in CI) with a clear message."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        msg = f"{module} is needed for this test and is not installed ({error})"
        if must_have_everything():
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture
def report_comparison() -> Callable[[Comparison], None]:
    """Note how a re-run was compared: printed in the run's summary."""
    return REPRODUCTIONS.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which comparison each reproduction test made, and on what environment."""
    if not REPRODUCTIONS:
        return
    here = ", ".join(f"{k} {v}" for k, v in numeric_environment().items())
    terminalreporter.section("reproductions of recorded results")
    terminalreporter.write_line(f"numeric environment here: {here}")
    for comparison in REPRODUCTIONS:
        terminalreporter.write_line(comparison.line())
