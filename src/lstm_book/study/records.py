"""One run of the study as a record, and the recorded JSON files.

A record names the point (task, cell, seed, hyper-parameters), the budget, the
score (``metric``, ``success`` and task-specific ``details``), the wall and CPU
times and the versions that produced it, including a hash of the cell's generated code:
a record only reproduces with the same code.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from lstm_derive import generated
from lstm_derive.files import replace_files

RECORDED = Path(__file__).parent / "recorded"
"""The folder of recorded runs, one JSON file per task."""


@dataclass(frozen=True)
class Record:
    """One trained and scored run."""

    task: str
    cell: str
    seed: int
    learning_rate: float
    forget_bias: float | None
    hidden: int
    updates: int
    batch: int
    metric: float
    success: bool
    seconds: float
    cpu_seconds: float | None = None
    """The run's CPU time: its wall time on a quiet machine (``seconds`` grows
    with the load of the machine it ran on; absent in older records)."""
    details: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] | None = None
    """The numeric environment it ran in (absent in older records): a re-run
    equals it bit for bit only in the same one."""

    @property
    def key(self) -> tuple[str, str, int, float, float | None]:
        """The point of the study this run belongs to."""
        return (self.task, self.cell, self.seed, self.learning_rate, self.forget_bias)

    @property
    def setting_order(self) -> tuple[float, float]:
        """A sort key for the setting (no forget bias first)."""
        return (
            self.learning_rate,
            -1.0 if self.forget_bias is None else self.forget_bias,
        )

    @property
    def quiet_seconds(self) -> float:
        """The run's time on a quiet machine: its CPU time, else its wall time."""
        return self.seconds if self.cpu_seconds is None else self.cpu_seconds

    @property
    def setting(self) -> tuple[float, float | None]:
        """(learning rate, forget bias)."""
        return (self.learning_rate, self.forget_bias)


def cell_code_hash(cell: str) -> str:
    """The first 12 hex digits of the SHA-256 of the cell's generated module."""
    source = generated.load(cell).__file__
    assert source is not None
    return hashlib.sha256(Path(source).read_bytes()).hexdigest()[:12]


def versions(cell: str) -> dict[str, str]:
    """Python, NumPy and lstm-derive versions, and the hash of the cell's code."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "lstm_derive": metadata.version("lstm-derive"),
        "cell_code": cell_code_hash(cell),
    }


def to_json(records: list[Record]) -> str:
    """Records as a JSON array, sorted by their point, one object per record."""
    ordered = sorted(records, key=lambda r: (r.task, r.cell, r.setting_order, r.seed))
    return json.dumps([asdict(r) for r in ordered], indent=1) + "\n"


def from_json(text: str) -> list[Record]:
    """Records from :func:`to_json`'s text."""
    items: list[dict[str, Any]] = json.loads(text)
    return [Record(**item) for item in items]


def load_recorded(folder: Path | None = None) -> list[Record]:
    """Every recorded run (all tasks)."""
    folder = RECORDED if folder is None else folder
    records: list[Record] = []
    for path in sorted(folder.glob("*.json")):
        records += from_json(path.read_text(encoding="utf-8"))
    return records


def save_recorded(new: list[Record], folder: Path | None = None) -> list[Path]:
    """Merge ``new`` into the task files (a new record replaces one at its point)."""
    folder = RECORDED if folder is None else folder
    changes: dict[Path, str | None] = {}
    for task in sorted({r.task for r in new}):
        path = folder / f"{task}.json"
        old = from_json(path.read_text(encoding="utf-8")) if path.exists() else []
        merged = {r.key: r for r in old}
        merged.update({r.key: r for r in new if r.task == task})
        changes[path] = to_json(list(merged.values()))
    folder.mkdir(parents=True, exist_ok=True)
    replace_files(changes)  # every task file, or none
    return list(changes)
