"""Stage 4 of the flow: the NumPy modules written by ``lstm-derive regen``.

Every other file in this folder is generated from ``lstm_derive/cells/<name>.py``
and must not be edited by hand. Each module offers the same interface:

* ``CELL``, ``GATES``, ``STATES`` (``h`` first), ``PARAMETERS``, ``SAVED``;
* ``pointwise_forward`` / ``pointwise_backward``: the elementwise part of a step;
* ``step_forward(x, <state>_prev..., weight, bias, <param>...)`` and
  ``step_backward(d_<state>_next..., cache)``: one step with the affine map;
* ``forward(x, <state>0..., weight, bias, <param>...) -> (hs, final_states, cache)``
  and ``backward(d_hs, cache, d_<state>_last=None...) -> {"d_x": ..., ...}``.

This package imports NumPy only.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["load", "names"]


def names() -> list[str]:
    """The cells that have generated code, sorted."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and not m.ispkg  # compiled/: the Numba kernels
    )


def load(name: str) -> ModuleType:
    """The generated module of cell ``name``."""
    if name not in names():
        msg = f"no generated code for cell {name!r}; generated cells: {', '.join(names())}"
        raise KeyError(msg)
    return importlib.import_module(f"lstm_derive.generated.{name}")
