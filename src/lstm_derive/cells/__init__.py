"""Stage 1 of the flow: the cell specifications, one SymPy file per cell.

Adding a cell is adding a module here that defines ``SPEC``; :func:`load_all`
finds it, and ``lstm-derive regen`` generates its code.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

from lstm_derive.cells.spec import CellSpec, Projection
from lstm_derive.errors import SpecError

__all__ = ["CellSpec", "Projection", "load", "load_all", "load_file", "names"]

_NOT_SPECS = {"functions", "spec"}


def names() -> list[str]:
    """The names of the cell spec modules in this package, sorted."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(__path__)
        if module.name not in _NOT_SPECS and not module.name.startswith("_")
    )


def load(name: str) -> CellSpec:
    """Import ``lstm_derive.cells.<name>`` and return its ``SPEC``."""
    if name not in names():
        msg = f"unknown cell {name!r}; the cells are: {', '.join(names())}"
        raise SpecError(msg)
    try:
        module = importlib.import_module(f"lstm_derive.cells.{name}")
    except Exception as error:
        msg = f"cell {name!r}: the spec file does not load: {error!r}"
        raise SpecError(msg) from error
    return _spec_of(module.__dict__, name)


def load_all() -> list[CellSpec]:
    """Every cell spec in this package, sorted by name; two files may not share a name."""
    specs = [load(name) for name in names()]
    owner: dict[str, str] = {}
    for module, spec in zip(names(), specs, strict=True):
        if spec.name in owner:
            msg = (
                f"cell {spec.name!r}: named by two spec files, "
                f"cells/{owner[spec.name]}.py and cells/{module}.py"
            )
            raise SpecError(msg)
        owner[spec.name] = module
    return specs


def load_file(path: str | Path) -> CellSpec:
    """Load a spec from a file anywhere (for example an edited copy)."""
    path = Path(path)
    name = path.stem
    module_spec = importlib.util.spec_from_file_location(
        f"_lstm_derive_spec_{name}", path
    )
    if module_spec is None or module_spec.loader is None:
        msg = f"cell {name!r}: cannot load a spec from {path}"
        raise SpecError(msg)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:
        msg = f"cell {name!r}: the spec file {path.name} does not load: {error!r}"
        raise SpecError(msg) from error
    return _spec_of(module.__dict__, name)


def _spec_of(namespace: dict[str, object], name: str) -> CellSpec:
    spec = namespace.get("SPEC")
    if not isinstance(spec, CellSpec):
        msg = f"cell {name!r}: the spec file must define SPEC = CellSpec(...)"
        raise SpecError(msg)
    return spec
