"""How the study chooses settings and seeds: stated before any run.

For every task and cell (all cells on every task but the longest lag, see
:data:`NARROW_TASKS`):

1. **Search.** :data:`SEARCH_SETTINGS` candidate settings, drawn once for every
   task (the same candidates for every cell): Adam's learning rate log-uniform in
   [1e-3, 1e-1] and an initial retention knob b uniform in [0, 3] (see
   :mod:`~lstm_book.study.cells`; a cell without the knob ignores b), as a Latin
   hypercube. Each candidate trains once, with a search seed, for the largest
   budget.
2. **Choice.** For each budget (:data:`BUDGETS` updates), the candidate with the
   lowest validation loss after that many updates: settings are chosen on the
   validation set, never on the test set.
3. **Final runs.** :data:`FINAL_SEEDS` seeds at each budget's chosen setting; a
   setting chosen for several budgets trains once, for the largest of them, and
   its checkpoints serve the smaller ones (training does not depend on the
   budget). The test scores of these runs are what the chapter reports.
4. **The forget-gate bias.** For Jozefowicz et al.'s claim, the LSTM also trains
   with the retention knob at :data:`BIAS_KNOBS` (0 and 1) at its own chosen
   learning rate, :data:`FINAL_SEEDS` seeds each (phase ``"bias"``).

A run records its validation scores every :data:`EVERY` updates (the learning
curve, and the first update at which it met the criterion) and its test scores
at every budget it reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

BUDGETS = (400, 1600)
"""Training budgets, in updates (one batch each)."""
EVERY = 200
"""Updates between two validation scores."""
SEARCH_SETTINGS = 6
SEARCH_SEED = 1000
"""The seed of the search runs (apart from the final seeds 0, 1, ...)."""
FINAL_SEEDS = 10
LEARNING_RATES = (1e-3, 1e-1)
"""The range of the log-uniform learning rate."""
RETENTION = (0.0, 3.0)
"""The range of the uniform retention knob b (initial retention sigmoid(b))."""
SAMPLER_SEED = 4242
MAX_GRAD_NORM = 1.0


@dataclass(frozen=True, order=True)
class Setting:
    """The hyper-parameters of a run."""

    learning_rate: float
    retention: float
    """The knob b: initial retention sigmoid(b) in every cell that has one."""

    def label(self) -> str:
        """``lr 0.0123, b 1.52``."""
        return f"lr {self.learning_rate:.3g}, b {self.retention:.2f}"


def search_settings(task: str, count: int | None = None) -> list[Setting]:
    """The candidates of ``task``'s search: the same for every cell.

    A Latin hypercube sample (``scipy.stats.qmc``): each of ``count`` equal slices
    of the log learning rate range, and of the knob's range, holds one candidate,
    so a handful of candidates still brackets both ranges.
    """
    count = SEARCH_SETTINGS if count is None else count
    sampler = qmc.LatinHypercube(
        d=2, rng=np.random.default_rng([SAMPLER_SEED, *task.encode()])
    )
    unit = sampler.random(count)
    low, high = np.log10(LEARNING_RATES)
    rates = 10 ** (low + (high - low) * unit[:, 0])
    knobs = RETENTION[0] + (RETENTION[1] - RETENTION[0]) * unit[:, 1]
    return [
        Setting(round(float(rate), 6), round(float(knob), 4))
        for rate, knob in zip(rates, knobs, strict=True)
    ]


def checkpoints(updates: int) -> list[int]:
    """The updates after which a run of ``updates`` updates scores its validation
    set: every :data:`EVERY`, and at its end."""
    return sorted({*range(EVERY, updates + 1, EVERY), updates})


@dataclass(frozen=True, order=True)
class Point:
    """One run: a task, a cell, a seed, a setting, a number of updates."""

    task: str
    cell: str
    seed: int
    setting: Setting
    updates: int
    phase: str  # "search" or "final"

    @property
    def key(self) -> tuple[str, str, int, float, float, str]:
        """What identifies the run's record."""
        return (self.task, self.cell, self.seed, self.setting.learning_rate,
                self.setting.retention, self.phase)  # fmt: skip


NARROW_TASKS: dict[str, tuple[str, ...]] = {"adding-100": ("rnn", "lstm", "gru")}
"""Tasks that run with a few cells only. At T = 100 a run costs ten times what it
costs at T = 10; the claims that need the longest lag (the plain RNN against the
LSTM, the forget-gate bias against the GRU) are about these three cells."""


def studied(task: str, cell: str) -> bool:
    """Whether the study runs ``cell`` on ``task``."""
    return cell in NARROW_TASKS.get(task, (cell,))


def search_points(tasks: list[str], cells: list[str]) -> list[Point]:
    """Every search run of ``tasks`` x ``cells`` (:func:`studied` pairs only)."""
    return [
        Point(task, cell, SEARCH_SEED, setting, max(BUDGETS), "search")
        for task in tasks
        for cell in cells
        if studied(task, cell)
        for setting in search_settings(task)
    ]


def final_points(
    chosen: dict[tuple[str, str, int], Setting], seeds: int | None = None
) -> list[Point]:
    """The final runs for ``chosen[(task, cell, budget)]`` settings.

    A setting chosen for several budgets of a task and cell trains once, for the
    largest of those budgets.
    """
    seeds = FINAL_SEEDS if seeds is None else seeds
    longest: dict[tuple[str, str, Setting], int] = {}
    for (task, cell, budget), setting in chosen.items():
        key = (task, cell, setting)
        longest[key] = max(longest.get(key, 0), budget)
    return sorted(
        Point(task, cell, seed, setting, updates, "final")
        for (task, cell, setting), updates in longest.items()
        for seed in range(seeds)
    )


BIAS_KNOBS = (0.0, 1.0)
"""The forget-gate biases of the LSTM compared for Jozefowicz et al.'s claim."""


def bias_points(
    chosen: dict[tuple[str, str, int], Setting], seeds: int | None = None
) -> list[Point]:
    """The LSTM at biases 0 and 1 with its own chosen learning rate (largest budget)."""
    seeds = FINAL_SEEDS if seeds is None else seeds
    budget = max(BUDGETS)
    return sorted(
        Point(task, "lstm", seed, Setting(setting.learning_rate, knob), budget, "bias")
        for (task, cell, chosen_budget), setting in chosen.items()
        if cell == "lstm" and chosen_budget == budget
        for knob in BIAS_KNOBS
        for seed in range(seeds)
    )
