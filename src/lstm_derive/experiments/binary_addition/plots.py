"""The binary-addition figures (matplotlib), one function per figure, each returning it.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot
state); a notebook displays the returned object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from matplotlib.figure import Figure

from lstm_derive.experiments.binary_addition.report_setup import History
from lstm_derive.experiments.binary_addition.width import WidthAccuracy


def history_figure(
    histories: Mapping[str, History], quantity: Literal["loss", "accuracy"]
) -> Figure:
    """Train and held-out ``quantity`` per epoch, one panel per run (the report's
    figures: its "model loss" and "model accuracy"), labelled by the mapping's keys."""
    figure = Figure(figsize=(3.2 * len(histories), 3.2), layout="constrained")
    panels = figure.subplots(1, len(histories), sharey=True, squeeze=False)[0]
    for axes, (label, history) in zip(panels, histories.items(), strict=True):
        if quantity == "loss":
            train, held_out = history.train_loss, history.held_out_loss
        else:
            train, held_out = history.train_accuracy, history.held_out_accuracy
        epochs = range(1, len(train) + 1)
        axes.plot(epochs, train, label="train")
        axes.plot(epochs, held_out, label="held out")
        axes.set_title(label)
        axes.set_xlabel("epoch")
        axes.grid(alpha=0.3)
    panels[0].set_ylabel("loss" if quantity == "loss" else "exact sums (fraction)")
    panels[0].legend()
    return figure


def width_figure(results: Mapping[str, WidthAccuracy]) -> Figure:
    """Exact-sum accuracy against operand width, one line per formulation."""
    figure = Figure(figsize=(6.4, 3.4), layout="constrained")
    axes = figure.add_subplot()
    for label, result in results.items():
        axes.plot(result.widths, result.accuracy, "o-", label=label)
    axes.set_xscale("log", base=2)
    axes.set_xlabel("operand width (bits)")
    axes.set_ylabel("exact sums (fraction)")
    axes.set_ylim(-0.02, 1.02)
    axes.grid(alpha=0.3)
    axes.legend()
    return figure
