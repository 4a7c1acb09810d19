"""Figures of the study's tasks (matplotlib), labelled in English or Chinese."""

from __future__ import annotations

from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure

from lstm_derive.nn.layer import Array

WORDS = {
    "en": {
        "length": "sequence length",
        "accuracy": "accuracy",
        "symbols": "symbols right",
        "sequences": "sequences right",
        "unseen": "longer than in training",
    },
    "zh": {
        "length": "序列长度",
        "accuracy": "准确率",
        "symbols": "符号正确",
        "sequences": "整条序列正确",
        "unseen": "比训练时更长",
    },
}
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"]


def font(language: str) -> Any:
    """The rc settings for ``language`` (a CJK font for Chinese)."""
    return {"font.family": CJK_FONTS} if language == "zh" else {}


def sort_accuracy_figure(
    lengths: Array,
    symbol_accuracy: Array,
    sequence_accuracy: Array,
    *,
    trained_up_to: int,
    language: str = "en",
) -> Figure:
    """Sorting accuracy per length; lengths beyond training are shaded."""
    words = WORDS[language]
    with rc_context(font(language)):
        figure = Figure(figsize=(6.4, 3.2), layout="constrained")
        axes = figure.add_subplot()
        axes.plot(lengths, symbol_accuracy, marker="o", label=words["symbols"])
        axes.plot(lengths, sequence_accuracy, marker="s", label=words["sequences"])
        axes.axvspan(
            trained_up_to + 0.5, max(lengths) + 0.5, color="0.9",
            label=words["unseen"],
        )  # fmt: skip
        axes.set_xlabel(words["length"])
        axes.set_ylabel(words["accuracy"])
        axes.set_ylim(-0.02, 1.02)
        axes.legend(loc="lower left")
        axes.grid(alpha=0.3)
    return figure
