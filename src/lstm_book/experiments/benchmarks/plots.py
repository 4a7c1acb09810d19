"""The speed figure of the site, in English or Chinese.

One panel per (size, mode): the median time of a step for each implementation and
dtype, the quartiles as error bars, on a log scale; a last panel compares the
peak memory of a training step at the largest size. Built with
:class:`matplotlib.figure.Figure` (no pyplot state); a notebook displays it.
"""

from __future__ import annotations

import base64
import io
from typing import Literal

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_book.experiments.benchmarks.recorded import (
    Comparison,
    Size,
    SpeedRecord,
    Timing,
    comparisons,
)

Language = Literal["en", "zh_CN"]
IMPLEMENTATIONS = (
    "generated",
    "numba",
    "numba_sequence",
    "torch",
    "torch_native",
    "gemm",
)
COLOURS = {
    "generated": "#1f77b4",
    "numba": "#98df8a",
    "numba_sequence": "#2ca02c",
    "torch": "#d62728",
    "torch_native": "#ff9896",
    "gemm": "#7f7f7f",
}
WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "generated": "generated (NumPy)",
        "numba": "generated (Numba, per step)",
        "numba_sequence": "generated (Numba, whole sequence)",
        "torch": "torch.nn.{cell}",
        "torch_native": "torch.nn.{cell}, oneDNN off",
        "gemm": "GEMM bound (NumPy)",
        "train": "training step",
        "forward": "forward only",
        "time": "ms per step (median)",
        "memory": "peak memory of a training step",
        "mib": "MiB (peak RSS growth)",
    },
    "zh_CN": {
        "generated": "生成的代码（NumPy）",
        "numba": "生成的代码（Numba，逐步）",
        "numba_sequence": "生成的代码（Numba，整个序列）",
        "torch": "torch.nn.{cell}",
        "torch_native": "torch.nn.{cell}（关闭 oneDNN）",
        "gemm": "GEMM 下界（NumPy）",
        "train": "训练步",
        "forward": "仅前向",
        "time": "每步毫秒（中位数）",
        "memory": "一个训练步的峰值内存",
        "mib": "MiB（峰值常驻内存增量）",
    },
}
FONTS: dict[Language, list[str]] = {
    "en": ["DejaVu Sans"],
    "zh_CN": ["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"],
}


def speed_figure(
    record: SpeedRecord, cell: str = "lstm", language: Language = "en"
) -> Figure:
    """Median step time per size and dtype for every implementation, and memory."""
    words = WORDS[language]
    rows = [row for row in comparisons(record) if row.cell == cell]
    shown = present(rows)
    groups: dict[tuple[Size, str], list[Comparison]] = {}
    for row in rows:
        groups.setdefault((row.size, row.mode), []).append(row)
    with mpl.rc_context({"font.family": FONTS[language]}):
        figure = Figure(figsize=(10, 6.4), layout="constrained")
        panels = figure.subplots(2, 3).ravel()
        for axes, group in zip(panels[:-1], groups.values(), strict=False):
            _time_panel(axes, group, words, shown)
        _memory_panel(panels[-1], rows, words, shown)
        for axes in panels[len(groups) : -1]:
            axes.set_visible(False)
        handles = [
            mpl.patches.Patch(color=COLOURS[name], label=_name(name, cell, words))
            for name in shown
        ]
        figure.legend(
            handles=handles, loc="outside lower center", ncols=min(len(shown), 3)
        )
    return figure


def present(rows: list[Comparison]) -> tuple[str, ...]:
    """The implementations the rows time, in the figure's order (older records have
    no ``numba``, ``numba_sequence`` nor ``torch_native``)."""
    return tuple(
        name
        for name in IMPLEMENTATIONS
        if any(getattr(row, name) is not None for row in rows)
    )


def _bar_offset(k: int, count: int, width: float) -> float:
    """The x offset of the k-th of ``count`` bars centred on a tick."""
    return (k - (count - 1) / 2) * width


def _name(implementation: str, cell: str, words: dict[str, str]) -> str:
    return words[implementation].format(cell=cell.upper())


def _time_panel(
    axes: Axes, group: list[Comparison], words: dict[str, str], shown: tuple[str, ...]
) -> None:
    """Bars of one (size, mode): both dtypes, every implementation, quartiles."""
    width = 0.8 / len(shown)
    for row in group:
        for k, name in enumerate(shown):
            timing: Timing | None = getattr(row, name)
            if timing is None:
                continue
            x = (0 if row.dtype == "float32" else 1) + _bar_offset(k, len(shown), width)
            axes.bar(x, timing.median_ms, width, color=COLOURS[name])
            low = timing.median_ms - timing.q1_ms
            high = timing.q3_ms - timing.median_ms
            axes.errorbar(
                x,
                timing.median_ms,
                yerr=[[low], [high]],
                color="black",
                capsize=2,
                linewidth=1,
            )
    batch, steps, inputs, hidden = group[0].size
    mode = words[group[0].mode]
    axes.set_title(f"B={batch} T={steps} I={inputs} H={hidden}\n{mode}", fontsize=9)
    axes.set_xticks([0, 1], ["float32", "float64"])
    axes.set_ylabel(words["time"], fontsize=8)
    axes.grid(axis="y", alpha=0.3)


def _memory_panel(
    axes: Axes, rows: list[Comparison], words: dict[str, str], shown: tuple[str, ...]
) -> None:
    train = [row for row in rows if row.mode == "train"]
    largest = max(
        (row.size for row in train), key=lambda size: size[0] * size[1] * size[3]
    )
    width = 0.8 / len(shown)
    for row in (r for r in train if r.size == largest):
        for k, name in enumerate(shown):
            timing: Timing | None = getattr(row, name)
            if timing is None:
                continue
            x = (0 if row.dtype == "float32" else 1) + _bar_offset(k, len(shown), width)
            axes.bar(x, timing.peak_rss_growth_mib, width, color=COLOURS[name])
    batch, steps, inputs, hidden = largest
    axes.set_title(
        f"{words['memory']}\nB={batch} T={steps} I={inputs} H={hidden}", fontsize=9
    )
    axes.set_xticks([0, 1], ["float32", "float64"])
    axes.set_ylabel(words["mib"], fontsize=8)
    axes.grid(axis="y", alpha=0.3)


def as_html_image(figure: Figure, alt: str) -> str:
    """The figure as an ``<img>`` with the PNG inline (a data URI), for glue.

    A glued HTML output survives the translated page: the Chinese paragraph can
    name the Chinese figure's key, which the site resolves from the same run.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img class="speed-figure" alt="{alt}" style="max-width: 100%" '
        f'src="data:image/png;base64,{data}">'
    )
