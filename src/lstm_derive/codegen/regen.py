"""Write (or check) every generated module, all or nothing.

All cells are derived and rendered in memory first; only when every one succeeds
are files replaced, each through a temporary file and an atomic rename. A bad
formula edit therefore raises :class:`~lstm_derive.errors.SpecError` and leaves
every committed file as it was.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ruff.__main__ import find_ruff_bin

from lstm_derive import cells
from lstm_derive.cells.spec import CellSpec
from lstm_derive.codegen.render import render
from lstm_derive.derive import derive

PACKAGE = Path(__file__).resolve().parent.parent
GENERATED = PACKAGE / "generated"


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
    """Render every cell (the package's, or ``specs``); raises before anything is written."""
    specs = cells.load_all() if specs is None else specs
    return [
        Rendered(spec, out_dir / f"{spec.name}.py", render_spec(spec, _source(spec)))
        for spec in specs
    ]


def _source(spec: CellSpec) -> str:
    return f"lstm_derive/cells/{spec.name}.py"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def regen(out_dir: Path = GENERATED, *, check: bool = False) -> list[Rendered]:
    """Regenerate every module; with ``check`` write nothing and return the stale ones."""
    rendered = render_all(out_dir)
    stale = [r for r in rendered if not r.is_current()]
    if not check:
        for item in stale:
            write_atomic(item.path, item.text)
    return stale
