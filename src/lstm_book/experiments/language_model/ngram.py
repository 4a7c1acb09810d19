"""Counting baselines: the next character from the previous n - 1 characters.

An n-gram model counts, in the training text, how often each character follows
each context of n - 1 characters, and predicts with those counts. Add-k smoothing
gives every character k extra counts in every context, so a pair never seen in
training still has a small probability:
``P(c | context) = (count(context, c) + k) / (count(context) + k V)``.

Every model of the chapter predicts the same characters of a text, the second to
the last, each from the characters before it; an n-gram model only looks at the
last n - 1 of them (the text is padded on the left with line ends).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstm_derive.nn.layer import Array

SMOOTHING_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""The values of k tried on the validation text."""


@dataclass(frozen=True)
class NGram:
    """Counts of (context, next character) in a training text, and a smoothing k."""

    order: int
    vocabulary_size: int
    smoothing: float
    pairs: Counter[tuple[int, ...]]
    """How often each context (n - 1 indices) was followed by each index: the
    key is the context followed by the index."""
    contexts: Counter[tuple[int, ...]]
    """How often each context was followed by anything."""

    @classmethod
    def fit(
        cls, indices: Array, order: int, vocabulary_size: int, smoothing: float
    ) -> NGram:
        """Count every n-gram of the training text (as character indices)."""
        pairs: Counter[tuple[int, ...]] = Counter()
        for context, following in windows(indices, order):
            pairs[(*context, following)] += 1
        contexts: Counter[tuple[int, ...]] = Counter()
        for key, count in pairs.items():
            contexts[key[:-1]] += count
        return cls(order, vocabulary_size, smoothing, pairs, contexts)

    def log_probability(self, context: tuple[int, ...], following: int) -> float:
        """``log P(following | context)``, smoothed."""
        k, size = self.smoothing, self.vocabulary_size
        numerator = self.pairs.get((*context, following), 0) + k
        return math.log(numerator / (self.contexts.get(context, 0) + k * size))

    def cross_entropy(self, indices: Array) -> float:
        """The mean of -log P over the text's characters after its first (nats)."""
        total = sum(
            self.log_probability(context, following)
            for context, following in windows(indices, self.order)
        )
        return -total / (len(indices) - 1)

    def perplexity(self, indices: Array) -> float:
        """exp(cross-entropy): the number of equally likely characters it amounts to."""
        return math.exp(self.cross_entropy(indices))


def windows(indices: Array, order: int) -> list[tuple[tuple[int, ...], int]]:
    """(the n - 1 indices before position t, the index at t) for t = 1..len - 1.

    Before the text's start the context is padded with the index of a line end,
    0 in every vocabulary of this chapter (the smallest character).
    """
    padded = [0] * (order - 1) + [int(k) for k in indices]
    span = order - 1
    return [
        (tuple(padded[t : t + span]), padded[t + span]) for t in range(1, len(indices))
    ]


@dataclass(frozen=True)
class Baseline:
    """An n-gram model with k chosen on the validation text, and its perplexities."""

    order: int
    smoothing: float
    validation_perplexity: float
    test_perplexity: float


def best_ngram(
    train: Array,
    validation: Array,
    test: Array,
    order: int,
    vocabulary_size: int,
    grid: Sequence[float] = SMOOTHING_GRID,
) -> Baseline:
    """Fit the n-gram model for each k of ``grid``; keep the best on validation."""
    scored = []
    for k in grid:
        model = NGram.fit(train, order, vocabulary_size, k)
        scored.append((model.perplexity(validation), k, model))
    validation_perplexity, k, model = min(scored, key=lambda item: item[0])
    return Baseline(order, k, validation_perplexity, model.perplexity(test))


def unigram_counts(indices: Array, vocabulary_size: int) -> Array:
    """How often each character occurs: [V]."""
    counts: Array = np.bincount(indices, minlength=vocabulary_size)
    return counts
