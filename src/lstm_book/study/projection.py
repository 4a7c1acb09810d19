"""How long the full sweep takes, projected from the recorded run times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lstm_book.study.family import FAMILY, available
from lstm_book.study.grid import GATED_SETTINGS, SEEDS, settings_for
from lstm_book.study.records import Record


def settings_count(cell: str) -> int:
    """Points of the grid per seed for ``cell`` (a cell not generated yet counts as
    one with a forget gate)."""
    return len(settings_for(cell)) if cell in available() else len(GATED_SETTINGS)


def projected_seconds(
    records: Sequence[Record], *, jobs: int = 2, quiet: bool = True
) -> float:
    """Wall time of every family cell on every recorded task, ``SEEDS`` seeds each.

    A run's time is its CPU time (its wall time on a quiet machine) when ``quiet``
    and the record has one, else its recorded wall time. A cell's mean run time on
    a task is its recorded one, or else the LSTM's (the gated cells cost about the
    same per step), or else the task's mean.
    """

    def seconds(record: Record) -> float:
        return record.quiet_seconds if quiet else record.seconds

    total = 0.0
    for task in sorted({r.task for r in records}):
        on_task = [r for r in records if r.task == task]
        fallback = [seconds(r) for r in on_task if r.cell == "lstm"] or [
            seconds(r) for r in on_task
        ]
        for cell in FAMILY:
            own = [seconds(r) for r in on_task if r.cell == cell]
            mean = float(np.mean(own or fallback))
            total += mean * settings_count(cell) * SEEDS
    return total / jobs
