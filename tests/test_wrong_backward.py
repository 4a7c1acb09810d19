"""The gradient check tells the generated LSTM from the wrong backward of seed 001."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book.experiments import wrong_backward
from lstm_book.experiments.wrong_backward import WrongLSTM
from lstm_derive import generated, gradcheck
from lstm_derive.nn import bptt


def failed_arrays(rows: list[gradcheck.GradRow]) -> set[str]:
    """The names of the arrays with at least one [FAIL] row."""
    return {row.name for row in rows if not row.ok}


def test_generated_lstm_passes() -> None:
    rows = gradcheck.check("lstm")
    assert rows
    assert failed_arrays(rows) == set(), gradcheck.summary(rows)


def test_module_with_both_mistakes_fails_in_bias_and_weight() -> None:
    rows = gradcheck.check(wrong_backward.BOTH_MISTAKES)
    failed = failed_arrays(rows)
    assert {"b_x", "W_x", "W_h"} <= failed, gradcheck.summary(rows)
    assert "[FAIL]" in "\n".join(row.line() for row in rows)


def test_wrong_module_keeps_the_generated_forward() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 3))
    states = {"h": np.zeros((2, 4)), "c": np.zeros((2, 4))}
    params = {
        name: rng.standard_normal(shape)
        for name, shape in wrong_backward.LSTM.shapes(3, 4).items()
    }
    hs, _, _ = wrong_backward.BOTH_MISTAKES.forward(x, states, params)
    reference, _, _ = bptt.Cell.of(generated.load("lstm")).forward(x, states, params)
    np.testing.assert_array_equal(hs, reference)


def test_without_mistakes_the_hand_written_backward_passes() -> None:
    rows = gradcheck.check(WrongLSTM(shared_bias=False, garbled_cell_update=False))
    assert failed_arrays(rows) == set(), gradcheck.summary(rows)


def test_shared_bias_alone_fails_only_the_bias() -> None:
    rows = gradcheck.check(WrongLSTM(shared_bias=True, garbled_cell_update=False))
    assert failed_arrays(rows) == {"b_x"}, gradcheck.summary(rows)


@pytest.mark.parametrize("shared_bias", [False, True])
def test_garbled_cell_update_fails_the_weights(shared_bias: bool) -> None:
    rows = gradcheck.check(WrongLSTM(shared_bias=shared_bias, garbled_cell_update=True))
    failed = failed_arrays(rows)
    assert {"W_x", "W_h", "b_x", "x", "c0"} <= failed, gradcheck.summary(rows)
