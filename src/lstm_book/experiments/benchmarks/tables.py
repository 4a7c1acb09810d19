"""The speed record as the site shows it: an HTML table and the facts in the prose."""

from __future__ import annotations

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
    "en": (
        "B, T, I, H",
        "mode",
        "dtype",
        "generated (ms)",
        "torch (ms)",
        "GEMM bound (ms)",
        "generated / torch",
        "generated / GEMM",
    ),
    "zh_CN": (
        "B, T, I, H",
        "模式",
        "数据类型",
        "生成的代码（毫秒）",
        "torch（毫秒）",
        "GEMM 下界（毫秒）",
        "生成的代码 / torch",
        "生成的代码 / GEMM",
    ),
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


NUMBA_HEADERS: dict[Language, tuple[str, ...]] = {
    "en": ("Numba (ms)", "Numba / torch"),
    "zh_CN": ("Numba（毫秒）", "Numba / torch"),
}
"""The compiled backend's columns, shown when the record times it."""

NATIVE_HEADERS: dict[Language, tuple[str, ...]] = {
    "en": ("torch, oneDNN off (ms)", "Numba / torch, oneDNN off"),
    "zh_CN": ("torch，关闭 oneDNN（毫秒）", "Numba / torch，关闭 oneDNN"),
}
"""torch's own loop (oneDNN off), shown when the record times it."""


def speed_table_html(
    record: SpeedRecord, cell: str = "lstm", language: Language = "en"
) -> str:
    """One row per (size, mode, dtype): the medians and the ratios to torch and GEMM.

    The NumPy backend ("generated") first; the compiled (Numba) backend's median
    and ratio to torch follow when the record has them, then torch without oneDNN
    (its own loop, timed for the float32 LSTM) and Numba's ratio to it.
    """
    rows_of_cell = [row for row in comparisons(record) if row.cell == cell]
    with_numba = any(row.numba is not None for row in rows_of_cell)
    with_native = any(row.torch_native is not None for row in rows_of_cell)
    headers = HEADERS[language] + (NUMBA_HEADERS[language] if with_numba else ())
    headers += NATIVE_HEADERS[language] if with_native else ()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    rows = []
    for row in rows_of_cell:
        cells: tuple[str, ...] = (
            ", ".join(map(str, row.size)),
            MODES[language][row.mode],
            row.dtype,
            _milliseconds(row.generated),
            _milliseconds(row.torch),
            _milliseconds(row.gemm),
            _ratio(row.generated_over_torch),
            _ratio(row.generated_over_gemm),
        )
        if with_numba:
            cells += (_milliseconds(row.numba), _ratio(row.numba_over_torch))
        if with_native:
            cells += (
                _milliseconds(row.torch_native),
                _ratio(row.numba_over_torch_native),
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
    largest size; the same for Numba, its ratio to torch with oneDNN off, and the
    GEMM bound's to torch."""
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
            if row.gemm_over_torch is not None:
                ratios[f"{name}_gemm_torch_{short}"] = row.gemm_over_torch
    return ratios


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
