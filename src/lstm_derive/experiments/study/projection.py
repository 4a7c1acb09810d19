"""How long the full sweep takes, projected from the recorded wall times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lstm_derive.experiments.study.family import FAMILY
from lstm_derive.experiments.study.grid import LEARNING_RATES, SEEDS
from lstm_derive.experiments.study.records import Record

WITHOUT_FORGET_GATE = frozenset({"rnn", "greff_nfg", "gru", "gru_cho"})
"""Cells with no gate ``f`` (so no forget-bias axis in the grid)."""


def settings_count(cell: str) -> int:
    """Points of the grid per seed for ``cell``."""
    return len(LEARNING_RATES) * (1 if cell in WITHOUT_FORGET_GATE else 2)


def projected_seconds(records: Sequence[Record], *, jobs: int = 2) -> float:
    """Wall time of every family cell on every recorded task, ``SEEDS`` seeds each.

    A cell's mean run time on a task is its recorded one, or else the LSTM's (the
    gated cells cost about the same per step), or else the task's mean.
    """
    total = 0.0
    for task in sorted({r.task for r in records}):
        on_task = [r for r in records if r.task == task]
        fallback = [r.seconds for r in on_task if r.cell == "lstm"] or [
            r.seconds for r in on_task
        ]
        for cell in FAMILY:
            own = [r.seconds for r in on_task if r.cell == cell]
            mean = float(np.mean(own or fallback))
            total += mean * settings_count(cell) * SEEDS
    return total / jobs
