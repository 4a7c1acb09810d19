"""Figures of the adder's insides (matplotlib), each drawn in English or Chinese."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lstm_book.experiments.adder_inside.analysis import CarryUnit, Traces, signed_unit
from lstm_book.site.language import Language, figure_fonts

WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "step": "step (column, least significant first)",
        "unit": "unit",
        "carry": "carry",
        "hidden": "hidden state h",
        "cell": "cell state c",
        "correlation": "|correlation with the carry|",
        "f": "forget gate f",
        "i": "input gate i",
        "o": "output gate o",
        "g": "candidate g",
        "c": "cell state c",
        "gates": "gate",
        "values": "candidate, state",
        "carry unit": "carry unit",
    },
    "zh": {
        "step": "步（列，最低位在先）",
        "unit": "单元",
        "carry": "进位",
        "hidden": "隐状态 h",
        "cell": "记忆元 c",
        "correlation": "与进位的相关系数（绝对值）",
        "f": "遗忘门 f",
        "i": "输入门 i",
        "o": "输出门 o",
        "g": "候选记忆元 g",
        "c": "记忆元 c",
        "gates": "门",
        "values": "候选记忆元、状态",
        "carry unit": "进位单元",
    },
}


def addition_title(traces: Traces, index: int) -> str:
    """'a + b' of one traced addition (its bits read back, least significant first)."""
    powers = 2 ** np.arange(traces.a_bits.shape[1])
    a = int(traces.a_bits[index] @ powers)
    b = int(traces.b_bits[index] @ powers)
    return f"{a} + {b}"


def states_figure(
    traces: Traces, carry: CarryUnit, indices: Sequence[int], language: Language
) -> Figure:
    """For each addition: its bits and carry, then every unit's hidden state per step."""
    words = WORDS[language]
    hidden = traces.values["h"].shape[-1]
    steps = traces.a_bits.shape[1]
    with figure_fonts():
        figure = Figure(figsize=(7.2, 4.6), layout="constrained")
        grid = figure.add_gridspec(2, len(indices), height_ratios=(3, hidden))
        image = None
        for column, index in enumerate(indices):
            top = figure.add_subplot(grid[0, column])
            rows = np.stack(
                [traces.a_bits[index], traces.b_bits[index], traces.carry[index]]
            )
            top.imshow(rows, cmap="Greys", vmin=0, vmax=1.4, aspect="auto")
            top.set_yticks([0, 1, 2], ["a", "b", words["carry"]])
            top.set_xticks([])
            top.set_title(addition_title(traces, index))
            bottom = figure.add_subplot(grid[1, column])
            image = bottom.imshow(
                traces.values["h"][index].T,
                cmap="RdBu_r",
                vmin=-1,
                vmax=1,
                aspect="auto",
            )
            bottom.add_patch(
                _outline(carry.unit, steps)  # the carry unit's row
            )
            bottom.set_xticks(range(0, steps, 2))
            bottom.set_xlabel(words["step"] if column == 1 else "")
            if column == 0:
                bottom.set_ylabel(words["unit"])
            else:
                bottom.set_yticks([])
        assert image is not None
        figure.colorbar(image, ax=figure.axes[-1], label=words["hidden"], shrink=0.8)
    return figure


def _outline(unit: int, steps: int) -> Rectangle:
    """A rectangle around one unit's row of a heatmap."""
    return Rectangle(
        (-0.5, unit - 0.5), steps, 1, fill=False, edgecolor="black", linewidth=1.5
    )


def correlation_figure(carry: CarryUnit, language: Language) -> Figure:
    """``|correlation|`` of each unit's hidden and cell state with the carry, as bars."""
    words = WORDS[language]
    units = np.arange(len(carry.hidden_correlations))
    with figure_fonts():
        figure = Figure(figsize=(6.4, 3.0), layout="constrained")
        axes = figure.add_subplot()
        axes.bar(
            units - 0.2, np.abs(carry.hidden_correlations), 0.4, label=words["hidden"]
        )
        axes.bar(units + 0.2, np.abs(carry.cell_correlations), 0.4, label=words["cell"])
        axes.axhline(0.9, color="0.4", linestyle=":", linewidth=1)
        axes.annotate(
            words["carry unit"],
            (carry.unit - 0.2, abs(carry.hidden_correlations[carry.unit])),
            xytext=(carry.unit + 1.5, 1.02),
            arrowprops={"arrowstyle": "->", "color": "0.3"},
        )
        axes.set_xticks(units)
        axes.set_xlabel(words["unit"])
        axes.set_ylabel(words["correlation"])
        axes.set_ylim(0, 1.12)
        axes.legend(loc="upper right", ncols=2)
        axes.grid(axis="y", alpha=0.3)
    return figure


def carry_unit_figure(
    traces: Traces, carry: CarryUnit, indices: Sequence[int], language: Language
) -> Figure:
    """The carry unit's gates (top) and its candidate and cell state (bottom) over
    the steps of a few additions, with the columns that send a carry shaded."""
    words = WORDS[language]
    steps = np.arange(traces.a_bits.shape[1])
    with figure_fonts():
        figure = Figure(figsize=(7.2, 4.4), layout="constrained")
        panels = figure.subplots(
            2, len(indices), sharex=True, sharey="row", squeeze=False
        )
        for column, index in enumerate(indices):
            for row in range(2):
                axes = panels[row, column]
                for step in steps[traces.carry[index] == 1]:
                    axes.axvspan(step - 0.5, step + 0.5, color="0.9", linewidth=0)
                axes.grid(alpha=0.3)
            gates, values = panels[0, column], panels[1, column]
            for name, style, color in (("f", "o-", "C0"), ("i", "s--", "C1"),
                                       ("o", "^:", "C2")):  # fmt: skip
                gates.plot(steps, signed_unit(traces, carry, name)[index], style,
                           color=color, label=words[name], markersize=3)  # fmt: skip
            for name, style, color in (("g", "s--", "C3"), ("c", "o-", "C4")):
                values.plot(steps, signed_unit(traces, carry, name)[index], style,
                            color=color, label=words[name], markersize=3)  # fmt: skip
            gates.set_title(addition_title(traces, index))
            gates.set_ylim(-0.05, 1.05)
            values.axhline(0, color="0.5", linewidth=0.8)
            values.set_xticks(steps[::2])
        panels[0, 0].set_ylabel(words["gates"])
        panels[1, 0].set_ylabel(words["values"])
        panels[1, 1 if len(indices) > 1 else 0].set_xlabel(words["step"])
        figure.legend(
            *_handles(panels[0, 0], panels[1, 0]), loc="outside lower center", ncols=3
        )
    return figure


def _handles(*axes_list: Axes) -> tuple[list[Artist], list[str]]:
    """The lines and labels of several axes, for one legend."""
    handles: list[Artist] = []
    labels: list[str] = []
    for axes in axes_list:
        h, label = axes.get_legend_handles_labels()
        handles += h
        labels += label
    return handles, labels
