"""Inside the bit-serial adder: the carries, the correlations, and the carry unit of
the trained adder that the site's chapter opens."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book.experiments.adder_inside import analysis, plots
from lstm_book.experiments.binary_addition import bit_serial, data
from lstm_book.site.language import LANGUAGES, Language, drawn_words, english_words


@pytest.fixture(scope="module")
def adder() -> bit_serial.SerialRun:
    """The chapter's adder: chapter 8's settings and seed."""
    return bit_serial.train_serial()


@pytest.fixture(scope="module")
def traces(adder: bit_serial.SerialRun) -> analysis.Traces:
    """The chapter's measurement: 2000 random additions of 16-bit numbers."""
    return analysis.random_traces(adder.model, 2000, 16, np.random.default_rng(1))


def test_carries_are_those_of_written_addition() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2**10, 300), rng.integers(0, 2**10, 300)
    a_bits = data.to_bits(a, 11, lsb_first=True).astype(np.int64)
    b_bits = data.to_bits(b, 11, lsb_first=True).astype(np.int64)
    carry = analysis.carries(a_bits, b_bits)
    for t in range(11):  # the carry out of column t: the low t + 1 bits overflow
        low = 2 ** (t + 1)
        assert np.array_equal(carry[:, t], ((a % low) + (b % low) >= low).astype(int))


def test_correlations_of_a_copy_a_negated_copy_and_a_constant() -> None:
    target = np.array([[0, 1, 1, 0, 1]])
    values = np.stack([target, -3 * target + 2, np.full_like(target, 5)], axis=-1)
    assert np.allclose(analysis.correlations(values.astype(float), target), [1, -1, 0])


def test_the_carry_unit_follows_the_carry_closely(traces: analysis.Traces) -> None:
    carry = analysis.find_carry_unit(traces)
    assert carry.correlation > 0.9
    others = np.delete(np.abs(carry.hidden_correlations), carry.unit)
    assert others.max() < carry.correlation
    # the chapter's explanation: the cell state, unsquashed, follows it less
    assert abs(carry.cell_correlations[carry.unit]) < carry.correlation


def test_the_gate_table_reads_as_the_chapter_says(traces: analysis.Traces) -> None:
    carry = analysis.find_carry_unit(traces)
    rows = analysis.gate_table(traces, carry)
    assert [(row.kind, row.carry_in) for row in rows] == [
        (kind, k) for kind in analysis.KINDS for k in (0, 1)
    ]
    assert sum(row.count for row in rows) == traces.carry.size
    mean = {(row.kind, row.carry_in): row.means for row in rows}
    assert max(mean["kill", k]["f"] for k in (0, 1)) < min(
        mean["generate", k]["f"] for k in (0, 1)
    )
    assert max(mean["kill", k]["g"] for k in (0, 1)) < 0
    assert min(mean["generate", k]["g"] for k in (0, 1)) > 0
    # signed so that "carry" is positive: the state is high where a carry leaves
    leaving = traces.carry == 1
    signed = analysis.signed_unit(traces, carry, "h")
    assert signed[leaving].mean() > 0 > signed[~leaving].mean()


def test_silencing_the_carry_unit_breaks_sums(adder: bit_serial.SerialRun) -> None:
    pairs = data.all_pairs()
    before = {name: array.copy() for name, array in adder.model.params.items()}
    traces = analysis.random_traces(adder.model, 500, 16, np.random.default_rng(1))
    unit = analysis.find_carry_unit(traces).unit
    silent = analysis.silenced(adder.model, unit)
    assert bit_serial.pairs_accuracy(silent, pairs) < 0.8
    assert not silent.params["0.W_h"][unit].any()
    for name, array in adder.model.params.items():  # the adder itself is unchanged
        assert np.array_equal(array, before[name])
    assert bit_serial.pairs_accuracy(adder.model, pairs) == 1.0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_figures_are_drawn_in_the_page_language(
    traces: analysis.Traces, language: Language
) -> None:
    carry = analysis.find_carry_unit(traces)
    figures = [
        plots.states_figure(traces, carry, [0, 1], language),
        plots.correlation_figure(carry, language),
        plots.carry_unit_figure(traces, carry, [0, 1, 2], language),
    ]
    for figure in figures:
        words = drawn_words(figure)
        english = [w for w in words if english_words(w)]
        assert (english == []) if language == "zh" else english
