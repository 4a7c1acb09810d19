"""From records to what the chapter shows: chosen settings, results per budget.

Everything here is computed from the records; nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstm_book.study import protocol, stats
from lstm_book.study.protocol import Setting
from lstm_book.study.records import Record
from lstm_book.study.tasks import TASKS

Key = tuple[str, str, int]  # (task, cell, budget)


def choose(records: Sequence[Record]) -> dict[Key, Setting]:
    """Per task, cell and budget: the search candidate with the lowest validation
    loss after that many updates (the test set plays no part)."""
    best: dict[Key, tuple[float, Setting]] = {}
    for record in records:
        if record.phase != "search":
            continue
        for budget in protocol.BUDGETS:
            if budget > record.updates:
                continue
            loss = record.validation_loss(budget)
            key = (record.task, record.cell, budget)
            if not np.isfinite(loss):
                continue
            if key not in best or (loss, record.setting) < best[key]:
                best[key] = (loss, record.setting)
    return {key: setting for key, (_, setting) in best.items()}


@dataclass(frozen=True)
class Result:
    """The final runs of one task, cell and budget at its chosen setting."""

    task: str
    cell: str
    budget: int
    setting: Setting
    losses: list[float]  # test loss per seed
    metrics: list[float]  # test metric per seed
    reached: list[int | None]  # updates to criterion per seed (None: censored)

    @property
    def seeds(self) -> int:
        """How many final runs."""
        return len(self.losses)

    @property
    def successes(self) -> int:
        """How many runs met the criterion on the test set."""
        return sum(TASKS[self.task].success(m) for m in self.metrics)

    @property
    def success_rate(self) -> float:
        """The fraction of runs that met the criterion."""
        return self.successes / self.seeds

    @property
    def log_losses(self) -> list[float]:
        """log10 of each run's test loss: losses of different tasks on one scale."""
        return [float(np.log10(max(loss, 1e-12))) for loss in self.losses]

    @property
    def median_to_criterion(self) -> float | None:
        """Median updates to criterion on validation, censored runs included."""
        return stats.kaplan_meier_median(self.reached, self.budget)


def results(records: Sequence[Record]) -> dict[Key, Result]:
    """Every (task, cell, budget) with its final runs at the chosen setting."""
    chosen = choose(records)
    finals: dict[Key, list[Record]] = {}
    for record in records:
        if record.phase != "final":
            continue
        for budget in protocol.BUDGETS:
            key = (record.task, record.cell, budget)
            if budget <= record.updates and chosen.get(key) == record.setting:
                finals.setdefault(key, []).append(record)
    made = {}
    for key, group in finals.items():
        group.sort(key=lambda r: r.seed)
        task, cell, budget = key
        made[key] = Result(
            task, cell, budget, chosen[key],
            [r.test_at(budget)["loss"] for r in group],
            [r.test_at(budget)["metric"] for r in group],
            [r.reached_within(budget) for r in group],
        )  # fmt: skip
    return made


def complete(result: Result | None) -> bool:
    """Whether a result has all its final seeds."""
    return result is not None and result.seeds >= protocol.FINAL_SEEDS


def tasks_of(found: dict[Key, Result]) -> list[str]:
    """The tasks that have results, in the suite's order."""
    present = {task for task, _, _ in found}
    return [task for task in TASKS if task in present]
