"""The speed record as the site shows it: an HTML table and the facts in the prose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from lstm_book.experiments.benchmarks.recorded import (
    Comparison,
    Size,
    SpeedRecord,
    Timing,
    comparisons,
)

Language = Literal["en", "zh_CN"]
SMALLEST: Size = (128, 8, 2, 16)
MIDDLE: Size = (32, 50, 64, 128)
LARGEST: Size = (64, 100, 256, 512)
HEADERS: dict[Language, tuple[str, ...]] = {
    "en": ("B, T, I, H", "mode", "dtype"),
    "zh_CN": ("B, T, I, H", "模式", "数据类型"),
}
MODES: dict[Language, dict[str, str]] = {
    "en": {"train": "training step", "forward": "forward only"},
    "zh_CN": {"train": "训练步", "forward": "仅前向"},
}
CAPTIONS: dict[Language, str] = {
    "en": "Median ms per step; the quartiles in brackets.",
    "zh_CN": "每步耗时的中位数（毫秒），括号内为上下四分位数。",
}


def _number(value: float) -> str:
    """Three significant digits, without exponents: 0.142, 21.1, 563, 1,317."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _milliseconds(timing: Timing | None) -> str:
    if timing is None:
        return "–"
    low, high = _number(timing.q1_ms), _number(timing.q3_ms)
    return f"{_number(timing.median_ms)} ({low}–{high})"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class Column:
    """One column of the table: its header in each language and its cells."""

    headers: dict[Language, str]
    cell: Callable[[Comparison], str]
    needs: tuple[str, ...]
    """The implementations the column shows: it is left out unless some row has
    them all."""

    def shown(self, rows: list[Comparison]) -> bool:
        """Whether some row has every implementation the column needs."""
        return any(all(getattr(row, n) is not None for n in self.needs) for row in rows)


def _times(name: str, en: str, zh: str) -> Column:
    return Column(
        {"en": f"{en} (ms)", "zh_CN": f"{zh}（毫秒）"},
        lambda row: _milliseconds(getattr(row, name)),
        (name,),
    )


def _over(ratio: str, needs: tuple[str, ...], en: str, zh: str) -> Column:
    return Column(
        {"en": en, "zh_CN": zh}, lambda row: _ratio(getattr(row, ratio)), needs
    )


COLUMNS = (
    _times("generated", "generated", "生成的代码"),
    _times("numba", "Numba per step", "Numba 逐步"),
    _times("numba_sequence", "Numba whole sequence", "Numba 整个序列"),
    _times("torch", "torch", "torch"),
    _times("torch_native", "torch, oneDNN off", "torch，关闭 oneDNN"),
    _times("gemm", "GEMM bound", "GEMM 下界"),
    _over(
        "generated_over_torch",
        ("generated", "torch"),
        "generated / torch",
        "生成的代码 / torch",
    ),
    _over(
        "generated_over_gemm",
        ("generated", "gemm"),
        "generated / GEMM",
        "生成的代码 / GEMM",
    ),
    _over(
        "numba_over_torch",
        ("numba", "torch"),
        "Numba per step / torch",
        "Numba 逐步 / torch",
    ),
    _over(
        "numba_sequence_over_torch",
        ("numba_sequence", "torch"),
        "Numba whole sequence / torch",
        "Numba 整个序列 / torch",
    ),
    _over(
        "numba_sequence_over_torch_native",
        ("numba_sequence", "torch_native"),
        "Numba whole sequence / torch, oneDNN off",
        "Numba 整个序列 / torch，关闭 oneDNN",
    ),
    _over(
        "numba_sequence_over_gemm",
        ("numba_sequence", "gemm"),
        "Numba whole sequence / GEMM",
        "Numba 整个序列 / GEMM",
    ),
)
"""The table's columns after size, mode and dtype, in order."""


def speed_table_html(
    record: SpeedRecord, cell: str = "lstm", language: Language = "en"
) -> str:
    """One row per (size, mode, dtype): the medians and the ratios to torch and GEMM.

    The NumPy backend ("generated"), the compiled kernels per step and the whole
    sequence in one compiled call, torch (and torch's own loop without oneDNN,
    timed for the float32 LSTM) and the GEMM bound; then the ratios. A column whose
    implementation the record does not time for this cell is left out.
    """
    rows_of_cell = [row for row in comparisons(record) if row.cell == cell]
    columns = [column for column in COLUMNS if column.shown(rows_of_cell)]
    headers = HEADERS[language] + tuple(c.headers[language] for c in columns)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    rows = []
    for row in rows_of_cell:
        cells: tuple[str, ...] = (
            ", ".join(map(str, row.size)),
            MODES[language][row.mode],
            row.dtype,
            *(column.cell(row) for column in columns),
        )
        tds = "".join(
            f'<td style="white-space: nowrap">{escape(c)}</td>' for c in cells
        )
        rows.append(f"<tr>{tds}</tr>")
    # The table scrolls sideways on a phone instead of squeezing its columns.
    return (
        '<div style="overflow-x: auto"><table class="table speed-table">'
        f'<caption style="text-align: left">{escape(CAPTIONS[language])}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def headline_ratios(record: SpeedRecord, cell: str = "lstm") -> dict[str, float]:
    """generated / GEMM bound and generated / torch at the smallest, middle and
    largest size; the same for Numba per step and for the whole sequence, their
    ratios to torch with oneDNN off, and the GEMM bound's to torch."""
    training: dict[tuple[Size, str], Comparison] = {
        (row.size, row.dtype): row
        for row in comparisons(record)
        if row.cell == cell and row.mode == "train"
    }
    ratios: dict[str, float] = {}
    for name, size in (("small", SMALLEST), ("middle", MIDDLE), ("large", LARGEST)):
        for dtype in ("float32", "float64"):
            row = training.get((size, dtype))
            if row is None and name == "middle":
                continue  # a quick run may skip it; the chapter's record has it
            if row is None:
                msg = f"the record has no {cell} training step at {size} in {dtype}"
                raise KeyError(msg)
            short = dtype.replace("float", "f")
            if row.generated_over_gemm is not None:
                ratios[f"{name}_gemm_{short}"] = row.generated_over_gemm
            if row.generated_over_torch is not None:
                ratios[f"{name}_torch_{short}"] = row.generated_over_torch
            if row.numba_over_torch is not None:
                ratios[f"{name}_numba_torch_{short}"] = row.numba_over_torch
            if row.numba_over_gemm is not None:
                ratios[f"{name}_numba_gemm_{short}"] = row.numba_over_gemm
            if row.numba_over_torch_native is not None:
                ratios[f"{name}_numba_native_{short}"] = row.numba_over_torch_native
            for key, value in (
                ("sequence_torch", row.numba_sequence_over_torch),
                ("sequence_gemm", row.numba_sequence_over_gemm),
                ("sequence_native", row.numba_sequence_over_torch_native),
            ):
                if value is not None:
                    ratios[f"{name}_{key}_{short}"] = value
            if row.gemm_over_torch is not None:
                ratios[f"{name}_gemm_torch_{short}"] = row.gemm_over_torch
    return ratios


def whole_sequence_range(record: SpeedRecord) -> dict[str, float]:
    """The whole sequence's ratio to torch over every configuration of every cell.

    ``sequence_torch_min`` and ``sequence_torch_max``, the number of configurations
    ``configurations`` and how many of them take at most torch's time
    (``sequence_at_most_torch``); empty when the record has no whole-sequence
    timing.
    """
    ratios = [
        ratio
        for row in comparisons(record)
        if (ratio := row.numba_sequence_over_torch) is not None
    ]
    if not ratios:
        return {}
    return {
        "sequence_torch_min": min(ratios),
        "sequence_torch_max": max(ratios),
        "configurations": len(ratios),
        "sequence_at_most_torch": sum(ratio <= 1 for ratio in ratios),
    }


def machine_facts(record: SpeedRecord) -> dict[str, str | int | float]:
    """What the chapter says about the machine and the settings, by key."""
    machine, settings = record.machine, record.settings
    openblas: dict[str, Any] = next(
        (
            library
            for library in machine.get("blas_gemm", [])
            if library.get("internal_api") == "openblas"
        ),
        {},
    )
    return {
        "cpu": str(machine["cpu"]),
        "cores": int(machine["cores"]),
        "date": str(machine["date"])[:10],
        "load_start": float(machine["load_average_start"][0]),
        "load_end": float(machine["load_average_end"][0]),
        "numpy": str(machine["numpy"]),
        "openblas": str(openblas.get("version", "unknown")),
        "kernel": str(openblas.get("architecture", "unknown")),
        "torch": str(machine["torch"]),
        "torch_blas": str(machine["torch_blas"]),
        "threads": int(settings["threads"]),
        "rounds": int(settings["rounds"]),
        "repeats": int(settings["repeats"]),
        "minutes": float(machine["seconds"]) / 60,
    }
