"""Write (or check) every generated module, all or nothing.

All cells are derived and rendered in memory first, and every new module is
compiled and imported; only when every one succeeds are the files replaced, all of
them or none (:func:`lstm_derive.files.replace_files`: every new file is written
beside its target before any target is replaced, and a failure on the way puts
every file back), and the modules of cells whose spec is gone removed. A bad
formula edit therefore raises :class:`~lstm_derive.errors.SpecError`, and a failed
write (a full disk, a read-only folder) :class:`~lstm_derive.files.WriteError`;
either leaves every committed file as it was.
"""

from __future__ import annotations

import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from lstm_derive import cells
from lstm_derive.cells.spec import CellSpec
from lstm_derive.codegen.render import render
from lstm_derive.codegen.render_numba import render_numba
from lstm_derive.derive import derive
from lstm_derive.errors import SpecError
from lstm_derive.files import replace_files

PACKAGE = Path(__file__).resolve().parent.parent
GENERATED = PACKAGE / "generated"
COMPILED = "compiled"
"""The subfolder of the generated folder with the Numba kernels (the numba extra)."""


@dataclass(frozen=True)
class Rendered:
    """The text one cell's module should have, and where it goes."""

    spec: CellSpec
    path: Path
    text: str

    def is_current(self) -> bool:
        """Whether the file on disk already holds exactly this text."""
        return self.path.exists() and self.path.read_bytes() == self.text.encode()


def render_spec(spec: CellSpec, source: str) -> str:
    """Derive ``spec`` and return its module text, formatted by ruff."""
    return ruff_format(render(derive(spec), source))


def ruff_format(text: str) -> str:
    """Format Python source with the pinned ruff (run on text, so no file is touched)."""
    from ruff.__main__ import find_ruff_bin  # noqa: PLC0415 (only regen formats)

    command = [find_ruff_bin(), "format", "--isolated", "--line-length", "88", "-"]
    result = subprocess.run(
        command, input=text, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        msg = f"ruff could not format the generated code:\n{result.stderr}"
        raise RuntimeError(msg)
    return result.stdout


def render_all(
    out_dir: Path = GENERATED, specs: list[CellSpec] | None = None
) -> list[Rendered]:
    """Render every cell (the package's, or ``specs``); raises before anything is written.

    Each rendered NumPy module is compiled and imported from a temporary file first:
    a module that does not import is a SpecError naming the cell. The Numba kernels
    (``compiled/<cell>.py``) are compiled to bytecode only, so regen needs no Numba.
    """
    specs = cells.load_all() if specs is None else specs
    derivations = [derive(spec) for spec in specs]  # each derived once
    rendered = [
        Rendered(
            spec,
            out_dir / f"{spec.name}.py",
            ruff_format(render(derivation, _source(spec))),
        )
        for spec, derivation in zip(specs, derivations, strict=True)
    ]
    for item in rendered:
        check_imports(item.spec.name, item.text)
    kernels = []
    for spec, derivation in zip(specs, derivations, strict=True):
        path = out_dir / COMPILED / f"{spec.name}.py"
        try:
            text = ruff_format(render_numba(derivation, _source(spec)))
            compile(text, str(path), "exec")
        except (ValueError, SyntaxError) as error:
            msg = f"cell {spec.name!r}: no compiled kernels: {error}"
            raise SpecError(msg) from error
        kernels.append(Rendered(spec, path, text))
    return rendered + kernels


def check_imports(cell: str, text: str) -> None:
    """Compile and run module text in a fresh module (no file is written); SpecError if
    either fails."""
    name = f"_lstm_derive_check_{cell}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(text, f"<generated {cell}.py>", "exec"), module.__dict__)  # noqa: S102
    except Exception as error:
        msg = f"cell {cell!r}: the generated module does not import: {error!r}"
        raise SpecError(msg) from error
    finally:
        sys.modules.pop(name, None)


def orphans(out_dir: Path, rendered: list[Rendered]) -> list[Path]:
    """Generated modules (NumPy or compiled) whose cell spec no longer exists."""
    wanted = {item.path for item in rendered}
    return sorted(
        path
        for folder in (out_dir, out_dir / COMPILED)
        for path in folder.glob("*.py")
        if not path.name.startswith("_") and path not in wanted
    )


def broken(out_dir: Path) -> list[tuple[Path, str]]:
    """Generated modules on disk that do not import, with the reason."""
    result = []
    for path in sorted(out_dir.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            check_imports(path.stem, path.read_text())
        except SpecError as error:
            result.append((path, str(error)))
    return result


def _source(spec: CellSpec) -> str:
    return f"lstm_derive/cells/{spec.name}.py"


@dataclass(frozen=True)
class RegenReport:
    """What regen changed (or, with ``check``, would change)."""

    stale: list[Rendered]
    removed: list[Path]

    @property
    def clean(self) -> bool:
        """Whether the generated folder already matched the specs."""
        return not self.stale and not self.removed


def regen(out_dir: Path = GENERATED, *, check: bool = False) -> RegenReport:
    """Regenerate every module and remove orphans; with ``check`` write nothing."""
    specs = cells.load_all()
    if not specs:
        msg = (
            f"no cell spec found in {cells.FOLDER}: nothing to generate "
            "(regen removes no generated module when no spec loads)"
        )
        raise SpecError(msg)
    rendered = render_all(out_dir, specs)
    stale = [r for r in rendered if not r.is_current()]
    removed = orphans(out_dir, rendered)
    if not check:
        for folder in sorted({item.path.parent for item in stale}):
            folder.mkdir(parents=True, exist_ok=True)
        changes: dict[Path, str | None] = {item.path: item.text for item in stale}
        changes |= dict.fromkeys(removed)
        replace_files(changes)
    return RegenReport(stale, removed)


def compile_spec(path: str | Path) -> types.ModuleType:
    """The NumPy module of the cell specified in the file at ``path``, in memory.

    The spec file can be anywhere (it need not be in the package); the module is
    what ``lstm-derive regen`` would write for it (before formatting), run in a
    fresh module: ``nn.Recurrent(module, ...)`` and ``gradcheck.check(module)``
    accept it. Raises SpecError, in one line, for a spec that cannot be derived.
    """
    spec = cells.load_file(path)
    text = render(derive(spec), str(Path(path).name))
    name = f"lstm_derive_user_cell_{spec.name}"
    module = types.ModuleType(name)
    code = compile(text, f"<{spec.name}, compiled from {path}>", "exec")
    try:
        exec(code, module.__dict__)  # noqa: S102 (the module just generated)
    except Exception as error:
        msg = f"cell {spec.name!r}: the generated module does not import: {error!r}"
        raise SpecError(msg) from error
    return module


def regen_spec(path: str | Path, out_dir: Path, *, check: bool = False) -> RegenReport:
    """Write (or check) the modules of one spec file into ``out_dir``, all or nothing.

    ``out_dir/<cell>.py`` (NumPy) and ``out_dir/compiled/<cell>.py`` (Numba): the
    package's own files are not touched.
    """
    spec = cells.load_file(path)
    source = Path(path).name
    derivation = derive(spec)
    numpy_text = ruff_format(render(derivation, source))
    check_imports(spec.name, numpy_text)
    rendered = [
        Rendered(spec, out_dir / f"{spec.name}.py", numpy_text),
        Rendered(
            spec,
            out_dir / COMPILED / f"{spec.name}.py",
            ruff_format(render_numba(derivation, source)),
        ),
    ]
    stale = [r for r in rendered if not r.is_current()]
    if not check:
        for folder in sorted({item.path.parent for item in stale}):
            folder.mkdir(parents=True, exist_ok=True)
        replace_files({item.path: item.text for item in stale})
    return RegenReport(stale, [])
