"""The speed record's reader, table and figure (what the Speed chapter shows)."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure

from lstm_book.experiments.benchmarks import plots, recorded, tables

PLAN = [
    ((128, 8, 2, 16), "train"),
    ((64, 100, 256, 512), "train"),
    ((1, 100, 32, 128), "forward"),
]
MEDIANS = {"generated": 3.0, "torch": 2.0, "gemm": 1.0}


def synthetic_record() -> recorded.SpeedRecord:
    timings = [
        recorded.Timing(
            implementation,
            "lstm",
            size,
            dtype,
            mode,
            [median * 0.9, median, median * 1.2],
            10 * median,
        )
        for size, mode in PLAN
        for dtype in ("float32", "float64")
        for implementation, median in MEDIANS.items()
    ]
    machine = {
        "cpu": "a CPU",
        "cores": 2,
        "date": "2026-11-26T07:00:00+00:00",
        "load_average_start": [1.5, 1.0, 1.0],
        "load_average_end": [2.5, 1.0, 1.0],
        "numpy": "2.3",
        "torch": "2.13.0",
        "torch_blas": "mkl",
        "seconds": 120,
        "blas_gemm": [
            {"internal_api": "openblas", "version": "0.3", "architecture": "Zen"}
        ],
    }
    return recorded.SpeedRecord(
        machine, {"threads": 2, "rounds": 2, "repeats": 3}, timings
    )


def test_a_record_survives_json() -> None:
    record = synthetic_record()
    again = recorded.from_json(recorded.to_json(record))
    assert again == record
    timing = again.timings[0]
    assert (timing.min_ms, timing.median_ms, timing.max_ms) == pytest.approx(
        (2.7, 3.0, 3.6)
    )
    assert timing.q1_ms == pytest.approx(2.85)  # inclusive quartiles stay in range


def test_ratios_and_machine_facts() -> None:
    record = synthetic_record()
    ratios = tables.headline_ratios(record)
    assert ratios["small_gemm_f32"] == pytest.approx(3.0)
    assert ratios["large_torch_f64"] == pytest.approx(1.5)
    facts = tables.machine_facts(record)
    assert facts["kernel"] == "Zen"
    assert facts["minutes"] == pytest.approx(2.0)
    assert facts["date"] == "2026-11-26"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_table_has_a_row_per_configuration(language: tables.Language) -> None:
    html = tables.speed_table_html(synthetic_record(), "lstm", language)
    assert html.count("<tr>") == 1 + 2 * len(PLAN)  # the header and the rows
    assert html.count("<td") == 8 * 2 * len(PLAN)
    assert "3 (2.85–3.3)" in html  # median (quartiles) of generated
    assert html.count(">1.50</td>") == 2 * len(PLAN)  # generated / torch
    english_words = re.findall(r"\b(?:mode|training|forward|bound)\b", html)
    assert bool(english_words) == (language == "en")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_figure_has_a_panel_per_size_and_the_memory(language: plots.Language) -> None:
    figure = plots.speed_figure(synthetic_record(), "lstm", language)
    assert isinstance(figure, Figure)
    shown = [axes for axes in figure.axes if axes.get_visible()]
    assert len(shown) == len(PLAN) + 1
    titles = " ".join(axes.get_title() for axes in shown)
    assert ("training step" in titles) == (language == "en")
    assert ("训练步" in titles) == (language == "zh_CN")
    image = plots.as_html_image(figure, "alt")
    assert image.startswith('<img class="speed-figure" alt="alt"')
    assert "data:image/png;base64," in image


def test_a_record_with_the_compiled_backend_lines_it_up() -> None:
    """A record may time the numba backend too: the table and figure gain it."""
    record = synthetic_record()
    extra = [
        recorded.Timing(
            "numba",
            t.cell,
            t.size,
            t.dtype,
            t.mode,
            [0.5, 0.5, 0.5],
            t.peak_rss_growth_mib,
        )
        for t in record.timings
        if t.implementation == "torch"
    ]
    with_numba = recorded.SpeedRecord(
        record.machine, record.settings, record.timings + extra
    )
    again = recorded.from_json(recorded.to_json(with_numba))
    assert again == with_numba
    for row in recorded.comparisons(again):
        assert row.numba is not None
        assert row.numba_over_torch == pytest.approx(0.25)
        assert row.numba_over_gemm == pytest.approx(0.5)
    for row in recorded.comparisons(record):
        assert row.numba is None
        assert row.numba_over_torch is None
    html = tables.speed_table_html(again, "lstm", "en")
    assert html.count("<th>") == 8 + 2  # Numba's median and its ratio to torch
    assert html.count(">0.25</td>") == 2 * len(PLAN)
    assert "<th>Numba" not in tables.speed_table_html(record, "lstm", "en")
    ratios = tables.headline_ratios(again)
    assert ratios["large_numba_torch_f64"] == pytest.approx(0.25)
    figure = plots.speed_figure(again, "lstm", "en")
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert "generated (Numba, per step)" in legend
    assert plots.present(recorded.comparisons(record)) == ("generated", "torch", "gemm")


def test_torch_without_onednn_gets_its_columns_where_timed() -> None:
    """torch's own loop (oneDNN off), timed for the float32 LSTM, joins the table."""
    record = synthetic_record()
    extra = [
        recorded.Timing(
            implementation,
            t.cell,
            t.size,
            t.dtype,
            t.mode,
            [value] * 3,
            t.peak_rss_growth_mib,
        )
        for t in record.timings
        if t.implementation == "torch"
        for implementation, value in (("numba", 0.5), ("torch_native", 4.0))
        if implementation == "numba" or t.dtype == "float32"
    ]
    both = recorded.SpeedRecord(record.machine, record.settings, record.timings + extra)
    for row in recorded.comparisons(recorded.from_json(recorded.to_json(both))):
        if row.dtype == "float32":
            assert row.numba_over_torch_native == pytest.approx(0.125)
        else:
            assert row.torch_native is None
            assert row.numba_over_torch_native is None
    for language in ("en", "zh_CN"):
        html = tables.speed_table_html(both, "lstm", language)
        assert html.count("<th>") == 8 + 2 + 1  # (no whole-sequence timing to compare)
        assert "oneDNN" in html
    assert plots.present(recorded.comparisons(both))[-2:] == ("torch_native", "gemm")
    assert tables.headline_ratios(both)["large_numba_native_f32"] == pytest.approx(
        0.125
    )


def test_the_whole_sequence_gets_its_columns_bars_and_ratios() -> None:
    """Numba per step, Numba's whole sequence and torch's own loop, side by side."""
    record = synthetic_record()
    extra = [
        recorded.Timing(
            implementation,
            t.cell,
            t.size,
            t.dtype,
            t.mode,
            [value] * 3,
            t.peak_rss_growth_mib,
        )
        for t in record.timings
        if t.implementation == "torch"
        for implementation, value in (
            ("numba", 0.5),
            ("numba_sequence", 0.25),
            ("torch_native", 4.0),
        )
        if implementation != "torch_native" or t.dtype == "float32"
    ]
    full = recorded.from_json(
        recorded.to_json(
            recorded.SpeedRecord(
                record.machine, record.settings, record.timings + extra
            )
        )
    )
    for row in recorded.comparisons(full):
        assert row.numba_sequence is not None
        assert row.numba_sequence_over_torch == pytest.approx(0.125)
        assert row.numba_sequence_over_gemm == pytest.approx(0.25)
        expected = 1 / 16 if row.dtype == "float32" else None
        assert row.numba_sequence_over_torch_native == (
            None if expected is None else pytest.approx(expected)
        )
    for language in ("en", "zh_CN"):
        html = tables.speed_table_html(full, "lstm", language)
        # size, mode, dtype; six medians; six ratios
        assert html.count("<th>") == 3 + 6 + 6
        assert html.count(">0.12</td>") == 2 * len(PLAN)  # whole sequence / torch
        assert ("whole sequence" in html) == (language == "en")
        assert ("整个序列" in html) == (language == "zh_CN")
    ratios = tables.headline_ratios(full)
    assert ratios["small_sequence_gemm_f32"] == pytest.approx(0.25)
    assert ratios["large_sequence_torch_f64"] == pytest.approx(0.125)
    assert ratios["small_sequence_native_f32"] == pytest.approx(1 / 16)
    assert "small_sequence_native_f64" not in ratios
    assert tables.whole_sequence_range(full) == {
        "sequence_torch_min": pytest.approx(0.125),
        "sequence_torch_max": pytest.approx(0.125),
        "configurations": 2 * len(PLAN),
        "sequence_at_most_torch": 2 * len(PLAN),
    }
    assert tables.whole_sequence_range(record) == {}
    assert plots.present(recorded.comparisons(full)) == plots.IMPLEMENTATIONS
    legends: dict[plots.Language, str] = {"en": "whole sequence", "zh_CN": "整个序列"}
    for language, words in legends.items():
        figure = plots.speed_figure(full, "lstm", language)
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        assert sum(words in label for label in legend) == 1
