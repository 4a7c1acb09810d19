"""Sorting a sequence of digits: read them all, then write them in ascending order.

The data are those of the copy task (:mod:`~lstm_book.experiments.toy_tasks.
symbol_sequences`): L random symbols out of ``symbols``, a delimiter, then L blank
steps during which the model writes the answer; here the answer is the symbols
sorted. Unlike copying, no answer step can be written from one remembered input:
each needs a count of the symbols read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lstm_book.experiments.tasks.model import (
    DEFAULT_SETTINGS,
    Settings,
    fit,
    recurrent_model,
)
from lstm_book.experiments.toy_tasks.copy_reverse import AnswerCrossEntropy
from lstm_book.experiments.toy_tasks.symbol_sequences import channels, symbol_batch
from lstm_derive import nn
from lstm_derive.nn.layer import Array


def sort_batch(
    count: int, length: int, symbols: int, rng: np.random.Generator
) -> tuple[Array, Array]:
    """One-hot inputs [count, 2 length + 1, symbols + 2] and sorted labels [count, length]."""
    inputs, labels = symbol_batch("copy", count, length, symbols, rng)
    return inputs, np.sort(labels, axis=1)


@dataclass(frozen=True)
class SortModel:
    """A trained sorting model."""

    model: nn.Sequential
    symbols: int
    max_length: int
    losses: Array
    seconds: float


def train_sort(
    *,
    cell: str = "lstm",
    symbols: int = 10,
    max_length: int = 6,
    hidden: int = 48,
    batch: int = 32,
    updates: int = 1500,
    settings: Settings = DEFAULT_SETTINGS,
    seed: int = 0,
) -> SortModel:
    """Train on fresh batches, each of one length drawn from 1..max_length."""
    rng = np.random.default_rng(seed)
    model = recurrent_model(
        cell, channels(symbols), hidden, symbols, rng=rng, settings=settings,
        sequences=True,
    )  # fmt: skip

    def batches(rng: np.random.Generator) -> tuple[Array, Array]:
        length = int(rng.integers(1, max_length + 1))
        return sort_batch(batch, length, symbols, rng)

    start = time.perf_counter()
    losses = fit(
        model, AnswerCrossEntropy(), batches, updates=updates, settings=settings,
        rng=rng,
    )  # fmt: skip
    return SortModel(model, symbols, max_length, losses, time.perf_counter() - start)


def sort_accuracy(
    model: nn.Sequential, length: int, symbols: int, *, count: int, seed: int
) -> tuple[float, float]:
    """(symbol accuracy, sequence accuracy) on ``count`` fresh examples of ``length``."""
    x, labels = sort_batch(count, length, symbols, np.random.default_rng(seed))
    right = model.forward(x)[:, -length:].argmax(axis=-1) == labels
    return float(right.mean()), float(right.all(axis=1).mean())


def sort_accuracy_by_length(
    trained: SortModel, lengths: Array, *, count: int = 500, seed: int = 1
) -> tuple[Array, Array]:
    """Symbol and sequence accuracy per length ([len(lengths)] each)."""
    scores = [
        sort_accuracy(trained.model, int(n), trained.symbols, count=count, seed=seed)
        for n in lengths
    ]
    return np.array([s for s, _ in scores]), np.array([q for _, q in scores])
