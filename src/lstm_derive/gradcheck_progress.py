"""What ``lstm-derive gradcheck`` needs around the check: a memory estimate, progress.

The check itself is :func:`lstm_derive.gradcheck.check`; this module only looks at
a cell through the driver's interface (``states``, ``shapes``, ``forward``), so it
keeps working when the check's internals change.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from tqdm import tqdm

BYTES_PER_ENTRY = 320
"""Memory per checked entry: the float64 and extended-precision copies of the arrays,
the backward's gradient and the row object kept for the table (an upper estimate)."""
BYTES_PER_STATE_VALUE = 96
"""Memory per saved forward value (batch × steps × hidden × (gates + states)), in
float64 and extended precision, for the backward and the finite differences."""
FORWARDS_PER_ENTRY = 7
"""Forward passes per entry: the six of the central stencil and a reference one."""


def entries(cell: Any, batch: int, steps: int, inputs: int, hidden: int) -> int:
    """How many entries the check differentiates one by one (it prints one row each)."""
    parameters = sum(math.prod(shape) for shape in cell.shapes(inputs, hidden).values())
    states = len(cell.states)
    return int(parameters) + batch * steps * inputs + states * batch * hidden


def memory_needed(cell: Any, batch: int, steps: int, inputs: int, hidden: int) -> int:
    """An estimate, in bytes, of the memory the check of these sizes takes."""
    width = sum(int(shape[-1]) for shape in cell.shapes(1, 1).values())
    saved = batch * steps * hidden * (width + len(cell.states) + 2)
    return (
        entries(cell, batch, steps, inputs, hidden) * BYTES_PER_ENTRY
        + saved * BYTES_PER_STATE_VALUE
    )


def memory_available() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None if unknown."""
    try:
        with Path("/proc/meminfo").open(encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def size_text(count: float) -> str:
    """``12.3 GB``: a byte count in decimal units."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.1f} {unit}" if unit != "B" else f"{count:.0f} B"
        count /= 1000
    raise AssertionError  # pragma: no cover


class CountingCell:
    """A cell that advances a progress bar on every ``forward`` it passes on.

    Every other attribute is the wrapped cell's, so the check sees the same cell.
    """

    def __init__(self, cell: Any, bar: tqdm[Any]) -> None:
        self._cell, self._bar = cell, bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cell, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The wrapped cell's forward, counted."""
        result = self._cell.forward(*args, **kwargs)
        self._bar.update(1)
        return result


def progress_bar(total_forwards: int, *, enabled: bool) -> tqdm[Any]:
    """A tqdm bar on stderr counting forward passes (drawn only on a terminal)."""
    return tqdm(
        total=total_forwards,
        desc="gradient check",
        unit=" forward",
        leave=False,
        disable=None if enabled else True,
        unit_scale=True,
    )
