"""Fitting sin(x) as a sequence (``lstm_batch``'s ``sin_train``), as next-value prediction.

Each training example is a window of ``steps`` samples of ``sin(x)`` taken every
``spacing`` radians from a random phase. At every step the model sees the current
value and predicts the next one: an LSTM layer returning all hidden states, then a
``Dense(hidden, 1)`` read-out, trained with Adam on the mean squared error.

A trained model is used two ways: *one step ahead* (every input is the true value)
and *free running* (after a warm-up on true values, each prediction is fed back as
the next input, so errors can accumulate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lstm_derive import nn
from lstm_derive.nn.layer import Array

SPACING = 0.2
"""Radians between consecutive samples (about 31 samples per period)."""


@dataclass(frozen=True)
class SineFit:
    """A trained next-value model and how it was trained."""

    model: nn.Sequential
    losses: Array
    """The training loss at every Adam step, [steps]."""
    seconds: float
    """Wall-clock training time."""


def sine_windows(
    count: int, steps: int, rng: np.random.Generator, spacing: float = SPACING
) -> tuple[Array, Array]:
    """``count`` windows from random phases: inputs and next values, each [count, steps, 1].

    The target at step t is the input at step t+1 (the window is drawn one longer).
    """
    phases = rng.uniform(0, 2 * np.pi, (count, 1))
    values = np.sin(phases + spacing * np.arange(steps + 1))
    return values[:, :-1, None], values[:, 1:, None]


def build_model(hidden: int, rng: np.random.Generator) -> nn.Sequential:
    """LSTM(1 -> hidden, every step) then Dense(hidden -> 1)."""
    return nn.Sequential(
        nn.Recurrent("lstm", 1, hidden, rng=rng), nn.Dense(hidden, 1, rng=rng)
    )


def train_sine(
    *,
    hidden: int = 16,
    steps: int = 40,
    batch: int = 32,
    updates: int = 600,
    learning_rate: float = 1e-2,
    seed: int = 0,
) -> SineFit:
    """Train on fresh random windows at every Adam step (``updates`` steps)."""
    rng = np.random.default_rng(seed)
    model = build_model(hidden, rng)
    loss = nn.MeanSquaredError()
    optimizer = nn.Adam(model.params, learning_rate)
    losses = np.empty(updates)
    start = time.perf_counter()
    for update in range(updates):
        x, y = sine_windows(batch, steps, rng)
        losses[update] = nn.train_step(model, loss, optimizer, x, y, max_grad_norm=1.0)
    return SineFit(model, losses, time.perf_counter() - start)


def one_step_mse(
    model: nn.Layer, *, count: int = 256, steps: int = 40, skip: int = 0, seed: int = 1
) -> float:
    """Mean squared error of the next-value predictions on fresh windows.

    ``skip`` leaves the first steps of each window out: from a single value the
    model cannot tell whether the sine is rising or falling.
    """
    x, y = sine_windows(count, steps, np.random.default_rng(seed))
    error = (model.forward(x) - y)[:, skip:]
    return float(np.mean(error**2))


def free_run(model: nn.Layer, warm_up: Array, horizon: int) -> Array:
    """Feed ``warm_up`` [steps] in, then feed each prediction back, ``horizon`` times.

    Returns the ``horizon`` generated values (the model re-reads the whole sequence
    each time: simple, and quick for these lengths).
    """
    sequence = list(warm_up)
    for _ in range(horizon):
        x = np.asarray(sequence)[None, :, None]
        sequence.append(float(model.forward(x)[0, -1, 0]))
    return np.asarray(sequence[len(warm_up) :])


@dataclass(frozen=True)
class SineCurves:
    """Truth and the two kinds of prediction on one stretch of the sine."""

    x: Array
    """The abscissa of every predicted value."""
    truth: Array
    one_step: Array
    """Predictions from true inputs."""
    free_running: Array
    """Predictions fed back as inputs after the warm-up."""
    warm_up: int
    """How many true values the free run saw first."""


def sine_curves(
    model: nn.Layer, *, warm_up: int = 20, horizon: int = 60, phase: float = 0.3
) -> SineCurves:
    """Predictions on ``sin(phase + SPACING k)``: one step ahead, and free running."""
    x_all = phase + SPACING * np.arange(warm_up + horizon)
    values = np.sin(x_all)
    one_step = model.forward(values[None, :-1, None])[0, :, 0]
    generated = free_run(model, values[:warm_up], horizon)
    free_running = np.concatenate((one_step[: warm_up - 1], generated))
    return SineCurves(x_all[1:], values[1:], one_step, free_running, warm_up)
