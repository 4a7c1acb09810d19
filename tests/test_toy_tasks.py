"""The toy tasks of seed 003, trained with fixed seeds.

The thresholds are the outcomes chapter 09 of the site reports for the same
settings; they hold with one OpenBLAS thread or several (the order of the float
sums, hence the trained weights, differs slightly). Each training run takes
seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_book.experiments.toy_tasks import (
    accuracy_by_length,
    compare_cells,
    one_step_mse,
    plots,
    sine_curves,
    symbol_batch,
    train_sine,
    train_symbol_task,
)
from lstm_book.experiments.toy_tasks.minimal_example import (
    FirstUnitSquaredError,
    original_parameters,
    worst_setback,
)
from lstm_book.experiments.toy_tasks.symbol_sequences import Task

# --- nicodjimenez/lstm's minimal example ----------------------------------------------


def test_minimal_example_reproduces_the_original_and_ours_learns_too() -> None:
    runs = compare_cells()
    original, ours = runs["lstm_no_output_tanh"], runs["lstm"]
    # The original prints a first loss of about 7.5e-1 and a last of about 2.6e-6.
    assert original.losses[0] == pytest.approx(0.7535, abs=5e-4)
    assert original.final_loss == pytest.approx(2.61e-6, rel=0.01)
    assert ours.final_loss < 1e-4
    np.testing.assert_allclose(ours.predictions[-1], [-0.5, 0.2, 0.1, -0.5], atol=1e-3)
    figure = plots.minimal_example_figure(runs)
    assert isinstance(figure, Figure)


def test_original_initialisation_repeats_one_draw_for_every_gate() -> None:
    parameters = original_parameters(inputs=3, hidden=2)
    weight = np.concatenate((parameters["W_x"], parameters["W_h"]))
    bias = parameters["b_x"]
    assert weight.shape == (3 + 2, 4 * 2)
    for block in range(1, 4):
        np.testing.assert_array_equal(
            weight[:, 2 * block : 2 * block + 2], weight[:, :2]
        )
    np.testing.assert_array_equal(bias, np.tile(bias[:2], 4))
    assert np.all((weight >= -0.1) & (weight < 0.1))


def test_worst_setback_finds_the_largest_relative_rise() -> None:
    setback = worst_setback(np.array([5.0, 1.0, 0.01, 0.5, 0.001, 0.002]))
    assert (setback.best_iteration, setback.peak_iteration) == (3, 4)
    assert (setback.best_loss, setback.peak_loss) == (0.01, 0.5)


def test_first_unit_loss_is_a_sum_with_gradient_on_unit_zero() -> None:
    prediction = np.zeros((1, 3, 4))
    prediction[0, :, 0] = [1.0, 2.0, 3.0]
    value, gradient = FirstUnitSquaredError()(prediction, np.array([[0.0, 0.0, 1.0]]))
    assert value == 1 + 4 + 4
    np.testing.assert_array_equal(gradient[0, :, 0], [2.0, 4.0, 4.0])
    assert not gradient[..., 1:].any()


# --- sin(x) -----------------------------------------------------------------------------


def test_sine_fit_predicts_the_next_value() -> None:
    fit = train_sine()
    assert fit.losses[-20:].mean() < 0.05 * fit.losses[:20].mean()
    assert one_step_mse(fit.model, skip=5) < 2e-5
    curves = sine_curves(fit.model)
    assert curves.truth.shape == curves.one_step.shape == curves.free_running.shape
    start = curves.warm_up - 1
    assert np.mean((curves.free_running - curves.truth)[start:] ** 2) < 0.05
    assert isinstance(plots.sine_figure(curves), Figure)


# --- copy and reverse -------------------------------------------------------------------


def test_symbol_batch_layout() -> None:
    rng = np.random.default_rng(0)
    x, labels = symbol_batch("reverse", 5, 3, 4, rng)
    assert x.shape == (5, 7, 6)
    np.testing.assert_array_equal(x.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(x[:, 3, 4], 1.0)  # the delimiter
    np.testing.assert_array_equal(x[:, 4:, 5], 1.0)  # the blanks
    np.testing.assert_array_equal(labels, x[:, 2::-1, :4].argmax(axis=-1))
    with pytest.raises(ValueError, match="task must be one of"):
        symbol_batch("sort", 1, 3, 4, rng)  # type: ignore[arg-type]


@pytest.mark.parametrize("task", ["copy", "reverse"])
def test_copy_and_reverse_are_learned_up_to_length_4(task: Task) -> None:
    trained = train_symbol_task(task)
    accuracy = accuracy_by_length(trained, np.arange(1, 11))
    assert np.all(accuracy.sequence_accuracy[:4] >= 0.99)
    assert accuracy.symbol_accuracy[7] >= 0.9  # length 8, the longest trained
    assert accuracy.sequence_accuracy[9] < 0.5  # length 10: never trained, mostly wrong
    figure = plots.accuracy_figure({task: accuracy}, trained_up_to=8)
    assert isinstance(figure, Figure)
