"""The site's playground: derive an edited cell spec in the reader's browser.

The site runs this module in Pyodide (Python compiled to WebAssembly), with SymPy
and the library's own ``cells``, ``derive`` and ``codegen`` packages, and without
NumPy: :func:`run` takes the text of a spec file and returns, as JSON-ready data,
what the page shows. That is the forward equations and every adjoint in LaTeX, the
generated NumPy module (``lstm-derive regen``'s text when ``formatter`` is ruff's
formatter) beside the committed one, and the gradient check of the derived maths
in Python floats (:mod:`lstm_derive.codegen.scalar_check`). A spec the engine
cannot derive gives the one line ``lstm-derive regen`` prints for it.

:func:`bundle` writes the sources the page unpacks (this module and what it
imports, the spec files, the committed generated modules) into one zip file;
:func:`presets` the spec texts the page offers.
"""

from __future__ import annotations

import difflib
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_derive import cells
from lstm_derive.cli import error_line
from lstm_derive.codegen import scalar_check
from lstm_derive.codegen.render import render
from lstm_derive.codegen.render_numba import render_numba
from lstm_derive.derive import derive, latex_adjoint, latex_equation
from lstm_derive.derive.latex import symbol_tex
from lstm_derive.derive.model import Derivation
from lstm_derive.errors import SpecError

PACKAGE = Path(__file__).resolve().parent
GENERATED = PACKAGE / "generated"
SOURCES = (
    "__init__.py",
    "arguments.py",
    "cli.py",
    "errors.py",
    "files.py",
    "playground.py",
    "cells/*.py",
    "derive/*.py",
    "codegen/*.py",
    "numerics/*.py",  # render.py copies helpers from arrays.py, read as text
    "generated/*.py",  # the committed modules the page compares with
)
"""What :func:`bundle` ships, as patterns relative to the package."""


@dataclass(frozen=True)
class Preset:
    """A spec the page offers: a cell's file, or a copy broken on purpose."""

    key: str
    cell: str
    edits: tuple[tuple[str, str], ...] = ()


PRESETS = (
    Preset("lstm", "lstm"),
    Preset("gru", "gru"),
    Preset("peephole_lstm", "peephole_lstm"),
    # Two edits the engine refuses, each with its one line.
    Preset("kink", "lstm", (("g: tanh(z_g),", "g: tanh(abs(z_g)),"),)),
    Preset("unused", "lstm", (("h: o * tanh(c),", "h: tanh(c),"),)),
)


def presets(folder: Path = cells.FOLDER) -> dict[str, Any]:
    """Every cell's spec text (by name) and the page's presets (key, cell, text)."""
    texts = {
        name: (folder / f"{name}.py").read_text(encoding="utf-8")
        for name in cells.names()
    }
    offered = []
    for preset in PRESETS:
        text = texts[preset.cell]
        for old, new in preset.edits:
            if old not in text:
                msg = f"preset {preset.key!r}: {old!r} is not in cells/{preset.cell}.py"
                raise ValueError(msg)
            text = text.replace(old, new)
        offered.append({"key": preset.key, "cell": preset.cell, "text": text})
    return {"cells": texts, "presets": offered}


def bundle(path: Path) -> list[str]:
    """Write the playground's sources into the zip file ``path``; return its names.

    The names are ``lstm_derive/...``: unpacked into a folder on ``sys.path``, they
    import as the package.
    """
    names = sorted(
        {
            file.relative_to(PACKAGE.parent).as_posix()
            for pattern in SOURCES
            for file in PACKAGE.glob(pattern)
        }
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            # a fixed date: the same sources give the same bytes
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (PACKAGE.parent / name).read_bytes())
    return names


def source_of(cell: str) -> str:
    """The spec's path as ``lstm-derive regen`` names it in a generated module."""
    return f"lstm_derive/cells/{cell}.py"


def load_text(text: str, cell: str) -> cells.CellSpec:
    """The spec of ``text`` saved as ``cells/<cell>.py`` (SpecError if it is unfit)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cells" / f"{cell}.py"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        return cells.load_file(path)


def generate(derivation: Derivation, formatter: Callable[[str], str] | None) -> str:
    """The module ``lstm-derive regen`` writes, formatted by ``formatter`` if given.

    The compiled kernels are rendered too (not shown), so that a spec regen
    refuses for them is refused here with the same line.
    """
    spec = derivation.spec
    source = source_of(spec.name)
    text = render(derivation, source)
    try:
        compile(render_numba(derivation, source), f"<{spec.name} kernels>", "exec")
    except (ValueError, SyntaxError) as error:
        msg = f"cell {spec.name!r}: no compiled kernels: {error}"
        raise SpecError(msg) from error
    return formatter(text) if formatter is not None else text


def compare(text: str, committed: str) -> list[tuple[str, str]]:
    """``text`` line by line against ``committed``: ``(state, line)`` pairs.

    ``state`` is ``"same"``, ``"added"`` (in ``text`` only) or ``"removed"`` (in
    ``committed`` only, shown where ``text`` lacks it).
    """
    new, old = text.splitlines(), committed.splitlines()
    lines: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [("same", line) for line in new[j1:j2]]
            continue
        lines += [("removed", line) for line in old[i1:i2]]
        lines += [("added", line) for line in new[j1:j2]]
    return lines


def run(
    text: str,
    cell: str,
    formatter: Callable[[str], str] | None = None,
    *,
    generated: Path = GENERATED,
    points: int = 8,
) -> dict[str, Any]:
    """Derive the spec ``text`` (the file ``cells/<cell>.py``) and check it.

    Returns ``{"ok": False, "error": line}`` with the line ``lstm-derive regen``
    prints for a spec it refuses, else ``"ok": True`` and the cell's ``name`` and
    ``title``; ``equations`` and ``adjoints`` (LaTeX); ``module`` (the generated
    text) and ``formatted``; ``committed`` (the committed module's path, or None)
    and ``lines`` (:func:`compare`); ``check`` (the rows of
    :func:`lstm_derive.codegen.scalar_check.check`, the tolerance, the number of
    points) and ``seconds`` (derive, generate, check).
    """
    started = time.perf_counter()
    try:
        spec = load_text(text, cell)
        derivation = derive(spec)
        derived = time.perf_counter()
        module = generate(derivation, formatter)
        compile(module, f"<generated {spec.name}.py>", "exec")
        generated_at = time.perf_counter()
        rows = scalar_check.check(derivation, points=points)
    except SpecError as error:
        return {"ok": False, "error": error_line(str(error))}
    except SyntaxError as error:
        line = f"cell {cell!r}: the generated module does not compile: {error}"
        return {"ok": False, "error": error_line(line)}
    except scalar_check.Undefined as error:
        line = f"cell {cell!r}: no gradient check: {error}"
        return {"ok": False, "error": error_line(line)}
    except Exception as error:  # noqa: BLE001 (a spec SymPy chokes on: one line too)
        line = f"cell {cell!r}: {type(error).__name__}: {error}"
        return {"ok": False, "error": error_line(line)}
    checked = time.perf_counter()
    committed_path = generated / f"{spec.name}.py"
    committed = (
        committed_path.read_text(encoding="utf-8") if committed_path.is_file() else None
    )
    return {
        "ok": True,
        "name": spec.name,
        "title": spec.title,
        "equations": [latex_equation(eq) for eq in derivation.forward],
        "adjoints": [latex_adjoint(a) for a in derivation.backward],
        "module": module,
        "formatted": formatter is not None,
        "committed": f"generated/{spec.name}.py" if committed is not None else None,
        "lines": compare(module, committed or ""),
        "check": {
            "rows": [
                {
                    "name": row.name,
                    "of": row.of,
                    "kind": row.kind,
                    "tex": symbol_tex(row.name),
                    "worst": row.worst,
                    "ok": row.ok,
                }
                for row in rows
            ],
            "tolerance": scalar_check.TOLERANCE,
            "points": points,
        },
        "seconds": {
            "derive": derived - started,
            "generate": generated_at - derived,
            "check": checked - generated_at,
        },
    }
