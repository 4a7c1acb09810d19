"""The study's figures (matplotlib): the spread over seeds of every cell, per task.

Each figure function takes ``language`` ("en" or "zh") and labels the figure in it,
so a page can show the figure in its reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from lstm_book.study.records import Record
from lstm_book.study.summary import best_groups, groups

LABELS = {
    "en": {
        "best": "best setting (each seed)",
        "other": "other settings",
        "cell": "cell",
    },
    "zh": {
        "best": "最佳超参数（每个种子）",
        "other": "其他超参数",
        "cell": "单元",
    },
}
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"]


def _font(language: str) -> Any:
    return {"font.family": CJK_FONTS} if language == "zh" else {}


def spread_figure(
    records: Sequence[Record],
    tasks: Sequence[str],
    metric_labels: dict[str, str],
    *,
    language: str = "en",
    titles: dict[str, str] | None = None,
) -> Figure:
    """One strip plot per task: every cell's metric for each seed.

    Large dots are the seeds of the cell's best setting, small grey ones the other
    settings of the grid; a bar marks the best setting's median.
    """
    words = LABELS[language]
    with rc_context(_font(language)):
        figure = Figure(figsize=(7.2, 2.3 * len(tasks)), layout="constrained")
        axes_list = figure.subplots(len(tasks), 1, squeeze=False)[:, 0]
        best = best_groups(records)
        all_groups = groups(records)
        for axes, task in zip(axes_list, tasks, strict=True):
            cells = [c for (t, c) in best if t == task]
            jitter = np.random.default_rng(0)
            other_label: str | None = words["other"]
            for x, cell in enumerate(cells):
                chosen = best[task, cell]
                for group in all_groups:
                    if group.task != task or group.cell != cell or group is chosen:
                        continue
                    offsets = jitter.uniform(-0.25, 0.25, group.runs)
                    axes.scatter(
                        x + offsets, group.metrics, s=8, color="0.6", alpha=0.6,
                        label=other_label,
                    )  # fmt: skip
                    other_label = None
                offsets = jitter.uniform(-0.15, 0.15, chosen.runs)
                axes.scatter(
                    x + offsets, chosen.metrics, s=28, color="C0", zorder=3,
                    label=words["best"] if x == 0 else None,
                )  # fmt: skip
                median = float(np.median(chosen.metrics))
                axes.hlines(median, x - 0.3, x + 0.3, color="C3", zorder=4)
            axes.set_xticks(range(len(cells)), cells, rotation=30, ha="right")
            axes.set_ylabel(metric_labels[task])
            axes.set_ylim(-0.05, 1.05)
            axes.grid(axis="y", alpha=0.3)
            axes.set_title((titles or {}).get(task, task), fontsize=10)
        if len(axes_list):
            axes_list[0].legend(fontsize=8, loc="lower right")
        axes_list[-1].set_xlabel(words["cell"])
    return figure
