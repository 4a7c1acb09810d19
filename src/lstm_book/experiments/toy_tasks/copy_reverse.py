"""Sequence copy and reverse (planned in the ``lstm_batch`` README, never built there), trained here.

The model is an LSTM layer returning every hidden state and a ``Dense`` read-out
of one logit per symbol at every step; the loss is the softmax cross-entropy of
the answer steps only (:class:`AnswerCrossEntropy`). Training draws a fresh batch
at every Adam step, of a length drawn uniformly from ``1 .. max_length``; the
evaluation scores each length separately, including lengths never trained on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lstm_book.experiments.toy_tasks.symbol_sequences import (
    Task,
    channels,
    symbol_batch,
)
from lstm_derive import nn
from lstm_derive.nn.layer import Array


class AnswerCrossEntropy(nn.Loss):
    """Softmax cross-entropy on the last ``labels.shape[1]`` steps of the logits.

    ``prediction`` is logits [batch, time, symbols]; ``target`` is integer labels
    [batch, answer steps]. The earlier steps (reading the question) get no gradient.
    """

    def __init__(self) -> None:
        self._cross_entropy = nn.SoftmaxCrossEntropy()

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The mean cross-entropy over the answer steps and its gradient."""
        answer = prediction.shape[1] - target.shape[1]
        value, d_answer = self._cross_entropy(prediction[:, answer:], target)
        gradient = np.zeros_like(prediction)
        gradient[:, answer:] = d_answer
        return value, gradient


@dataclass(frozen=True)
class SymbolModel:
    """A trained copy or reverse model and how it was trained."""

    task: Task
    model: nn.Sequential
    symbols: int
    max_length: int
    """The longest sequence seen in training."""
    losses: Array
    """The training loss at every Adam step."""
    seconds: float
    """Wall-clock training time."""


def train_symbol_task(
    task: Task,
    *,
    symbols: int = 8,
    max_length: int = 8,
    hidden: int = 64,
    batch: int = 32,
    updates: int = 4000,
    learning_rate: float = 1e-2,
    seed: int = 0,
) -> SymbolModel:
    """Train on fresh batches (one random length in 1..max_length per step)."""
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Recurrent("lstm", channels(symbols), hidden, rng=rng),
        nn.Dense(hidden, symbols, rng=rng),
    )
    loss = AnswerCrossEntropy()
    optimizer = nn.Adam(model.params, learning_rate)
    losses = np.empty(updates)
    start = time.perf_counter()
    for update in range(updates):
        length = int(rng.integers(1, max_length + 1))
        x, labels = symbol_batch(task, batch, length, symbols, rng)
        losses[update] = nn.train_step(
            model, loss, optimizer, x, labels, max_grad_norm=1.0
        )
    return SymbolModel(
        task, model, symbols, max_length, losses, time.perf_counter() - start
    )


@dataclass(frozen=True)
class LengthAccuracy:
    """Accuracy at each sequence length, on fresh examples."""

    lengths: Array
    symbol_accuracy: Array
    """The fraction of answer symbols right, per length."""
    sequence_accuracy: Array
    """The fraction of sequences with every symbol right, per length."""


def accuracy_by_length(
    trained: SymbolModel, lengths: Array, *, count: int = 500, seed: int = 1
) -> LengthAccuracy:
    """Score ``count`` fresh examples of each length in ``lengths``."""
    rng = np.random.default_rng(seed)
    symbol_scores, sequence_scores = [], []
    for length in lengths:
        x, labels = symbol_batch(trained.task, count, int(length), trained.symbols, rng)
        logits = trained.model.forward(x)[:, -int(length) :]
        right = logits.argmax(axis=-1) == labels
        symbol_scores.append(right.mean())
        sequence_scores.append(right.all(axis=1).mean())
    return LengthAccuracy(
        np.asarray(lengths), np.asarray(symbol_scores), np.asarray(sequence_scores)
    )
