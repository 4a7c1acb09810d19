"""The toy tasks' figures (matplotlib), one function per figure, each returning it.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot
state), so they can be made anywhere; a notebook displays the returned object.
Every function draws its words in the ``language`` asked for (see
:mod:`lstm_book.site.language`).
"""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from lstm_book.experiments.toy_tasks.copy_reverse import LengthAccuracy
from lstm_book.experiments.toy_tasks.minimal_example import MinimalExampleRun
from lstm_book.experiments.toy_tasks.sine import SineCurves
from lstm_book.site.language import Language, figure_fonts

WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "iteration": "iteration",
        "summed loss": "loss (sum over the 4 steps)",
        "sin x": "sin x",
        "one step": "one step ahead",
        "free running": "free running (own predictions fed back)",
        "radians": "x (radians)",
        "value": "value",
        "symbols right": "symbols right",
        "sequences right": "whole sequences right",
        "sequence length": "sequence length",
        "longer": "longer than trained",
        "accuracy": "accuracy",
        "copy": "copy",
        "reverse": "reverse",
    },
    "zh": {
        "iteration": "迭代次数",
        "summed loss": "损失（4 步之和）",
        "sin x": "sin x",
        "one step": "预测下一步",
        "free running": "自由运行（预测值作为输入）",
        "radians": "x（弧度）",
        "value": "值",
        "symbols right": "符号正确率",
        "sequences right": "整序列正确率",
        "sequence length": "序列长度",
        "longer": "超出训练长度",
        "accuracy": "准确率",
        "copy": "复制",
        "reverse": "反转",
    },
}


def minimal_example_figure(
    runs: Mapping[str, MinimalExampleRun], language: Language = "en"
) -> Figure:
    """The loss per iteration of each run (log scale), labelled by the mapping's
    keys (given in ``language``)."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(6.4, 3.6), layout="constrained")
        axes = figure.add_subplot()
        for label, run in runs.items():
            axes.semilogy(range(1, len(run.losses) + 1), run.losses, label=label)
        axes.set_xlabel(words["iteration"])
        axes.set_ylabel(words["summed loss"])
        axes.legend()
        axes.grid(alpha=0.3)
    return figure


def sine_figure(curves: SineCurves, language: Language = "en") -> Figure:
    """The true next values, the one-step-ahead and the free-running predictions."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(7.2, 3.6), layout="constrained")
        axes = figure.add_subplot()
        axes.plot(
            curves.x,
            curves.truth,
            color="black",
            linewidth=3,
            alpha=0.3,
            label=words["sin x"],
        )
        axes.plot(curves.x, curves.one_step, label=words["one step"])
        start = curves.warm_up - 1
        axes.plot(
            curves.x[start:],
            curves.free_running[start:],
            linestyle="--",
            label=words["free running"],
        )
        axes.axvline(curves.x[start], color="grey", linewidth=0.8)
        axes.set_xlabel(words["radians"])
        axes.set_ylabel(words["value"])
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=3, fontsize="small"
        )
    return figure


def accuracy_figure(
    results: Mapping[str, LengthAccuracy],
    trained_up_to: int | None = None,
    language: Language = "en",
) -> Figure:
    """Symbol and whole-sequence accuracy against length, one line per task."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(8.0, 3.4), layout="constrained")
        symbol_axes, sequence_axes = figure.subplots(1, 2, sharey=True)
        for task, accuracy in results.items():
            label = words.get(task, task)
            symbol_axes.plot(
                accuracy.lengths, accuracy.symbol_accuracy, "o-", label=label
            )
            sequence_axes.plot(
                accuracy.lengths, accuracy.sequence_accuracy, "o-", label=label
            )
        symbol_axes.set_title(words["symbols right"])
        sequence_axes.set_title(words["sequences right"])
        for axes in (symbol_axes, sequence_axes):
            axes.set_xlabel(words["sequence length"])
            axes.set_ylim(-0.02, 1.02)
            axes.grid(alpha=0.3)
            if trained_up_to is not None:
                axes.axvspan(
                    trained_up_to + 0.5,
                    max(float(a.lengths.max()) for a in results.values()) + 0.5,
                    color="grey",
                    alpha=0.15,
                    label=words["longer"],
                )
        symbol_axes.set_ylabel(words["accuracy"])
        sequence_axes.legend()
    return figure
