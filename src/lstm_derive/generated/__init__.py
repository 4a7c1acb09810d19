"""Stage 4 of the flow: the NumPy modules written by ``lstm-derive regen``.

Every other file in this folder is generated from ``lstm_derive/cells/<name>.py``
and must not be edited by hand (``compiled/`` holds the same cells as Numba
kernels). Each module holds one step of its cell's derived maths, and offers:

* ``CELL``, ``TITLE``, ``STATES`` (``h`` first), ``GATES``, ``PARAMETERS`` (each
  parameter's shape in ``inputs`` and ``hidden``), ``PARAMETER_COUNT``, ``SAVED``;
* for each stage k of a step, ``forward_k(<projections>, <inputs>) -> (outputs,
  saved)`` and ``backward_k(d_<output>_next..., <saved>...) -> gradients``, the
  elementwise maths between the matrix products;
* the stage table, as data: ``PROJECTIONS``, ``INPUTS``, ``STAGE_TABLE``, and
  ``STAGES`` (the stage functions in order), which is all the BPTT driver reads.

The matrix products, the loop over time and the weight gradients are the driver's,
:mod:`lstm_derive.nn.bptt`, written once for every cell:
``bptt.Cell.of(generated.load("lstm")).forward(x, states0, params)``. This package
imports NumPy only.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType

__all__ = ["load", "load_file", "names"]


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


def load_file(path: str | Path) -> ModuleType:
    """A generated module written anywhere (``lstm-derive regen --spec ... --out``)."""
    path = Path(path)
    module_spec = importlib.util.spec_from_file_location(
        f"lstm_derive_user_cell_{path.stem}", path
    )
    if module_spec is None or module_spec.loader is None:
        msg = f"cannot load a generated module from {path}"
        raise KeyError(msg)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module
