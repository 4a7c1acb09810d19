"""Shared test helpers.

A test that needs an optional tool (torch, a browser) calls :func:`require`. On a
developer's machine without the tool it skips with a clear message; in CI (``CI``
set) or under ``nox -s tests`` (``LSTM_DERIVE_REQUIRE_ALL`` set) it fails instead,
so a missing install step can never pass as green.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


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
