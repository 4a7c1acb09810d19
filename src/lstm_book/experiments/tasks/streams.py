"""Two continual streams: sequences that never end and are never reset.

A network trained on segments of a stream carries its state from one segment to
the next (truncated backpropagation through time), so it must learn to forget by
itself: Gers, Schmidhuber and Cummins (2000) showed that an LSTM without a forget
gate cannot.

* :class:`ReberStream`: embedded Reber strings one after the other (Gers et al.'s
  continual embedded Reber grammar), next-symbol prediction;
* :class:`AverageStream`: random bits, and the target is their exponential moving
  average: the state must accumulate and leak at the right rate forever.

Each stream object holds ``count`` streams side by side and hands out the next
``steps`` steps of all of them.
"""

from __future__ import annotations

import numpy as np

from lstm_book.experiments.tasks import reber
from lstm_derive.nn.layer import Array


class ReberStream:
    """``count`` continual embedded Reber streams.

    Inputs are one-hot symbols [count, steps, 7]; targets mark the symbols allowed
    next [count, steps, 7] (after a string's final ``E`` comes the next string's
    ``B``); ``boundaries`` [count, steps] is True at the last step of each string,
    for scoring strings.
    """

    def __init__(self, count: int, rng: np.random.Generator) -> None:
        self.rng = rng
        self.pending: list[list[tuple[str, frozenset[str], bool]]] = [
            [] for _ in range(count)
        ]

    def _refill(
        self, stream: list[tuple[str, frozenset[str], bool]], steps: int
    ) -> None:
        while len(stream) < steps:
            string = reber.embedded_reber_string(self.rng)
            allowed = reber.allowed_successors(string)
            assert allowed is not None
            allowed[-1] = frozenset("B")  # the next string follows at once
            stream += [
                (symbol, successors, k == len(string) - 1)
                for k, (symbol, successors) in enumerate(
                    zip(string, allowed, strict=True)
                )
            ]

    def next(self, steps: int) -> tuple[Array, Array, Array]:
        """The next ``steps`` steps of every stream: inputs, targets, string ends."""
        count = len(self.pending)
        symbols = len(reber.SYMBOLS)
        inputs = np.zeros((count, steps, symbols))
        targets = np.zeros((count, steps, symbols))
        ends = np.zeros((count, steps), dtype=bool)
        for row, stream in enumerate(self.pending):
            self._refill(stream, steps)
            for t, (symbol, successors, last) in enumerate(stream[:steps]):
                inputs[row, t, reber.SYMBOLS.index(symbol)] = 1.0
                for successor in successors:
                    targets[row, t, reber.SYMBOLS.index(successor)] = 1.0
                ends[row, t] = last
            del stream[:steps]
        return inputs, targets, ends


def strings_right(probabilities: Array, targets: Array, ends: Array) -> tuple[int, int]:
    """(strings whose every step predicted exactly the allowed symbols, strings)."""
    right = ((probabilities > reber.THRESHOLD) == (targets > 0.5)).all(axis=-1)
    good = total = 0
    for row in range(len(right)):  # a stream starts with a string; a last one
        start = 0  # that the steps cut short is not counted
        for cut in (np.flatnonzero(ends[row]) + 1).tolist():
            good += bool(right[row, start:cut].all())
            total += 1
            start = cut
    return good, total


class AverageStream:
    """``count`` streams of random bits and their exponential moving average.

    Input u_t is 0 or 1 with equal probability; the target is
    y_t = decay * y_(t-1) + (1 - decay) * u_t (decay 0.9), from y = 0.5: a leaky accumulator
    that a cell must keep in range at every step of a stream that never ends.
    """

    def __init__(
        self, count: int, rng: np.random.Generator, decay: float = 0.9
    ) -> None:
        self.rng = rng
        self.decay = decay
        self.average = np.full(count, 0.5)

    def next(self, steps: int) -> tuple[Array, Array]:
        """Inputs [count, steps, 1] and targets [count, steps, 1]."""
        bits = self.rng.integers(0, 2, (len(self.average), steps)).astype(float)
        targets = np.empty_like(bits)
        average = self.average
        for t in range(steps):
            average = self.decay * average + (1 - self.decay) * bits[:, t]
            targets[:, t] = average
        self.average = average
        return bits[..., None], targets[..., None]
