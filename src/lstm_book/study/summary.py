"""Success rates and spreads over seeds, grouped by task, cell and setting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from lstm_book.study.family import FAMILY
from lstm_book.study.records import Record


@dataclass(frozen=True)
class Group:
    """The runs of one (task, cell, setting) over its seeds."""

    task: str
    cell: str
    learning_rate: float
    forget_bias: float | None
    metrics: tuple[float, ...]
    successes: int

    @property
    def runs(self) -> int:
        """How many seeds ran."""
        return len(self.metrics)

    @property
    def success_rate(self) -> float:
        """The fraction of seeds that succeeded."""
        return self.successes / self.runs

    @property
    def mean(self) -> float:
        """The mean metric over seeds."""
        return float(np.mean(self.metrics))

    def label(self) -> str:
        """The setting, e.g. ``lr 0.01, bf 1``."""
        bias = "" if self.forget_bias is None else f", bf {self.forget_bias:g}"
        return f"lr {self.learning_rate:g}{bias}"


def _cell_order(cell: str) -> tuple[int, str]:
    return (FAMILY.index(cell) if cell in FAMILY else len(FAMILY), cell)


def groups(records: Iterable[Record]) -> list[Group]:
    """The records grouped by (task, cell, setting), seeds in order."""
    by_point: dict[tuple[str, str, float, float | None], list[Record]] = defaultdict(
        list
    )
    for record in records:
        by_point[(record.task, record.cell, *record.setting)].append(record)
    result = []
    for (task, cell, rate, bias), runs in by_point.items():
        runs.sort(key=lambda r: r.seed)
        result.append(
            Group(task, cell, rate, bias, tuple(r.metric for r in runs),
                  sum(r.success for r in runs))
        )  # fmt: skip
    result.sort(
        key=lambda g: (
            g.task, _cell_order(g.cell), g.learning_rate,
            -1.0 if g.forget_bias is None else g.forget_bias,
        )
    )  # fmt: skip
    return result


def best_groups(records: Iterable[Record]) -> dict[tuple[str, str], Group]:
    """Per (task, cell): the setting with the highest success rate, then mean metric."""
    best: dict[tuple[str, str], Group] = {}
    for group in groups(records):
        key = (group.task, group.cell)
        rank = (group.success_rate, group.mean)
        if key not in best or rank > (best[key].success_rate, best[key].mean):
            best[key] = group
    return best


def lines(records: Iterable[Record]) -> list[str]:
    """One line per (task, cell, setting): success rate and metric spread."""
    out = []
    for g in groups(records):
        low, mid, high = np.percentile(g.metrics, [0, 50, 100])
        out.append(
            f"{g.task:16} {g.cell:14} {g.label():18} success {g.successes}/{g.runs}  "
            f"metric median {mid:.3f} (min {low:.3f}, max {high:.3f})"
        )
    return out
