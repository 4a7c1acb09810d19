"""The data of the copy and reverse tasks: random symbols, a delimiter, blanks.

An example of length L is a sequence of L symbols drawn uniformly from
``0 .. symbols-1``, then one delimiter, then L blanks: 2L + 1 one-hot input steps
over ``symbols + 2`` channels (the symbols, the delimiter, the blank). While the
blanks are read the model must write the L symbols back: in the same order
(*copy*) or last first (*reverse*). Only those L answer steps are scored.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from lstm_derive.nn.layer import Array

Task = Literal["copy", "reverse"]
TASKS: tuple[Task, ...] = ("copy", "reverse")


def channels(symbols: int) -> int:
    """Input width: one channel per symbol, the delimiter, the blank."""
    return symbols + 2


def symbol_batch(
    task: Task, count: int, length: int, symbols: int, rng: np.random.Generator
) -> tuple[Array, Array]:
    """``count`` examples of one length: one-hot inputs and the answer labels.

    Returns inputs [count, 2 length + 1, symbols + 2] (float64) and integer labels
    [count, length] for the answer steps (the last ``length`` steps).
    """
    if task not in TASKS:
        msg = f"task must be one of {TASKS}, received {task!r}"
        raise ValueError(msg)
    if length < 1:
        msg = f"length must be >= 1, received {length}"
        raise ValueError(msg)
    sequence = rng.integers(0, symbols, (count, length))
    delimiter, blank = symbols, symbols + 1
    tokens = np.concatenate(
        (
            sequence,
            np.full((count, 1), delimiter),
            np.full((count, length), blank),
        ),
        axis=1,
    )
    inputs = np.eye(channels(symbols))[tokens]
    labels = sequence if task == "copy" else sequence[:, ::-1]
    return inputs, np.ascontiguousarray(labels)
