"""The study's figures (matplotlib), each labelled in the page's language.

* :func:`phase_diagram`: cell x task, one panel per budget: the success rate of
  the final runs (final performance) and the median updates to criterion (speed);
* :func:`learning_curves`: the validation metric against updates, median and
  quartiles over the final seeds, for a few cells on one task.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from lstm_book.site.language import Language, figure_fonts
from lstm_book.study.analysis import Key, Result
from lstm_book.study.protocol import BUDGETS
from lstm_book.study.records import Record

WORDS = {
    "en": {
        "success": "success rate at {budget} updates",
        "speed": "median updates to criterion",
        "never": "not within the budget",
        "updates": "updates",
        "metric": "validation metric",
        "cell": "cell",
        "task": "task",
    },
    "zh": {
        "success": "{budget} 次更新后的成功率",
        "speed": "达到标准所需更新次数的中位数",
        "never": "预算内未达到",
        "updates": "更新次数",
        "metric": "验证集指标",
        "cell": "单元",
        "task": "任务",
    },
}


TASK_LABELS = {
    "en": {
        "adding-10": "adding, T = 10", "adding-30": "adding, T = 30",
        "adding-100": "adding, T = 100", "reber": "Reber, continual",
        "stream": "leaky average",
    },
    "zh": {
        "adding-10": "加法，T = 10", "adding-30": "加法，T = 30",
        "adding-100": "加法，T = 100", "reber": "持续 Reber 文法",
        "stream": "滑动平均流",
    },
}  # fmt: skip
"""How each task is named on a figure."""


def phase_diagram(
    found: dict[Key, Result],
    cells: Sequence[str],
    tasks: Sequence[str],
    language: Language,
) -> Figure:
    """Success rate per cell and task at each budget, and the median speed."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(
            figsize=(2.2 * (len(BUDGETS) + 1) + 1.2, 0.32 * len(cells) + 1.8),
            layout="constrained",
        )
        panels = figure.subplots(1, len(BUDGETS) + 1, sharey=True)
        for axes, budget in zip(panels, BUDGETS, strict=False):
            grid = np.full((len(cells), len(tasks)), np.nan)
            for row, cell in enumerate(cells):
                for column, task in enumerate(tasks):
                    result = found.get((task, cell, budget))
                    if result is not None:
                        grid[row, column] = result.success_rate
            image = axes.imshow(grid, cmap="viridis", vmin=0, vmax=1, aspect="auto")
            axes.set_title(words["success"].format(budget=budget), fontsize=8)
            _ticks(axes, cells, tasks, language)
        figure.colorbar(image, ax=panels[: len(BUDGETS)], shrink=0.8)
        speed = np.full((len(cells), len(tasks)), np.nan)
        budget = max(BUDGETS)
        for row, cell in enumerate(cells):
            for column, task in enumerate(tasks):
                result = found.get((task, cell, budget))
                median = None if result is None else result.median_to_criterion
                speed[row, column] = np.nan if median is None else np.log10(median)
        axes = panels[-1]
        image = axes.imshow(speed, cmap="magma_r", aspect="auto",
                            vmin=np.log10(200), vmax=np.log10(budget))  # fmt: skip
        axes.set_title(
            f"{words['speed']}\n" + rf"($\log_{{10}}$; {words['never']}: ·)", fontsize=8
        )
        _ticks(axes, cells, tasks, language)
        figure.colorbar(image, ax=axes, shrink=0.8)
    return figure


def _ticks(
    axes: object, cells: Sequence[str], tasks: Sequence[str], language: Language
) -> None:
    labels = [TASK_LABELS[language].get(task, task) for task in tasks]
    axes.set_xticks(range(len(tasks)), labels, rotation=45, ha="right", fontsize=7)  # type: ignore[attr-defined]
    axes.set_yticks(range(len(cells)), cells, fontsize=7)  # type: ignore[attr-defined]


def learning_curves(
    records: Sequence[Record],
    found: dict[Key, Result],
    task: str,
    cells: Sequence[str],
    language: Language,
) -> Figure:
    """The validation metric of each cell's final runs (largest budget) over updates."""
    words = WORDS[language]
    budget = max(BUDGETS)
    with figure_fonts():
        figure = Figure(figsize=(6.4, 3.4), layout="constrained")
        axes = figure.subplots()
        for k, cell in enumerate(cells):
            result = found.get((task, cell, budget))
            if result is None:
                continue
            runs = [
                r for r in records
                if r.phase == "final" and r.task == task and r.cell == cell
                and r.setting == result.setting and r.updates >= budget
            ]  # fmt: skip
            if not runs:
                continue
            updates = np.array(runs[0].curve["updates"])
            curves = np.array([r.curve["metric"][: len(updates)] for r in runs])
            low, middle, high = np.percentile(curves, [25, 50, 75], axis=0)
            axes.plot(updates, middle, color=f"C{k}", label=cell)
            axes.fill_between(updates, low, high, color=f"C{k}", alpha=0.2)
        axes.set_xscale("log")
        axes.set_xlabel(words["updates"])
        axes.set_ylabel(words["metric"])
        axes.set_ylim(-0.02, 1.02)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7, loc="upper left")
        axes.set_title(TASK_LABELS[language].get(task, task), fontsize=9)
    return figure
