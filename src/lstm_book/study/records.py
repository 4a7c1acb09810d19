"""One run of the study as a record, and the recorded JSON files.

A record names its point (task, cell, seed, setting, updates, phase), its learning
curve (validation scores every few hundred updates), its test scores at every
budget it reached, the first update at which it met the task's criterion on the
validation set (``None``: censored, never within its updates), its times, the
backend that ran it, the versions and the cell code that produced it, and the
numeric environment it ran in: a re-run equals it bit for bit only on the same one.
"""

from __future__ import annotations

import ast
import hashlib
import json
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from lstm_book.study.protocol import Point, Setting
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
    retention: float
    updates: int
    phase: str
    curve: dict[str, list[float]]
    """``updates``, ``loss`` and ``metric`` on the validation set, per checkpoint."""
    test: dict[str, dict[str, float]]
    """Per budget reached (as text: "400"), the test ``loss`` and ``metric``."""
    reached: int | None
    """The first checkpoint at which the validation metric met the criterion."""
    seconds: float
    cpu_seconds: float
    backend: str
    versions: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def setting(self) -> Setting:
        """The run's setting."""
        return Setting(self.learning_rate, self.retention)

    @property
    def key(self) -> tuple[str, str, int, float, float, str]:
        """The point of the study this run belongs to (see ``Point.key``)."""
        return (self.task, self.cell, self.seed, self.learning_rate, self.retention,
                self.phase)  # fmt: skip

    def validation_loss(self, budget: int) -> float:
        """The validation loss after ``budget`` updates."""
        return self.curve["loss"][self.curve["updates"].index(budget)]

    def test_at(self, budget: int) -> dict[str, float]:
        """The test scores after ``budget`` updates."""
        return self.test[str(budget)]

    def reached_within(self, budget: int) -> int | None:
        """The updates to criterion, if within ``budget``; else None (censored)."""
        return (
            self.reached
            if self.reached is not None and self.reached <= budget
            else None
        )


def point_of(record: Record) -> Point:
    """The point a record ran."""
    return Point(record.task, record.cell, record.seed, record.setting,
                 record.updates, record.phase)  # fmt: skip


def cell_code_hash(cell: str) -> str:
    """The first 12 hex digits of the SHA-256 of the cell's generated code.

    The code is the module's syntax tree without its docstrings: a comment, a
    docstring or a note of the spec printed in them changes no record's hash, a
    changed line of code does.
    """
    source = generated.load(cell).__file__
    assert source is not None
    return code_hash(Path(source).read_text(encoding="utf-8"))


def code_hash(source: str) -> str:
    """The hash of :func:`cell_code_hash` for the text of a module."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and (
            ast.get_docstring(node, clean=False) is not None
        ):
            node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()[:12]


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
    ordered = sorted(records, key=lambda r: r.key)
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
    """Merge ``new`` into the task files, all or none (a new record replaces one at
    its point)."""
    folder = RECORDED if folder is None else folder
    changes: dict[Path, str | None] = {}
    for task in sorted({r.task for r in new}):
        path = folder / f"{task}.json"
        old = from_json(path.read_text(encoding="utf-8")) if path.exists() else []
        merged = {r.key: r for r in old}
        merged.update({r.key: r for r in new if r.task == task})
        changes[path] = to_json(list(merged.values()))
    folder.mkdir(parents=True, exist_ok=True)
    replace_files(changes)
    return list(changes)
