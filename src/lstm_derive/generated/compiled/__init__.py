"""The compiled backend's kernels: one Numba module per cell, written by ``lstm-derive regen``.

Every other file in this folder is generated from ``lstm_derive/cells/<name>.py``
(by :mod:`lstm_derive.codegen.render_numba`, from the same derivation as the NumPy
module one folder up) and must not be edited by hand. Importing a module here needs
Numba (``pip install "lstm-derive[numba]"``); :mod:`lstm_derive.nn.compiled` loads
them and says so in one line when Numba is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["load"]


def load(name: str) -> ModuleType:
    """The Numba kernels of cell ``name`` (imports Numba)."""
    return importlib.import_module(f"lstm_derive.generated.compiled.{name}")
