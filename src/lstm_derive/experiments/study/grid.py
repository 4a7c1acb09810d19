"""The one hyper-parameter grid every cell shares (and the seeds)."""

from __future__ import annotations

from lstm_derive.experiments.tasks.model import Settings, has_forget_gate

LEARNING_RATES = (1e-2, 3e-2)
"""Adam's step sizes tried for every cell."""
FORGET_BIASES = (0.0, 1.0)
"""The initial forget-gate bias tried for cells with a gate ``f``."""
SEEDS = 5
"""Seeds per (task, cell, setting) by default, numbered 0, 1, ..., SEEDS - 1."""


def settings_for(cell: str) -> list[Settings]:
    """Every setting of the grid that applies to ``cell``."""
    biases: tuple[float | None, ...] = (
        FORGET_BIASES if has_forget_gate(cell) else (None,)
    )
    return [Settings(rate, bias) for rate in LEARNING_RATES for bias in biases]
