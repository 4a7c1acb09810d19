"""Stage 1 of the flow: the cell specifications, one SymPy file per cell.

Adding a cell is adding a module here that defines ``SPEC``; :func:`load_all`
finds it, and ``lstm-derive regen`` generates its code.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import pkgutil
from pathlib import Path

from lstm_derive.cells.spec import RESERVED_CELL_NAMES, CellSpec, Projection
from lstm_derive.errors import SpecError

__all__ = ["CellSpec", "Projection", "load", "load_all", "load_file", "names"]

_NOT_SPECS = {"functions", "spec"}
FOLDER = Path(__file__).resolve().parent
"""The folder of the package's spec files."""


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
    if name in RESERVED_CELL_NAMES:  # importing cells/load.py would hide cells.load
        msg = (
            f"cell {name!r}: the cell name {name!r} is a name of the package itself "
            "or of a module its code imports: rename the spec file"
        )
        raise SpecError(msg)
    try:
        module = importlib.import_module(f"lstm_derive.cells.{name}")
    except (Exception, SystemExit) as error:
        msg = f"cell {name!r}: the spec file does not load: {_failure(error)}"
        raise SpecError(msg) from error
    return _with_written_order(_spec_of(module.__dict__, name), module.__file__)


def load_all() -> list[CellSpec]:
    """Every cell spec in this package, sorted by name (each named after its file)."""
    return [load(name) for name in names()]


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
    except (Exception, SystemExit) as error:
        msg = (
            f"cell {name!r}: the spec file {path.name} does not load: {_failure(error)}"
        )
        raise SpecError(msg) from error
    return _spec_of(module.__dict__, name)


def _failure(error: BaseException) -> str:
    """One line about why a spec file did not load (``SystemExit`` included)."""
    if isinstance(error, SystemExit):
        return f"it calls exit ({error.code!r}) while it is imported"
    text = repr(error).splitlines()
    return text[0] if text else type(error).__name__


def _spec_of(namespace: dict[str, object], name: str) -> CellSpec:
    spec = namespace.get("SPEC")
    if not isinstance(spec, CellSpec):
        msg = f"cell {name!r}: the spec file must define SPEC = CellSpec(...)"
        raise SpecError(msg)
    if spec.name != name:
        msg = (
            f"cell {spec.name!r}: its spec file is {name}.py; a cell is named after "
            f"its file (name={name!r}, or rename the file {spec.name}.py)"
        )
        raise SpecError(msg)
    return spec


def _with_written_order(spec: CellSpec, source: str | None) -> CellSpec:
    """``spec`` with the order of names in each formula as its file writes them."""
    try:
        tree = ast.parse(Path(source or "").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return spec
    written: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "equations"
            and isinstance(node.value, ast.Dict)
        ):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Name) and value is not None:
                    written[key.id] = _names_in_order(value)
    return dataclasses.replace(spec, written=written) if written else spec


def _names_in_order(node: ast.AST) -> tuple[str, ...]:
    """The names a formula reads, left to right, each once."""
    names: list[str] = []

    class Reader(ast.NodeVisitor):
        def visit_Name(self, name: ast.Name) -> None:
            names.append(name.id)

    Reader().visit(node)
    return tuple(dict.fromkeys(names))
