"""nicodjimenez/lstm's minimal example (the ``test.py`` that ``lstm_batch`` keeps), rerun.

The original feeds four fixed random vectors of 50 numbers to an LSTM of 100
memory cells and trains the *first hidden unit* to read out the sequence
``[-0.5, 0.2, 0.1, -0.5]``. Its particulars, reproduced here:

* the hidden state is ``h = o * c``, with no tanh on the cell state (the cell
  :mod:`lstm_derive.generated.lstm_no_output_tanh`); the candidate uses tanh;
* every weight matrix and every bias is drawn uniform in [-0.1, 0.1) *after
  re-seeding NumPy's global generator with 0*, so the four gates start with
  identical matrices and identical biases (each bias equals the first 100 numbers
  of the matrices' first row), and the inputs are the draws that follow;
* the loss is a *sum* over the four steps of ``(h[0] - y)^2``, not a mean;
* every one of the 100 iterations is one full-batch step of plain gradient descent,
  ``p -= 0.1 * dL/dp``, with the gradient summed over the steps; the loss reported
  for an iteration is the one computed before its update.

The same setup runs on the project's LSTM (``h = o * tanh(c)``) for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lstm_derive import nn
from lstm_derive.nn.layer import Array

TARGETS = (-0.5, 0.2, 0.1, -0.5)
"""What the first hidden unit should read at the four steps."""
INPUTS = 50
MEMORY_CELLS = 100
LEARNING_RATE = 0.1
ITERATIONS = 100
INIT_BOUND = 0.1
"""The original draws every weight and bias uniform in [-INIT_BOUND, INIT_BOUND)."""
ORIGINAL_CELL = "lstm_no_output_tanh"
"""The original's cell: ``h = o * c``."""
GATE_ORDER = ("f", "i", "g", "o")
"""The generated cells' gate blocks, in the order of the stacked weight's columns."""

Initialisation = Literal["original", "default"]


@dataclass(frozen=True)
class MinimalExampleRun:
    """One training run of the minimal example."""

    cell: str
    """The generated cell trained (``lstm_no_output_tanh`` is the original's)."""
    initialisation: Initialisation
    """``"original"`` (the re-seeded draws) or ``"default"`` (:class:`nn.Recurrent`'s)."""
    losses: Array
    """The loss at each iteration, before that iteration's update, [iterations]."""
    predictions: Array
    """The first hidden unit at the four steps, per iteration, [iterations, 4]."""
    seconds: float
    """Wall-clock training time."""

    @property
    def final_loss(self) -> float:
        """The loss of the last iteration (the last line the original prints)."""
        return float(self.losses[-1])


class FirstUnitSquaredError(nn.Loss):
    """The original's loss: Σ_t (h_t[0] - y_t)², summed over the steps (no mean).

    ``prediction`` is the hidden states [batch, time, hidden]; ``target`` is
    [batch, time]. Only the first hidden unit receives a gradient, 2 (h_t[0] - y_t).
    """

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The summed loss and its gradient w.r.t. every hidden state."""
        error = prediction[..., 0] - target
        gradient = np.zeros_like(prediction)
        gradient[..., 0] = 2 * error
        return float(np.sum(error**2)), gradient


def _redrawn_uniform(shape: tuple[int, ...]) -> Array:
    """``np.random.seed(0); np.random.rand(*shape) * 0.2 - 0.1``, as each original draw."""
    draw = np.random.RandomState(0).random_sample(shape)
    uniform: Array = draw * 2 * INIT_BOUND - INIT_BOUND
    return uniform


def original_parameters(
    inputs: int = INPUTS, hidden: int = MEMORY_CELLS
) -> dict[str, Array]:
    """The original's initial weights, in the generated cells' layout.

    The original's gate matrix ``w`` is [hidden, inputs + hidden] acting on
    ``[x, h_prev]``; the cells here take ``W_x`` [inputs, 4 hidden] and ``W_h``
    [hidden, 4 hidden], so each gate's block of them is a row block of ``w.T``.
    """
    blocks = []
    for _ in GATE_ORDER:  # each gate re-seeds, so the four blocks are equal
        w = _redrawn_uniform((hidden, inputs + hidden))
        blocks.append(w.T)
    biases = [_redrawn_uniform((hidden,)) for _ in GATE_ORDER]
    stacked = np.concatenate(blocks, axis=1)
    return {
        "W_x": stacked[:inputs],
        "W_h": stacked[inputs:],
        "b_x": np.concatenate(biases),
    }


def original_inputs(
    steps: int = len(TARGETS), inputs: int = INPUTS, hidden: int = MEMORY_CELLS
) -> Array:
    """The four input vectors, [1, steps, inputs]: uniform [0, 1) draws.

    The original draws them from the global generator after its last parameter
    draw (a bias of ``hidden`` numbers right after re-seeding with 0).
    """
    generator = np.random.RandomState(0)
    generator.random_sample(hidden)
    return generator.random_sample((steps, inputs))[None]


def run_minimal_example(
    cell: str = ORIGINAL_CELL,
    *,
    initialisation: Initialisation = "original",
    iterations: int = ITERATIONS,
    learning_rate: float = LEARNING_RATE,
    seed: int = 0,
) -> MinimalExampleRun:
    """Train the first hidden unit of ``cell`` to read out :data:`TARGETS`.

    ``initialisation="original"`` uses the original's weights and inputs;
    ``"default"`` keeps :class:`nn.Recurrent`'s uniform ±1/sqrt(hidden) draws from
    ``np.random.default_rng(seed)`` (the inputs stay the original's).
    """
    layer = nn.Recurrent(cell, INPUTS, MEMORY_CELLS, rng=np.random.default_rng(seed))
    if initialisation == "original":
        for name, initial in original_parameters().items():
            layer.params[name][...] = initial
    x = original_inputs()
    target = np.asarray(TARGETS)[None]
    loss = FirstUnitSquaredError()
    optimizer = nn.SGD(layer.params, learning_rate)
    losses = np.empty(iterations)
    predictions = np.empty((iterations, len(TARGETS)))
    start = time.perf_counter()
    for iteration in range(iterations):
        hidden_states = layer.forward(x)
        predictions[iteration] = hidden_states[0, :, 0]
        value, d_hidden = loss(hidden_states, target)
        layer.backward(d_hidden)
        optimizer.step(layer.grads)
        losses[iteration] = value
    seconds = time.perf_counter() - start
    return MinimalExampleRun(cell, initialisation, losses, predictions, seconds)


@dataclass(frozen=True)
class Setback:
    """The largest rise of a loss curve above its best value so far (1-based)."""

    best_iteration: int
    best_loss: float
    peak_iteration: int
    peak_loss: float


def worst_setback(losses: Array) -> Setback:
    """Where the loss rose most, as a ratio, above the lowest loss reached before."""
    best_so_far = np.minimum.accumulate(losses)
    peak = int(np.argmax(losses / best_so_far))
    best = int(np.argmin(losses[: peak + 1]))
    return Setback(best + 1, float(losses[best]), peak + 1, float(losses[peak]))


def compare_cells(**options: Any) -> dict[str, MinimalExampleRun]:
    """The minimal example on the original's cell and on the project's LSTM."""
    return {
        cell: run_minimal_example(cell, **options) for cell in (ORIGINAL_CELL, "lstm")
    }
