"""The study's tasks: each one trains a cell, scores it, and says if it succeeded.

Every task has three sets of data, drawn from generators of their own: training
batches (a new one per update, from the run's data generator: the same sequences
for every cell with the same seed), a validation set (settings are chosen on it)
and a test set (results are reported on it), both the same for every run.

* ``adding-T``: the adding problem of Hochreiter and Schmidhuber (1997), lengths in
  [T, 1.1 T], for T = 10, 30 and 100: the long time lags;
* ``reber``: the continual embedded Reber grammar of Gers et al. (2000): strings
  follow each other with no reset, so a cell must learn to forget;
* ``stream``: a leaky accumulator over a stream of bits that never ends: the
  state must stay in range forever.

Each task reports a continuous score (``loss``: mean squared error or
cross-entropy, lower is better) beside its metric (a fraction in [0, 1], higher
is better) and its criterion of success.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from lstm_book.experiments.tasks import adding, reber
from lstm_book.experiments.tasks.streams import (
    AverageStream,
    ReberStream,
    strings_right,
)
from lstm_derive import nn
from lstm_derive.nn.layer import Array

VALIDATION_SEED = 20_261_206
TEST_SEED = 20_261_207


@dataclass(frozen=True)
class Scores:
    """A model's scores on one set."""

    loss: float
    metric: float


@dataclass(frozen=True)
class Batch:
    """One update's data: inputs, targets and (adding) each sequence's length."""

    x: Array
    target: Array
    lengths: Array | None = None


class StudyModel(nn.Sequential):
    """A recurrent layer and a dense read-out (of every step, or of the last).

    ``lengths`` and ``carried`` (the state a continual stream carries from one
    update to the next) are set before a forward pass; :func:`lstm_derive.nn.train_step`
    then trains it like any model.
    """

    def __init__(self, recurrent: nn.Recurrent, readout: nn.Dense) -> None:
        super().__init__(recurrent, readout)
        self.recurrent, self.readout = recurrent, readout
        self.lengths: Array | None = None
        self.carried: dict[str, Array] | None = None

    def forward(self, x: Array, *, lengths: Array | None = None) -> Array:
        """The read-out of the recurrent layer's outputs."""
        hs = self.recurrent.forward(
            x, lengths=self.lengths if lengths is None else lengths,
            initial_state=self.carried,
        )  # fmt: skip
        return self.readout.forward(hs)


class Task:
    """What every task offers (see the module docstring)."""

    name: str
    title: str
    lag: int | None = None  # the time lag the task needs bridged, if it has one
    inputs: int
    outputs: int
    hidden: int = 16
    continual: bool = False  # the state is carried from update to update
    loss_name: str = "MSE"

    def loss(self) -> nn.Loss:
        """The training loss."""
        return nn.MeanSquaredError()

    def model(
        self, cell: str, rng: np.random.Generator, gate_bias: Mapping[str, float],
        backend: str,
    ) -> StudyModel:  # fmt: skip
        """A fresh model of ``cell`` for this task."""
        recurrent = nn.Recurrent(
            cell, self.inputs, self.hidden, rng=rng, gate_bias=dict(gate_bias),
            return_sequences=self.continual, backend=backend,
        )  # fmt: skip
        return StudyModel(recurrent, nn.Dense(self.hidden, self.outputs, rng=rng))

    def batches(self, rng: np.random.Generator) -> Iterator[Batch]:
        """One training batch per update, forever."""
        raise NotImplementedError

    def scores(self, model: StudyModel, which: str) -> Scores:
        """The model's scores on the ``validation`` or the ``test`` set."""
        raise NotImplementedError

    def success(self, metric: float) -> bool:
        """Whether a metric meets the task's criterion."""
        raise NotImplementedError

    criterion: str


class AddingTask(Task):
    """The adding problem of 1997 at lag T (lengths in [T, 1.1 T])."""

    inputs, outputs, batch = adding.INPUTS, 1, 32
    sizes: ClassVar[dict[str, int]] = {"validation": 512, "test": 2560}
    wrong_allowed = 3 / 2560
    criterion = "at most 3 of 2560 test sequences off by 0.04 or more (the paper's)"

    def __init__(self, lag: int) -> None:
        self.lag = lag
        self.length: int = lag
        self.name = f"adding-{lag}"
        self.title = f"the adding problem, T = {lag}"
        self._sets: dict[str, tuple[Array, Array, Array]] = {}

    def batches(self, rng: np.random.Generator) -> Iterator[Batch]:
        """Fresh sequences of lengths T to 1.1 T, every update."""
        while True:
            x, y, lengths = adding.adding_1997_batch(self.batch, self.length, rng)
            yield Batch(x, y, lengths)

    def _set(self, which: str) -> tuple[Array, Array, Array]:
        if which not in self._sets:
            seed = VALIDATION_SEED if which == "validation" else TEST_SEED
            rng = np.random.default_rng([seed, self.length])
            self._sets[which] = adding.adding_1997_batch(
                self.sizes[which], self.length, rng
            )
        return self._sets[which]

    def scores(self, model: StudyModel, which: str) -> Scores:
        """MSE, and the fraction of sequences answered within 0.04."""
        x, y, lengths = self._set(which)
        prediction = model.forward(x, lengths=lengths)
        within = adding.within_tolerance(prediction, y)
        return Scores(float(np.mean((prediction - y) ** 2)), float(within.mean()))

    def success(self, metric: float) -> bool:
        """At most 3 of 2560 sequences wrong."""
        return metric >= 1 - self.wrong_allowed - 1e-12


class ContinualTask(Task):
    """A task on streams: segments of ``segment`` steps, the state carried along."""

    continual = True
    streams = 16
    segment = 40
    evaluation: ClassVar[dict[str, tuple[int, int]]] = {
        "validation": (4, 400),  # (streams, steps)
        "test": (8, 2000),
    }

    def make_stream(self, count: int, rng: np.random.Generator) -> Any:
        """``count`` streams drawn from ``rng``."""
        raise NotImplementedError

    def batches(self, rng: np.random.Generator) -> Iterator[Batch]:
        """The next segment of every training stream, every update."""
        stream = self.make_stream(self.streams, rng)
        while True:
            x, target = stream.next(self.segment)[:2]
            yield Batch(x, target)

    def _evaluation_set(self, which: str) -> tuple[Any, ...]:
        count, steps = self.evaluation[which]
        seed = VALIDATION_SEED if which == "validation" else TEST_SEED
        rng = np.random.default_rng([seed, len(self.name)])
        return tuple(self.make_stream(count, rng).next(steps))

    def run_stream(self, model: StudyModel, x: Array) -> Array:
        """The model's outputs over whole evaluation streams, from a zero state."""
        carried, model.carried = model.carried, None
        try:
            return model.forward(x)
        finally:
            model.carried = carried


class ReberTask(ContinualTask):
    """The continual embedded Reber grammar: next-symbol prediction, never reset."""

    name = "reber"
    title = "the continual embedded Reber grammar"
    inputs = outputs = len(reber.SYMBOLS)
    loss_name = "cross-entropy"
    criterion = "every test string (8 streams of 2000 symbols) predicted right"

    def __init__(self) -> None:
        self._sets: dict[str, tuple[Any, ...]] = {}

    def loss(self) -> nn.Loss:
        """Cross-entropy of each symbol's sigmoid."""
        return nn.BCEWithLogits()

    def make_stream(self, count: int, rng: np.random.Generator) -> ReberStream:
        """Continual embedded Reber streams."""
        return ReberStream(count, rng)

    def scores(self, model: StudyModel, which: str) -> Scores:
        """Cross-entropy per symbol and output, and the fraction of strings right."""
        if which not in self._sets:
            self._sets[which] = self._evaluation_set(which)
        x, target, ends = self._sets[which]
        logits = self.run_stream(model, x)
        loss, _ = nn.BCEWithLogits()(logits, target)
        probability = 0.5 * (1 + np.tanh(0.5 * logits))
        good, total = strings_right(probability, target, ends)
        return Scores(loss, good / total)

    def success(self, metric: float) -> bool:
        """Every string right."""
        return metric == 1.0


class StreamTask(ContinualTask):
    """A leaky average of random bits, y_t = 0.9 y_(t-1) + 0.1 u_t, forever."""

    name = "stream"
    title = "a leaky average over an endless stream of bits"
    inputs = outputs = 1
    segment = 50
    tolerance = 0.02
    criterion = "99 % of the test steps (8 streams of 2000) within 0.02"

    def __init__(self) -> None:
        self._sets: dict[str, tuple[Any, ...]] = {}

    def make_stream(self, count: int, rng: np.random.Generator) -> AverageStream:
        """Streams of bits and their averages."""
        return AverageStream(count, rng)

    def scores(self, model: StudyModel, which: str) -> Scores:
        """MSE, and the fraction of steps within 0.02."""
        if which not in self._sets:
            self._sets[which] = self._evaluation_set(which)
        x, target = self._sets[which]
        prediction = self.run_stream(model, x)
        error = np.abs(prediction - target)
        return Scores(float(np.mean(error**2)), float(np.mean(error < self.tolerance)))

    def success(self, metric: float) -> bool:
        """99 % of the steps within 0.02."""
        return metric >= 0.99


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        AddingTask(10),
        AddingTask(30),
        AddingTask(100),
        ReberTask(),
        StreamTask(),
    )
}
"""Every task of the study, by name."""
