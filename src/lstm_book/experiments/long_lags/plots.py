"""Figures of the long-lag runs (matplotlib), each drawn in English or Chinese."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from lstm_book.experiments.long_lags.runs import BASELINE_MSE, CELLS, LagRun, select
from lstm_book.site.language import Language, figure_fonts

WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "lag": "lag T (steps)",
        "mse": "test mean squared error",
        "within": "test sequences within 0.04",
        "baseline": "always 0.5",
        "updates": "updates",
        "validation mse": "validation mean squared error",
        "panel": "T = {}",
        "step": "step t",
        "sensitivity": r"$|\partial y / \partial x_t|$",
        "marked": "where the marks can be",
    },
    "zh": {
        "lag": "时间间隔 T（步）",
        "mse": "测试均方误差",
        "within": "误差小于 0.04 的测试序列比例",
        "baseline": "总是回答 0.5",
        "updates": "更新次数",
        "validation mse": "验证均方误差",
        "panel": "T = {}",
        "step": "第 t 步",
        "sensitivity": r"$|\partial y / \partial x_t|$",
        "marked": "标记可能出现的位置",
    },
}
STYLE = {"rnn": ("o-", "C0"), "lstm": ("s-", "C1"), "gru": ("^-", "C2")}


def by_lag_figure(
    runs: Sequence[LagRun],
    lags: Sequence[int],
    baseline_within: float,
    language: Language,
) -> Figure:
    """Test error and fraction within 0.04 against the lag: the mean over seeds,
    each seed as a faint dot."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(7.2, 3.2), layout="constrained")
        error, within = figure.subplots(1, 2)
        for cell in CELLS:
            style, color = STYLE[cell]
            for axes, value in ((error, "test_mse"), (within, "test_within")):
                per_lag = [
                    [getattr(r, value) for r in select(runs, cell, lag)] for lag in lags
                ]
                means = [float(np.mean(v)) for v in per_lag]
                axes.plot(lags, means, style, color=color, label=cell.upper())
                for lag, values in zip(lags, per_lag, strict=True):
                    axes.plot([lag] * len(values), values, ".", color=color, alpha=0.4)
        error.axhline(BASELINE_MSE, color="0.4", linestyle=":", label=words["baseline"])
        within.axhline(
            baseline_within, color="0.4", linestyle=":", label=words["baseline"]
        )
        for axes in (error, within):
            axes.set_xscale("log")
            axes.set_xticks(list(lags), [str(lag) for lag in lags])
            axes.minorticks_off()
            axes.set_xlabel(words["lag"])
            axes.grid(alpha=0.3)
        error.set_yscale("log")
        error.set_ylabel(words["mse"])
        within.set_ylabel(words["within"])
        within.set_ylim(-0.02, 1.02)
        within.legend(loc="center left")
    return figure


def curves_figure(
    runs: Sequence[LagRun], lags: Sequence[int], language: Language, seed: int = 0
) -> Figure:
    """Validation error against updates, one panel per lag, for one seed."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(7.2, 4.8), layout="constrained")
        panels = figure.subplots(2, (len(lags) + 1) // 2, sharex=True, sharey=True)
        for axes, lag in zip(panels.flat, lags, strict=False):
            for cell in CELLS:
                color = STYLE[cell][1]
                (run,) = [r for r in select(runs, cell, lag) if r.config.seed == seed]
                axes.plot(run.checkpoints, run.validation_mse, "-", color=color,
                          label=cell.upper())  # fmt: skip
            axes.axhline(
                BASELINE_MSE, color="0.4", linestyle=":", label=words["baseline"]
            )
            axes.set_yscale("log")
            axes.set_title(words["panel"].format(lag))
            axes.grid(alpha=0.3)
        for axes in panels[-1]:
            axes.set_xlabel(words["updates"])
        for axes in panels[:, 0]:
            axes.set_ylabel(words["validation mse"])
        panels.flat[0].legend(loc="lower left", fontsize="small")
    return figure


def sensitivity_figure(
    runs: Sequence[LagRun], lag: int, language: Language, seed: int = 0
) -> Figure:
    """``|∂y/∂x_t|`` of each trained model against the step t, at one lag."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(6.4, 3.2), layout="constrained")
        axes = figure.add_subplot()
        axes.axvspan(1, lag // 2 - 1, color="0.92", label=words["marked"])
        for cell in CELLS:
            _, color = STYLE[cell]
            (run,) = [r for r in select(runs, cell, lag) if r.config.seed == seed]
            steps = np.arange(1, len(run.sensitivity) + 1)
            axes.plot(steps, run.sensitivity, color=color, label=cell.upper())
        axes.set_yscale("log")
        axes.set_xlabel(words["step"])
        axes.set_ylabel(words["sensitivity"])
        axes.grid(alpha=0.3)
        axes.legend(loc="lower right")
    return figure
