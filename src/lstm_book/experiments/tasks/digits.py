"""Handwritten digits read row by row: scikit-learn's bundled 8x8 digits.

The 1797 images (UCI's optical digits, shipped inside scikit-learn: nothing is
downloaded) become sequences of 8 steps, one row of 8 pixels per step, scaled to
[0, 1]. The recurrent model reads the rows and a dense layer names the digit from
the last hidden state. The baseline is not recurrent: logistic regression on the
same 64 pixels at once. Both use the same fixed train/test split.

scikit-learn is needed only here (``pip install scikit-learn``), not by the rest
of the package.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from lstm_book.experiments.tasks.model import (
    DEFAULT_SETTINGS,
    Settings,
    fit,
    recurrent_model,
)
from lstm_derive import nn
from lstm_derive.nn.layer import Array

ROWS = COLUMNS = 8
CLASSES = 10
TEST_FRACTION = 0.25
SPLIT_SEED = 0
"""The split is the same for every run: a permutation drawn with this seed."""


class MissingDependencyError(ImportError):
    """scikit-learn is not installed."""


@dataclass(frozen=True)
class DigitSplit:
    """Images as row sequences [N, 8, 8] in [0, 1] and integer labels [N]."""

    train_x: Array
    train_y: Array
    test_x: Array
    test_y: Array


def _sklearn_datasets() -> object:
    try:
        from sklearn import datasets  # noqa: PLC0415 (optional dependency)
    except ImportError as error:
        msg = (
            "the digits task needs scikit-learn (it ships the 8x8 digits): "
            "pip install scikit-learn"
        )
        raise MissingDependencyError(msg) from error
    return datasets


@cache
def load_digit_split() -> DigitSplit:
    """The 8x8 digits as row sequences, split once (75 % train, 25 % test)."""
    datasets = _sklearn_datasets()
    bunch = datasets.load_digits()  # type: ignore[attr-defined]
    images = np.asarray(bunch.images, dtype=np.float64) / 16.0
    labels = np.asarray(bunch.target, dtype=np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    test = round(TEST_FRACTION * len(labels))
    test_rows, train_rows = order[:test], order[test:]
    return DigitSplit(
        images[train_rows], labels[train_rows], images[test_rows], labels[test_rows]
    )


@cache
def logistic_baseline_accuracy() -> float:
    """Test accuracy of logistic regression (scikit-learn) on the 64 pixels at once."""
    _sklearn_datasets()
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    split = load_digit_split()
    classifier = LogisticRegression(max_iter=2000)
    classifier.fit(split.train_x.reshape(len(split.train_x), -1), split.train_y)
    predicted = classifier.predict(split.test_x.reshape(len(split.test_x), -1))
    return float(np.mean(predicted == split.test_y))


@dataclass(frozen=True)
class DigitModel:
    """A trained row-by-row digit classifier and its test accuracy."""

    model: nn.Sequential
    losses: Array
    test_accuracy: float
    seconds: float


def digit_batches(
    split: DigitSplit, batch: int
) -> Callable[[np.random.Generator], tuple[Array, Array]]:
    """Draw ``batch`` random training images (row sequences) and their labels."""

    def draw(rng: np.random.Generator) -> tuple[Array, Array]:
        rows = rng.integers(0, len(split.train_y), batch)
        return split.train_x[rows], split.train_y[rows]

    return draw


def test_accuracy(model: nn.Sequential, split: DigitSplit) -> float:
    """The fraction of test images whose class (largest logit) is right."""
    return float(np.mean(model.forward(split.test_x).argmax(axis=-1) == split.test_y))


def train_digits(
    *,
    cell: str = "lstm",
    hidden: int = 32,
    batch: int = 64,
    updates: int = 400,
    settings: Settings = DEFAULT_SETTINGS,
    seed: int = 0,
) -> DigitModel:
    """Train on random batches of the training images; score the test images."""
    split = load_digit_split()
    rng = np.random.default_rng(seed)
    model = recurrent_model(
        cell, COLUMNS, hidden, CLASSES, rng=rng, settings=settings, sequences=False
    )
    start = time.perf_counter()
    losses = fit(
        model, nn.SoftmaxCrossEntropy(), digit_batches(split, batch),
        updates=updates, settings=settings, rng=rng,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    return DigitModel(model, losses, test_accuracy(model, split), seconds)
