"""The toy tasks' figures (matplotlib), one function per figure, each returning it.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot
state), so they can be made anywhere; a notebook displays the returned object.
"""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from lstm_derive.experiments.toy_tasks.copy_reverse import LengthAccuracy
from lstm_derive.experiments.toy_tasks.minimal_example import MinimalExampleRun
from lstm_derive.experiments.toy_tasks.sine import SineCurves


def minimal_example_figure(runs: Mapping[str, MinimalExampleRun]) -> Figure:
    """The loss per iteration of each run (log scale), labelled by the mapping's keys."""
    figure = Figure(figsize=(6.4, 3.6), layout="constrained")
    axes = figure.add_subplot()
    for label, run in runs.items():
        axes.semilogy(range(1, len(run.losses) + 1), run.losses, label=label)
    axes.set_xlabel("iteration")
    axes.set_ylabel("loss (sum over the 4 steps)")
    axes.legend()
    axes.grid(alpha=0.3)
    return figure


def sine_figure(curves: SineCurves) -> Figure:
    """The true next values, the one-step-ahead and the free-running predictions."""
    figure = Figure(figsize=(7.2, 3.6), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(
        curves.x, curves.truth, color="black", linewidth=3, alpha=0.3, label="sin x"
    )
    axes.plot(curves.x, curves.one_step, label="one step ahead")
    start = curves.warm_up - 1
    axes.plot(
        curves.x[start:],
        curves.free_running[start:],
        linestyle="--",
        label="free running (own predictions fed back)",
    )
    axes.axvline(curves.x[start], color="grey", linewidth=0.8)
    axes.set_xlabel("x (radians)")
    axes.set_ylabel("value")
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=3, fontsize="small"
    )
    return figure


def accuracy_figure(
    results: Mapping[str, LengthAccuracy], trained_up_to: int | None = None
) -> Figure:
    """Symbol and whole-sequence accuracy against length, one line per task."""
    figure = Figure(figsize=(8.0, 3.4), layout="constrained")
    symbol_axes, sequence_axes = figure.subplots(1, 2, sharey=True)
    for task, accuracy in results.items():
        symbol_axes.plot(accuracy.lengths, accuracy.symbol_accuracy, "o-", label=task)
        sequence_axes.plot(
            accuracy.lengths, accuracy.sequence_accuracy, "o-", label=task
        )
    symbol_axes.set_title("symbols right")
    sequence_axes.set_title("whole sequences right")
    for axes in (symbol_axes, sequence_axes):
        axes.set_xlabel("sequence length")
        axes.set_ylim(-0.02, 1.02)
        axes.grid(alpha=0.3)
        if trained_up_to is not None:
            axes.axvspan(
                trained_up_to + 0.5,
                max(float(a.lengths.max()) for a in results.values()) + 0.5,
                color="grey",
                alpha=0.15,
                label="longer than trained",
            )
    symbol_axes.set_ylabel("accuracy")
    sequence_axes.legend()
    return figure
