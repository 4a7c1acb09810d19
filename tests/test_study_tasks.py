"""The study's tasks: generators, success criteria on hand-made cases, and the
digits and sort tasks trained with fixed seeds (seconds each)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import require

from lstm_book.experiments.tasks import adding, digits, reber, sorting

# --- the embedded Reber grammar --------------------------------------------------

VALID = "BTBPVVETE"  # B T <B P V V E> T E


def test_generated_strings_are_embedded_reber_strings() -> None:
    rng = np.random.default_rng(0)
    strings = [reber.embedded_reber_string(rng) for _ in range(500)]
    for string in strings:
        assert reber.is_embedded_reber(string), string
        assert string[0] == "B"
        assert string[-1] == "E"
        assert string[1] == string[-2]
        assert string[1] in "TP"
        assert set(string) <= set(reber.SYMBOLS)
    # Both branches and several inner strings occur.
    assert {s[1] for s in strings} == {"T", "P"}
    assert len(set(strings)) > 50


@pytest.mark.parametrize(
    "string",
    ["BTBPVVEPE", "BTBPVVET", "BTBPXVETE", "TBPVVETE", "BTBPVVETEE", "BPBTSSXXEPE"],
)
def test_strings_off_the_grammar_are_rejected(string: str) -> None:
    assert not reber.is_embedded_reber(string)


def test_allowed_successors_of_a_hand_checked_string() -> None:
    allowed = reber.allowed_successors(VALID)
    assert allowed is not None
    expected = ["TP", "B", "TP", "TV", "PV", "E", "T", "E", ""]
    assert [set(a) for a in allowed] == [set(e) for e in expected]


def test_the_success_criterion_on_hand_made_outputs() -> None:
    x, targets, mask = reber.encode([VALID, "BPBTXSEPE"])
    assert x.shape == targets.shape == (2, 8, 7)
    assert mask.shape == (2, 8)
    perfect = np.where(targets > 0, 0.9, 0.1)
    assert reber.strings_predicted(perfect, targets, mask).tolist() == [True, True]
    # Predicting both T and P before the last E (forgetting the branch) fails...
    unsure = perfect.copy()
    unsure[0, 6, reber.SYMBOLS.index("P")] = 0.6
    assert reber.strings_predicted(unsure, targets, mask).tolist() == [False, True]
    # ... and so does missing an allowed successor, but padding never counts.
    missing = perfect.copy()
    missing[1, 0, reber.SYMBOLS.index("T")] = 0.4
    padded = np.concatenate([perfect, np.full((2, 3, 7), 0.9)], axis=1)
    padded_mask = np.concatenate([mask, np.zeros((2, 3))], axis=1)
    padded_targets = np.concatenate([targets, np.zeros((2, 3, 7))], axis=1)
    assert reber.strings_predicted(missing, targets, mask).tolist() == [True, False]
    assert reber.strings_predicted(padded, padded_targets, padded_mask).all()


def test_masked_cross_entropy_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(1)
    _, targets, mask = reber.encode(["BTBTXSETE", "BPBPVPXVVEPE"])
    target = reber.masked_targets(targets, mask)
    z = rng.standard_normal(targets.shape)
    loss = reber.MaskedBCEWithLogits()
    _, gradient = loss(z, target)
    numeric = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = 1e-6
        numeric[index] = (loss(z + step, target)[0] - loss(z - step, target)[0]) / 2e-6
    np.testing.assert_allclose(gradient, numeric, atol=1e-8)
    assert np.all(gradient[mask == 0] == 0)


# --- the adding problem ----------------------------------------------------------


@pytest.mark.parametrize("lag", [20, 50, 100])
def test_adding_sequences_follow_the_1997_layout(lag: int) -> None:
    x, y = adding.adding_batch(2000, lag, np.random.default_rng(lag))
    assert x.shape == (2000, lag, 2)
    assert y.shape == (2000, 1)
    values, markers = x[..., 0], x[..., 1]
    assert np.all(np.abs(values) <= 1)
    assert np.all(markers.sum(axis=1) == 2)
    assert set(np.unique(markers)) == {0.0, 1.0}
    marked = [np.flatnonzero(row) for row in markers]
    # One marked step among the first 10, the other among the first T/2 - 1.
    half = lag // 2 - 1
    assert all((a < 10 and b < half) or (b < 10 and a < half) for a, b in marked)
    total = (values * markers).sum(axis=1)
    np.testing.assert_allclose(y[:, 0], 0.5 + total / 4)
    assert np.all((y >= 0) & (y <= 1))


def test_adding_criterion_is_an_absolute_error_below_0_04() -> None:
    target = np.array([[0.5], [0.5], [0.2], [0.9]])
    prediction = np.array([[0.53], [0.55], [0.1601], [0.9]])
    assert adding.within_tolerance(prediction, target).tolist() == [
        True, False, True, True,
    ]  # fmt: skip


def test_adding_rejects_too_short_lags() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        adding.adding_batch(1, 3, np.random.default_rng(0))


# --- digits read row by row ------------------------------------------------------


def test_digits_are_read_row_by_row_and_beat_a_threshold() -> None:
    require("sklearn")
    split = digits.load_digit_split()
    assert split.train_x.shape == (1348, 8, 8)
    assert split.test_x.shape == (449, 8, 8)
    assert split.train_x.min() == 0
    assert split.train_x.max() == 1
    baseline = digits.logistic_baseline_accuracy()
    assert baseline > 0.9
    trained = digits.train_digits(seed=0)
    assert trained.test_accuracy > 0.9
    assert trained.losses[-50:].mean() < trained.losses[:50].mean() / 4


def test_digits_without_scikit_learn_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    digits.load_digit_split.cache_clear()
    try:
        with pytest.raises(digits.MissingDependencyError, match="pip install scikit"):
            digits.load_digit_split()
    finally:
        digits.load_digit_split.cache_clear()


# --- sorting ---------------------------------------------------------------------


def test_sort_batches_hold_the_sorted_symbols() -> None:
    x, labels = sorting.sort_batch(50, 6, 10, np.random.default_rng(0))
    assert x.shape == (50, 13, 12)
    assert labels.shape == (50, 6)
    read = x[:, :6, :10].argmax(axis=-1)
    np.testing.assert_array_equal(labels, np.sort(read, axis=1))
    assert np.all(np.diff(labels, axis=1) >= 0)


def test_an_lstm_learns_to_sort_and_accuracy_falls_with_length() -> None:
    trained = sorting.train_sort(max_length=5, hidden=32, updates=600, seed=0)
    symbols, _ = sorting.sort_accuracy_by_length(trained, np.arange(1, 6), count=300)
    assert symbols[-1] > 0.9
    assert symbols[0] > 0.99
