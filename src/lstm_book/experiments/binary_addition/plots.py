"""The binary-addition figures (matplotlib), one function per figure, each returning it.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot
state); a notebook displays the returned object. Every function draws its words in
the ``language`` asked for (see :mod:`lstm_book.site.language`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from matplotlib.figure import Figure

from lstm_book.experiments.binary_addition.report_setup import History
from lstm_book.experiments.binary_addition.width import WidthAccuracy
from lstm_book.site.language import Language, figure_fonts

WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "samples": "{} samples",
        "train": "train",
        "held out": "held out",
        "epoch": "epoch",
        "loss": "loss",
        "exact sums": "exact sums (fraction)",
        "width": "operand width (bits)",
    },
    "zh": {
        "samples": "{} 个样本",
        "train": "训练",
        "held out": "留出",
        "epoch": "轮次",
        "loss": "损失",
        "exact sums": "完全正确的和（比例）",
        "width": "加数位宽（位）",
    },
}


def history_figure(
    histories: Mapping[int, History],
    quantity: Literal["loss", "accuracy"],
    language: Language = "en",
) -> Figure:
    """Train and held-out ``quantity`` per epoch, one panel per training-set size
    (the report's figures: its "model loss" and "model accuracy")."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(3.2 * len(histories), 3.2), layout="constrained")
        panels = figure.subplots(1, len(histories), sharey=True, squeeze=False)[0]
        for axes, (size, history) in zip(panels, histories.items(), strict=True):
            if quantity == "loss":
                train, held_out = history.train_loss, history.held_out_loss
            else:
                train, held_out = history.train_accuracy, history.held_out_accuracy
            epochs = range(1, len(train) + 1)
            axes.plot(epochs, train, label=words["train"])
            axes.plot(epochs, held_out, label=words["held out"])
            axes.set_title(words["samples"].format(size))
            axes.set_xlabel(words["epoch"])
            axes.grid(alpha=0.3)
        panels[0].set_ylabel(words["loss" if quantity == "loss" else "exact sums"])
        panels[0].legend()
    return figure


def width_figure(
    results: Mapping[str, WidthAccuracy], language: Language = "en"
) -> Figure:
    """Exact-sum accuracy against operand width, one line per formulation, labelled
    by the mapping's keys (given in ``language``)."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(6.4, 3.4), layout="constrained")
        axes = figure.add_subplot()
        for label, result in results.items():
            axes.plot(result.widths, result.accuracy, "o-", label=label)
        axes.set_xscale("log", base=2)
        axes.set_xlabel(words["width"])
        axes.set_ylabel(words["exact sums"])
        axes.set_ylim(-0.02, 1.02)
        axes.grid(alpha=0.3)
        axes.legend()
    return figure
