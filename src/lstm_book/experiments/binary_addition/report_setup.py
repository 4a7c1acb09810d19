"""The setup of a student's lab report: two time steps, one 8-bit operand per step.

The input is [N, 2, 8] (a, then b, each as 8 bits, most significant first), the
model ``Recurrent("lstm_relu", 8, 256, return_sequences=False) -> Dense(256, 8) ->
Sigmoid`` (Keras ``LSTM(256, activation='relu')`` and ``Dense(8, 'sigmoid')``),
the loss MSE (or the report's place-value weighted MSE), Adam with Keras' defaults,
batches of 128 in a fixed order (the report's ``shuffle=False``).

Two things differ from the report, on purpose: the evaluation holds out pairs
that are never trained on (:func:`~lstm_book.experiments.binary_addition.data.split_pairs`)
and also scores all 16384 pairs; and the weights start as this project's layers
start them (uniform in ±1/sqrt(fan), PyTorch's rule) instead of Keras' Glorot,
orthogonal and forget-bias-one initialisers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from lstm_book.experiments.binary_addition.data import (
    REPORT_BITS,
    PairSplit,
    all_pairs,
    distinct_pairs,
    from_bits,
    sample_pairs,
    split_pairs,
    to_bits,
)
from lstm_book.experiments.binary_addition.progress import progress
from lstm_book.experiments.threads import one_blas_thread
from lstm_derive import nn
from lstm_derive.nn.layer import Array

LossName = Literal["mse", "place-value"]


@dataclass(frozen=True)
class ReportConfig:
    """One training run of the report's setup; the defaults are the report's."""

    train_size: int = 10000
    epochs: int = 100
    hidden: int = 256
    batch_size: int = 128
    loss: LossName = "mse"
    learning_rate: float = 1e-3
    bits: int = REPORT_BITS
    """Operands are 0 .. 2**(bits-1) - 1, written with ``bits`` bits (8 in the report)."""
    held_out_fraction: float = 0.2
    shuffle: bool = False
    curve_pairs: int = 4096
    """The per-epoch held-out curve scores at most this many held-out pairs (all
    3277 at 8 bits; a wider split has far more)."""
    seed: int = 0
    dtype: Any = np.float32
    backend: str = "numpy"
    """What runs the LSTM: ``numpy`` or ``numba`` (``nn.Recurrent``'s backends)."""


def report_inputs(
    pairs: Array, bits: int = REPORT_BITS, dtype: Any = np.float32
) -> Array:
    """[N, 2, bits]: step 0 holds a's bits, step 1 b's, most significant first."""
    return to_bits(pairs, bits, lsb_first=False).astype(dtype)


def report_targets(
    pairs: Array, bits: int = REPORT_BITS, dtype: Any = np.float32
) -> Array:
    """[N, bits]: the bits of a + b, most significant first."""
    return to_bits(pairs.sum(axis=1), bits, lsb_first=False).astype(dtype)


def build_report_model(
    rng: np.random.Generator,
    *,
    hidden: int = 256,
    bits: int = REPORT_BITS,
    dtype: Any = np.float32,
    backend: str = "numpy",
) -> nn.Sequential:
    """LSTM (ReLU candidate and output) -> Dense(hidden, bits) -> Sigmoid."""
    return nn.Sequential(
        nn.Recurrent(
            "lstm_relu",
            bits,
            hidden,
            rng=rng,
            return_sequences=False,
            dtype=dtype,
            backend=backend,
        ),
        nn.Dense(hidden, bits, rng=rng, dtype=dtype),
        nn.Sigmoid(),
    )


def make_loss(
    name: LossName, bits: int = REPORT_BITS, dtype: Any = np.float32
) -> nn.Loss:
    """Plain MSE, or the report's weights [2**(bits-1), ..., 2, 1] on the squared errors."""
    if name not in ("mse", "place-value"):
        msg = f"unknown loss {name!r}: expected 'mse' or 'place-value'"
        raise ValueError(msg)
    if name == "place-value":
        return nn.WeightedMeanSquaredError(nn.place_value_weights(bits, dtype))
    return nn.MeanSquaredError()


@dataclass(frozen=True)
class Score:
    """How well a model adds a set of pairs."""

    pairs: int
    """How many pairs were scored."""
    exact: float
    """The fraction of pairs whose every output bit is right (the sum is exact)."""
    per_bit: float
    """The fraction of output bits that are right."""


def predict_sums(model: nn.Sequential, pairs: Array, bits: int = REPORT_BITS) -> Array:
    """The model's sums for ``pairs`` (outputs thresholded at 0.5), as ints."""
    dtype = next(iter(model.layers[0].params.values())).dtype
    output = model.forward(report_inputs(pairs, bits, dtype))
    return np.asarray(
        from_bits((output > 0.5).astype(np.uint8), lsb_first=False), dtype=np.int64
    )


def score(
    model: nn.Sequential, pairs: Array, bits: int = REPORT_BITS, batch: int = 4096
) -> Score:
    """Exact-sum and per-bit accuracy of ``model`` on ``pairs`` [n, 2]."""
    dtype = next(iter(model.layers[0].params.values())).dtype
    exact = right_bits = 0
    for start in range(0, len(pairs), batch):
        chunk = pairs[start : start + batch]
        output = model.forward(report_inputs(chunk, bits, dtype)) > 0.5
        right = output == report_targets(chunk, bits).astype(bool)
        exact += int(right.all(axis=1).sum())
        right_bits += int(right.sum())
    return Score(len(pairs), exact / len(pairs), right_bits / (len(pairs) * bits))


def bit_accuracy(model: nn.Sequential, pairs: Array, bits: int = REPORT_BITS) -> Array:
    """The fraction right of each output bit [bits], most significant first."""
    dtype = next(iter(model.layers[0].params.values())).dtype
    output = model.forward(report_inputs(pairs, bits, dtype)) > 0.5
    right: Array = (output == report_targets(pairs, bits).astype(bool)).mean(axis=0)
    return right


@dataclass
class History:
    """Per-epoch curves (the report's two figures), one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    """The mean loss over the epoch's batches (what Keras prints as ``loss``)."""
    held_out_loss: list[float] = field(default_factory=list)
    """The loss on the held-out pairs (up to ``ReportConfig.curve_pairs`` of them)."""
    train_accuracy: list[float] = field(default_factory=list)
    """Exact sums over the epoch's batches, each scored when its step ran."""
    held_out_accuracy: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class ReportRun:
    """A trained model of the report's setup, its curves and its scores."""

    config: ReportConfig
    model: nn.Sequential
    split: PairSplit
    train_pairs: Array
    """The training samples, in training order (repeats included)."""
    history: History
    seconds: float
    """Wall-clock training time (evaluation of the curves included)."""

    @property
    def seen_pairs(self) -> Array:
        """The different pairs that occur in the training samples."""
        return distinct_pairs(self.train_pairs, self.split.max_operand)

    def held_out_score(self) -> Score:
        """Accuracy on the pairs never trained on."""
        return score(self.model, self.split.held_out, self.config.bits)

    def seen_score(self) -> Score:
        """Accuracy on the pairs that were trained on."""
        return score(self.model, self.seen_pairs, self.config.bits)

    def exhaustive_score(self) -> Score:
        """Accuracy on every pair of operands."""
        return score(self.model, all_pairs(self.split.max_operand), self.config.bits)


def train_report(
    config: ReportConfig = ReportConfig(), *, show_progress: bool = False
) -> ReportRun:
    """Train the report's model under ``config`` and record its curves."""
    with one_blas_thread():
        return _train_report(config, show_progress=show_progress)


def _train_report(config: ReportConfig, *, show_progress: bool) -> ReportRun:
    rng = np.random.default_rng(config.seed)
    max_operand = 2 ** (config.bits - 1) - 1
    split = split_pairs(rng, config.held_out_fraction, max_operand)
    train_pairs = sample_pairs(split.pool, config.train_size, rng)
    x = report_inputs(train_pairs, config.bits, config.dtype)
    y = report_targets(train_pairs, config.bits, config.dtype)
    curve_pairs = split.held_out[: config.curve_pairs]  # already in random order
    held_x = report_inputs(curve_pairs, config.bits, config.dtype)
    held_y = report_targets(curve_pairs, config.bits, config.dtype)
    model = build_report_model(
        rng,
        hidden=config.hidden,
        bits=config.bits,
        dtype=config.dtype,
        backend=config.backend,
    )
    loss = make_loss(config.loss, config.bits, config.dtype)
    optimizer = nn.Adam(model.params, config.learning_rate)
    history = History()
    start = time.perf_counter()
    epochs = progress(
        range(config.epochs),
        enabled=show_progress,
        description=f"report setup, {config.train_size} samples",
    )
    for _ in epochs:
        losses, exact = [], 0
        order = rng if config.shuffle else None
        for batch in nn.minibatches(len(x), config.batch_size, order):
            prediction = model.forward(x[batch])
            value, d_prediction = loss(prediction, y[batch])
            model.backward(d_prediction)
            optimizer.step(model.grads)
            losses.append(value * len(batch))
            exact += int(
                ((prediction > 0.5) == y[batch].astype(bool)).all(axis=1).sum()
            )
        history.train_loss.append(sum(losses) / len(x))
        history.train_accuracy.append(exact / len(x))
        held_prediction = model.forward(held_x)
        history.held_out_loss.append(loss(held_prediction, held_y)[0])
        history.held_out_accuracy.append(
            float(((held_prediction > 0.5) == held_y.astype(bool)).all(axis=1).mean())
        )
    seconds = time.perf_counter() - start
    return ReportRun(config, model, split, train_pairs, history, seconds)
