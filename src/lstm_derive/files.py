"""Writing files so that a failure never leaves one half-written.

A write can fail part-way: a full disk, a read-only folder, a file-size limit,
Ctrl-C. Everything here writes the new bytes to a temporary file beside the
target first and renames it over the target only when it is complete, so a
reader sees the old file or the new one, never a mixture.

* :func:`write_atomic` replaces one file;
* :func:`replace_files` replaces (or deletes) many files all or nothing: every new
  file is written first; only then are the targets replaced, and if anything fails
  on the way, every target is put back as it was.

New files get the mode the umask gives (``0o666 & ~umask``, as ``open`` would);
a replaced file keeps its own mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class WriteError(OSError):
    """A write that failed and changed nothing: names the file and the reason."""


def umask_mode() -> int:
    """The mode ``open()`` gives a new file under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return umask_mode()


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _temporary_beside(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file in ``target``'s folder; return its path."""
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(_mode_for(target))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` in one rename; raise WriteError, changing nothing."""
    replace_files({Path(path): data})
    return Path(path)


@dataclass
class _Step:
    target: Path
    new: Path | None  # the complete new file, None for a deletion
    backup: Path | None = None  # the old file, moved aside
    done: bool = False


def replace_files(changes: Mapping[Path, str | bytes | None]) -> None:
    """Write (``str``/``bytes``) or delete (``None``) every path, all or nothing.

    Raises :class:`WriteError` naming the first file that failed; every target is
    then as it was before the call. Ctrl-C (or any other exception) on the way
    restores them too, then propagates.
    """
    steps: list[_Step] = []
    try:
        for target, data in changes.items():
            if data is None:
                steps.append(_Step(target, None))
                continue
            if not target.parent.is_dir():
                msg = f"cannot write {target}: no directory {target.parent}"
                raise WriteError(msg)
            raw = data.encode() if isinstance(data, str) else data
            steps.append(_Step(target, _temporary_beside(target, raw)))
        for step in steps:
            _apply(step)
    except BaseException as error:
        _roll_back(steps)
        if isinstance(error, OSError) and not isinstance(error, WriteError):
            where = error.filename or (steps[-1].target if steps else "")
            msg = f"cannot write {where}: {_reason(error)}; no file was changed"
            raise WriteError(msg) from error
        raise
    for step in steps:  # committed: the old files can go
        if step.backup is not None:
            step.backup.unlink(missing_ok=True)


def _apply(step: _Step) -> None:
    """Move the old file aside (if any), then move the new one in (if any)."""
    if step.target.exists():
        handle, name = tempfile.mkstemp(
            dir=step.target.parent, prefix=f".{step.target.name}.", suffix=".old"
        )
        os.close(handle)
        step.backup = Path(name)
        step.target.replace(step.backup)
    step.done = True
    if step.new is not None:
        step.new.replace(step.target)
        step.new = None


def _roll_back(steps: list[_Step]) -> None:
    """Put every target back as it was and remove every temporary file."""
    for step in reversed(steps):
        with contextlib.suppress(OSError):
            if step.done:
                if step.backup is not None:
                    step.backup.replace(step.target)
                    step.backup = None
                elif step.new is None:
                    step.target.unlink(missing_ok=True)
                step.done = False
            if step.new is not None:
                step.new.unlink(missing_ok=True)
                step.new = None
            if step.backup is not None:
                step.backup.unlink(missing_ok=True)
                step.backup = None
