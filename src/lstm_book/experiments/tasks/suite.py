"""Every task of the study as one entry: train a cell, score it, say if it succeeded.

Each entry trains for a fixed number of Adam updates (the same for every cell and
setting) on fresh generated batches, then scores a test set that does not depend
on the run's seed. ``metric`` is higher-is-better and lies in [0, 1]; ``success``
applies the task's criterion to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lstm_book.experiments.binary_addition.bit_serial import (
    INPUTS as SERIAL_INPUTS,
)
from lstm_book.experiments.binary_addition.bit_serial import (
    serial_inputs,
    serial_targets,
)
from lstm_book.experiments.binary_addition.data import (
    REPORT_BITS,
    sample_pairs,
    split_pairs,
)
from lstm_book.experiments.tasks import adding, digits, reber, sorting
from lstm_book.experiments.tasks.model import Settings, fit, recurrent_model
from lstm_book.experiments.toy_tasks.copy_reverse import AnswerCrossEntropy
from lstm_book.experiments.toy_tasks.symbol_sequences import channels, symbol_batch
from lstm_derive import nn
from lstm_derive.nn.layer import Array

TEST_SEED = 20_260_000
"""Every test set is drawn with this seed, so all runs are scored on the same data."""


@dataclass(frozen=True)
class Outcome:
    """The score of one trained run."""

    metric: float
    success: bool
    details: dict[str, float] = field(default_factory=dict)


Runner = Callable[[str, int, Settings], Outcome]


@dataclass(frozen=True)
class StudyTask:
    """One task of the study and its budget."""

    name: str
    title: str
    metric: str
    """What ``Outcome.metric`` measures."""
    criterion: str
    """When a run counts as a success."""
    hidden: int
    updates: int
    batch: int
    run: Runner
    lag: int | None = None
    """The minimal time lag the task needs bridged (the adding problem)."""


# --- the embedded Reber grammar --------------------------------------------------
REBER_TEST_STRINGS = 256
REBER = {"hidden": 12, "updates": 1000, "batch": 32}


def _run_reber(cell: str, seed: int, settings: Settings) -> Outcome:
    rng = np.random.default_rng(seed)
    symbols = len(reber.SYMBOLS)
    model = recurrent_model(
        cell, symbols, REBER["hidden"], symbols, rng=rng, settings=settings,
        sequences=True,
    )  # fmt: skip

    def batches(rng: np.random.Generator) -> tuple[Array, Array]:
        strings = [reber.embedded_reber_string(rng) for _ in range(REBER["batch"])]
        x, targets, mask = reber.encode(strings)
        return x, reber.masked_targets(targets, mask)

    fit(
        model, reber.MaskedBCEWithLogits(), batches, updates=REBER["updates"],
        settings=settings, rng=rng,
    )  # fmt: skip
    test_rng = np.random.default_rng(TEST_SEED)
    strings = [reber.embedded_reber_string(test_rng) for _ in range(REBER_TEST_STRINGS)]
    x, targets, mask = reber.encode(strings)
    probability = 0.5 * (1 + np.tanh(0.5 * model.forward(x)))
    predicted = reber.strings_predicted(probability, targets, mask)
    fraction = float(predicted.mean())
    return Outcome(fraction, fraction == 1.0)


# --- the adding problem ----------------------------------------------------------
ADDING_TEST_SEQUENCES = 1000
ADDING_SUCCESS = 0.95
"""A run succeeds when this fraction of the test sequences is within 0.04."""
ADDING = {"hidden": 16, "updates": 400, "batch": 32}


def _adding_runner(lag: int) -> Runner:
    def run(cell: str, seed: int, settings: Settings) -> Outcome:
        rng = np.random.default_rng(seed)
        model = recurrent_model(
            cell, adding.INPUTS, ADDING["hidden"], 1, rng=rng, settings=settings,
            sequences=False,
        )  # fmt: skip
        fit(
            model, nn.MeanSquaredError(),
            lambda rng: adding.adding_batch(ADDING["batch"], lag, rng),
            updates=ADDING["updates"], settings=settings, rng=rng,
        )  # fmt: skip
        x, y = adding.adding_batch(
            ADDING_TEST_SEQUENCES, lag, np.random.default_rng(TEST_SEED)
        )
        prediction = model.forward(x)
        fraction = float(adding.within_tolerance(prediction, y).mean())
        mse = float(np.mean((prediction - y) ** 2))
        return Outcome(fraction, fraction >= ADDING_SUCCESS, {"test_mse": mse})

    return run


def adding_chance(lag: int) -> float:
    """The metric of a constant answer 0.5 (the mean target) on the test set."""
    _, y = adding.adding_batch(
        ADDING_TEST_SEQUENCES, lag, np.random.default_rng(TEST_SEED)
    )
    return float(adding.within_tolerance(np.full_like(y, 0.5), y).mean())


# --- bit-serial binary addition --------------------------------------------------
SERIAL = {"hidden": 8, "updates": 600, "batch": 64}
SERIAL_SUCCESS = 1.0


def _run_serial(cell: str, seed: int, settings: Settings) -> Outcome:
    rng = np.random.default_rng(seed)
    split = split_pairs(np.random.default_rng(TEST_SEED), 0.2)
    model = recurrent_model(
        cell, SERIAL_INPUTS, SERIAL["hidden"], 1, rng=rng, settings=settings,
        sequences=True,
    )  # fmt: skip

    def batches(rng: np.random.Generator) -> tuple[Array, Array]:
        pairs = sample_pairs(split.pool, SERIAL["batch"], rng)
        a, b = pairs[:, 0], pairs[:, 1]
        x = serial_inputs(a, b, REPORT_BITS, np.float64)
        return x, serial_targets(a, b, REPORT_BITS, np.float64)

    fit(
        model, nn.BCEWithLogits(), batches, updates=SERIAL["updates"],
        settings=settings, rng=rng,
    )  # fmt: skip
    a, b = split.held_out[:, 0], split.held_out[:, 1]
    logits = model.forward(serial_inputs(a, b, REPORT_BITS, np.float64))
    truth = serial_targets(a, b, REPORT_BITS, np.float64)
    exact = float(np.mean(((logits > 0) == (truth > 0.5)).all(axis=(1, 2))))
    return Outcome(exact, exact >= SERIAL_SUCCESS)


# --- copying a sequence of length 8 ----------------------------------------------
COPY_LENGTH, COPY_SYMBOLS = 8, 4
COPY = {"hidden": 32, "updates": 800, "batch": 32}
COPY_TEST = 500
COPY_SUCCESS = 0.99


def _run_copy(cell: str, seed: int, settings: Settings) -> Outcome:
    rng = np.random.default_rng(seed)
    model = recurrent_model(
        cell, channels(COPY_SYMBOLS), COPY["hidden"], COPY_SYMBOLS, rng=rng,
        settings=settings, sequences=True,
    )  # fmt: skip
    fit(
        model, AnswerCrossEntropy(),
        lambda rng: symbol_batch("copy", COPY["batch"], COPY_LENGTH, COPY_SYMBOLS, rng),
        updates=COPY["updates"], settings=settings, rng=rng,
    )  # fmt: skip
    x, labels = symbol_batch(
        "copy", COPY_TEST, COPY_LENGTH, COPY_SYMBOLS, np.random.default_rng(TEST_SEED)
    )
    right = model.forward(x)[:, -COPY_LENGTH:].argmax(axis=-1) == labels
    symbols, sequences = float(right.mean()), float(right.all(axis=1).mean())
    return Outcome(symbols, symbols >= COPY_SUCCESS, {"sequence_accuracy": sequences})


# --- digits read row by row ------------------------------------------------------
DIGITS = {"hidden": 32, "updates": 300, "batch": 64}
DIGITS_SUCCESS = 0.9


def _run_digits(cell: str, seed: int, settings: Settings) -> Outcome:
    trained = digits.train_digits(
        cell=cell, hidden=DIGITS["hidden"], batch=DIGITS["batch"],
        updates=DIGITS["updates"], settings=settings, seed=seed,
    )  # fmt: skip
    accuracy = trained.test_accuracy
    return Outcome(accuracy, accuracy >= DIGITS_SUCCESS)


# --- sorting digits --------------------------------------------------------------
SORT_LENGTH, SORT_SYMBOLS = 5, 10
SORT = {"hidden": 32, "updates": 600, "batch": 32}
SORT_TEST = 500
SORT_SUCCESS = 0.95


def _run_sort(cell: str, seed: int, settings: Settings) -> Outcome:
    trained = sorting.train_sort(
        cell=cell, symbols=SORT_SYMBOLS, max_length=SORT_LENGTH, hidden=SORT["hidden"],
        batch=SORT["batch"], updates=SORT["updates"], settings=settings, seed=seed,
    )  # fmt: skip
    symbols, sequences = sorting.sort_accuracy(
        trained.model, SORT_LENGTH, SORT_SYMBOLS, count=SORT_TEST, seed=TEST_SEED
    )
    return Outcome(symbols, symbols >= SORT_SUCCESS, {"sequence_accuracy": sequences})


def _task(name: str, title: str, metric: str, criterion: str, budget: dict[str, int],
          run: Runner, lag: int | None = None) -> StudyTask:  # fmt: skip
    return StudyTask(name, title, metric, criterion, run=run, lag=lag, **budget)


ADDING_LAGS = (5, 10, 20, 50, 100)

TASKS: dict[str, StudyTask] = {
    task.name: task
    for task in (
        _task(
            "reber",
            "embedded Reber grammar",
            "fraction of 256 test strings predicted at every step",
            "every test string predicted",
            REBER,
            _run_reber,
        ),
        *(
            _task(
                f"adding-{lag}",
                f"adding problem, T = {lag}",
                "fraction of 1000 test sequences with absolute error < 0.04",
                f"at least {ADDING_SUCCESS:.0%} of the test sequences within 0.04",
                ADDING,
                _adding_runner(lag),
                lag=lag,
            )
            for lag in ADDING_LAGS
        ),
        _task(
            "binary-addition",
            "bit-serial binary addition (8 bits)",
            "fraction of held-out pairs of 0..127 added exactly",
            "every held-out pair added exactly",
            SERIAL,
            _run_serial,
        ),
        _task(
            "copy-8",
            "copy a sequence of 8 symbols",
            "fraction of answer symbols right (500 test sequences)",
            f"at least {COPY_SUCCESS:.0%} of the symbols right",
            COPY,
            _run_copy,
        ),
        _task(
            "digits",
            "8x8 digits read row by row",
            "test accuracy (449 images)",
            f"test accuracy at least {DIGITS_SUCCESS:.0%}",
            DIGITS,
            _run_digits,
        ),
        _task(
            "sort",
            f"sort {SORT_LENGTH} digits",
            "fraction of answer symbols right (500 test sequences)",
            f"at least {SORT_SUCCESS:.0%} of the symbols right",
            SORT,
            _run_sort,
        ),
    )
}
"""The study's tasks by name."""
