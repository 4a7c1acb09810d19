"""How the pages show a gradient check: tables, per-array lines and a figure.

The gradient-check chapter and the appendix page on a blog's wrong backward pass
show checks the same way, in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_book.site.html_table import Html
from lstm_book.site.language import FigureImage, Language, figure_fonts
from lstm_derive import gradcheck
from lstm_derive.gradcheck import GradRow

LegendCorner = Literal["upper left", "upper right", "lower left", "lower right"]
LINE = re.compile(
    r"(?P<entry>\w+ \([\d,]+\)) numeric: (?P<numeric>\S+) backward: (?P<backward>\S+) "
    r"rel_error: (?P<rel_error>\S+) (?P<verdict>\[\w+\])"
)
COLUMNS = {
    "en": ("entry", "numeric", "backward", "rel_error", "verdict"),
    "zh": ("元素", "数值梯度", "反向传播梯度", "相对误差", "判定"),
}
WORDS = {
    "en": {"tolerance": "tolerance", "entry": "entry", "relative error": "relative error",
           "generated LSTM": "generated LSTM", "wrong backward": "wrong backward"},
    "zh": {"tolerance": "容差", "entry": "元素序号", "relative error": "相对误差",
           "generated LSTM": "生成的 LSTM", "wrong backward": "错误的反向传播"},
}  # fmt: skip
FLOOR = 1e-18
"""An exact match (relative error 0) is drawn at this floor."""


def summary(rows: Sequence[GradRow], language: Language) -> str:
    """One line over the rows: entries, largest relative error, failures."""
    if language == "en":
        return gradcheck.summary(list(rows))
    worst = max(row.rel_error for row in rows)
    failed = sum(not row.ok for row in rows)
    verdict = "全部通过" if failed == 0 else f"{failed} 个失败"
    return f"共检验 {len(rows)} 个元素，最大相对误差 {worst:.1e}：{verdict}"


def table(rows: Sequence[GradRow], table_id: str, language: Language) -> Html:
    """The rows as a NumPy LSTM's README prints them, an HTML table collapsed under
    a summary."""
    body = []
    for row in rows:
        match = LINE.fullmatch(" ".join(row.line().split()))
        assert match is not None
        cells = match.groupdict()
        verdict_class = "gc-ok" if row.ok else "gc-fail"
        body.append(
            f'<tr class="{verdict_class}">'
            + "".join(f"<td>{cells[key]}</td>" for key in COLUMNS["en"])
            + "</tr>"
        )
    head = "".join(f"<th>{name}</th>" for name in COLUMNS[language])
    return Html(
        f"<details><summary>{summary(rows, language)}</summary>"
        f'<table id="{table_id}" class="table gradcheck"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></details>"
    )


def by_array(rows: Sequence[GradRow]) -> str:
    """Per array: entries, largest relative error, failures."""
    names = list(dict.fromkeys(row.name for row in rows))
    lines = [f"{'array':>8} {'entries':>8} {'max rel_error':>14} {'FAIL':>6}"]
    for name in names:
        mine = [row for row in rows if row.name == name]
        worst = max(row.rel_error for row in mine)
        failed = sum(not row.ok for row in mine)
        lines.append(f"{name:>8} {len(mine):>8} {worst:>14.1e} {failed:>6}")
    return "\n".join(lines)


def plot_errors(
    ax: Axes, rows: Sequence[GradRow], title: str, language: Language,
    legend_at: LegendCorner = "upper left",
) -> None:  # fmt: skip
    """Every entry's relative error on a log scale, with the tolerance as a line."""
    words = WORDS[language]
    names = list(dict.fromkeys(row.name for row in rows))
    palette = ["#1f4e9c", "#2e8b57", "#8e44ad", "#d35400", "#7f8c8d", "#b7950b"]
    colours = dict(zip(names, palette, strict=False))
    for name in names:
        positions = [k for k, row in enumerate(rows) if row.name == name]
        errors = [max(rows[k].rel_error, FLOOR) for k in positions]
        code_name = name.replace("_", r"\_")  # an array's name, set as code
        ax.scatter(
            positions,
            errors,
            s=9,
            color=colours[name],
            label=rf"$\mathtt{{{code_name}}}$",
        )
    ax.axhline(
        gradcheck.TOLERANCE, color="#c0392b", ls="--", lw=1.2, label=words["tolerance"]
    )
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, 10)
    ax.set_xlabel(words["entry"])
    ax.set_ylabel(words["relative error"])
    ax.set_title(words[title])
    ax.legend(fontsize=8, ncol=3, loc=legend_at, frameon=True, facecolor="white")


def errors_figure(
    runs: Sequence[tuple[Sequence[GradRow], str, LegendCorner]], language: Language
) -> FigureImage:
    """One panel of relative errors per (rows, title, legend place) in ``runs``."""
    with figure_fonts():
        figure = Figure(
            figsize=(9 if len(runs) == 1 else 10, 3.6),
            facecolor="white",
            layout="tight",
        )
        panels = figure.subplots(1, len(runs), sharey=True, squeeze=False)[0]
        for ax, (checked, title, legend_at) in zip(panels, runs, strict=True):
            plot_errors(ax, checked, title, language, legend_at)
    return FigureImage(figure, language)
