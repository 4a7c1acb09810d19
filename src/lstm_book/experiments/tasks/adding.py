"""The adding problem (Hochreiter and Schmidhuber 1997, experiment 4), at lag T.

Each of the T steps holds a pair (value, marker). The values are uniform in
[-1, 1]. Two steps are marked with 1.0: the first among the first 10 steps, the
second, a different one, among the first T/2 - 1 steps; every other marker is 0
(the paper also marks the first and last steps with -1 when they are not chosen;
this variant leaves them at 0). The target, read at the end of the sequence, is
``0.5 + (X1 + X2) / 4`` in [0, 1], so at least T/2 steps separate the second
marked value from the answer. A sequence is processed correctly when the absolute
error of the answer is below 0.04, the paper's criterion.
"""

from __future__ import annotations

import numpy as np

from lstm_derive.nn.layer import Array

INPUTS = 2
"""A value and a marker per step."""
TOLERANCE = 0.04
"""The largest absolute error of a correct answer."""


def adding_batch(count: int, lag: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """``count`` sequences of ``lag`` steps: inputs [count, lag, 2], targets [count, 1]."""
    if lag < 4:
        msg = f"the adding problem needs a lag of at least 4 steps, received {lag}"
        raise ValueError(msg)
    values = rng.uniform(-1.0, 1.0, (count, lag))
    first = rng.integers(0, min(10, lag), count)
    second_range = max(lag // 2 - 1, 2)
    second = rng.integers(0, second_range - 1, count)
    second = second + (second >= first)  # any of the range except ``first``
    markers = np.zeros((count, lag))
    rows = np.arange(count)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    total = values[rows, first] + values[rows, second]
    inputs = np.stack((values, markers), axis=-1)
    return inputs, (0.5 + total / 4)[:, None]


def within_tolerance(prediction: Array, target: Array) -> Array:
    """Per sequence: whether the answer's absolute error is below :data:`TOLERANCE`."""
    result: Array = (
        np.abs(prediction - target).reshape(len(target), -1).max(axis=1) < TOLERANCE
    )
    return result


def adding_1997_batch(
    count: int, lag: int, rng: np.random.Generator
) -> tuple[Array, Array, Array]:
    """The adding problem as Hochreiter and Schmidhuber (1997) set it.

    Each sequence has a random length in [T, 1.1 T] (``lag`` is T). Its steps hold
    (value, marker): values uniform in [-1, 1]; the first marked step is one of the
    first 10, the second one of the first T/2 - 1 (a different one); marked steps
    have marker 1, the first and the last step marker -1 unless marked, every other
    step 0. When the first step is marked its value counts as 0. The target, read
    after the last step, is ``0.5 + (X1 + X2) / 4``.

    Returns inputs [count, 1.1 T, 2] (zero after each sequence's end), targets
    [count, 1] and lengths [count].
    """
    if lag < 8:
        msg = f"the adding problem of 1997 needs T of at least 8 steps, received {lag}"
        raise ValueError(msg)
    longest = int(1.1 * lag)
    lengths = rng.integers(lag, longest + 1, count)
    values = rng.uniform(-1.0, 1.0, (count, longest))
    first = rng.integers(0, 10, count)
    second = rng.integers(0, lag // 2 - 2, count)
    second = second + (second >= first)  # one of the first T/2 - 1, not ``first``
    rows = np.arange(count)
    markers = np.zeros((count, longest))
    markers[:, 0] = -1.0
    markers[rows, lengths - 1] = -1.0
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x1 = np.where(first == 0, 0.0, values[rows, first])
    x2 = np.where(second == 0, 0.0, values[rows, second])
    inside = np.arange(longest)[None, :] < lengths[:, None]
    inputs = np.stack((values * inside, markers * inside), axis=-1)
    return inputs, (0.5 + (x1 + x2) / 4)[:, None], lengths
