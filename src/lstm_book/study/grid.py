"""The one small hyper-parameter grid every cell shares (and the seeds).

Cells with a forget gate try four settings: the forget-gate bias 0 and 1 at Adam's
step 0.01 (Jozefowicz et al.'s comparison), a bias of 3 at the same step (a forget
gate open at 0.95 from the start, which the long lags of the adding problem need
within a small budget), and the step 0.03 with a bias of 1. Cells without one try
the two steps.
"""

from __future__ import annotations

from lstm_book.experiments.tasks.model import Settings, has_forget_gate

LEARNING_RATES = (1e-2, 3e-2)
"""Adam's step sizes tried for every cell."""
FORGET_BIASES = (0.0, 1.0, 3.0)
"""The initial forget-gate biases tried for cells with a gate ``f``."""
GATED_SETTINGS = (
    Settings(1e-2, 0.0),
    Settings(1e-2, 1.0),
    Settings(1e-2, 3.0),
    Settings(3e-2, 1.0),
)
"""The grid of a cell with a forget gate."""
UNGATED_SETTINGS = tuple(Settings(rate, None) for rate in LEARNING_RATES)
"""The grid of a cell without one."""
SEEDS = 5
"""Seeds per (task, cell, setting) by default, numbered 0, 1, ..., SEEDS - 1."""


def settings_for(cell: str) -> list[Settings]:
    """Every setting of the grid that applies to ``cell``."""
    return list(GATED_SETTINGS if has_forget_gate(cell) else UNGATED_SETTINGS)
