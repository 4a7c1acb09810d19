"""Inside the bit-serial adder: which unit holds the carry, and what its gates do.

The bit-serial adder (:mod:`lstm_book.experiments.binary_addition.bit_serial`)
reads one column of two binary numbers per step, least significant first. A
circuit that adds this way keeps one bit between columns, the carry. This module
runs a trained adder on many additions, keeps every gate and state of every step
(``Recurrent.values``), and measures, for each unit, how closely its state
follows the true carry: the Pearson correlation over every step of every
addition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_book.experiments.binary_addition.bit_serial import (
    build_serial_model,
    pairs_accuracy,
    serial_inputs,
)
from lstm_book.experiments.binary_addition.data import random_operands
from lstm_derive import nn
from lstm_derive.nn.layer import Array

NAMES = ("f", "i", "g", "o", "c", "h")
"""The LSTM's three gates and its candidate, then its two states."""
KINDS = ("kill", "propagate", "generate")
"""A column by its two bits: none is 1 (no carry can leave it), one is 1 (the
carry in leaves as it came), both are 1 (a carry leaves whatever came in)."""


def carries(a_bits: Array, b_bits: Array) -> Array:
    """The carry out of each column: [N, steps] of 0/1, columns least significant first."""
    carry = np.zeros(a_bits.shape, dtype=np.int64)
    previous = np.zeros(a_bits.shape[0], dtype=np.int64)
    for step in range(a_bits.shape[1]):
        previous = (a_bits[:, step] + b_bits[:, step] + previous >= 2).astype(np.int64)
        carry[:, step] = previous
    return carry


@dataclass(frozen=True)
class Traces:
    """Every gate and state of the adder over the steps of N additions."""

    a_bits: Array
    """[N, steps]: the bits of a, least significant first (a last zero)."""
    b_bits: Array
    carry: Array
    """[N, steps]: the true carry out of each column."""
    values: dict[str, Array]
    """For each of :data:`NAMES`: [N, steps, hidden]."""
    probability: Array
    """[N, steps]: the adder's probability that the sum bit is 1."""

    @property
    def carry_in(self) -> Array:
        """[N, steps]: the carry into each column (0 for the first)."""
        shifted: Array = np.zeros_like(self.carry)
        shifted[:, 1:] = self.carry[:, :-1]
        return shifted

    @property
    def kind(self) -> Array:
        """[N, steps]: 0, 1, 2 for a kill, propagate or generate column."""
        result: Array = (self.a_bits + self.b_bits).astype(np.int64)
        return result


def trace(model: nn.Sequential, a: Array, b: Array, width: int) -> Traces:
    """Run the adder on pairs of ``width``-bit numbers and keep every step."""
    layer = model.layers[0]
    assert isinstance(layer, nn.Recurrent)
    dtype = layer.dtype
    x = serial_inputs(a, b, width, dtype)
    logits = model.forward(x)[..., 0].astype(np.float64)
    values = {name: layer.values(name).astype(np.float64) for name in NAMES}
    a_bits = x[..., 0].astype(np.int64)
    b_bits = x[..., 1].astype(np.int64)
    probability = 0.5 * (1 + np.tanh(0.5 * logits))
    return Traces(a_bits, b_bits, carries(a_bits, b_bits), values, probability)


def random_traces(
    model: nn.Sequential, count: int, width: int, rng: np.random.Generator
) -> Traces:
    """:func:`trace` on ``count`` random pairs of ``width``-bit numbers."""
    a = random_operands(count, width, rng)
    b = random_operands(count, width, rng)
    return trace(model, a, b, width)


def correlations(values: Array, target: Array) -> Array:
    """The Pearson correlation of each unit's value with ``target``, over every
    step of every sequence: [hidden] (0 for a unit that never changes)."""
    flat = values.reshape(-1, values.shape[-1])
    centred = flat - flat.mean(axis=0)
    truth = target.reshape(-1).astype(np.float64)
    truth = truth - truth.mean()
    norms = np.linalg.norm(centred, axis=0) * np.linalg.norm(truth)
    products = truth @ centred
    result: Array = np.divide(
        products, norms, out=np.zeros_like(products), where=norms > 0
    )
    return result


@dataclass(frozen=True)
class CarryUnit:
    """The unit whose hidden state follows the carry most closely."""

    unit: int
    hidden_correlations: Array
    """[hidden]: each unit's hidden state against the carry."""
    cell_correlations: Array
    """[hidden]: each unit's cell state against the carry."""

    @property
    def correlation(self) -> float:
        """``|r|`` of the carry unit's hidden state."""
        return float(abs(self.hidden_correlations[self.unit]))

    @property
    def sign(self) -> float:
        """+1 if the unit's state rises with the carry, -1 if it falls."""
        return float(np.sign(self.hidden_correlations[self.unit]))


def find_carry_unit(traces: Traces) -> CarryUnit:
    """The unit with the largest ``|correlation|`` of its hidden state with the carry."""
    hidden = correlations(traces.values["h"], traces.carry)
    cell = correlations(traces.values["c"], traces.carry)
    return CarryUnit(int(np.argmax(np.abs(hidden))), hidden, cell)


@dataclass(frozen=True)
class GateRow:
    """The carry unit's mean gates in one kind of column with one carry in."""

    kind: str
    carry_in: int
    count: int
    means: dict[str, float]
    """The mean of each of :data:`NAMES` (g, c and h signed so that the carry
    is positive)."""


def gate_table(traces: Traces, carry: CarryUnit) -> list[GateRow]:
    """The carry unit's mean gates and states for each kind of column and carry in.

    The candidate and the states are multiplied by the unit's sign, so that a
    positive value means "carry" whichever sign the training happened to give it.
    """
    rows = []
    signed = {"g", "c", "h"}
    for k, kind in enumerate(KINDS):
        for carry_in in (0, 1):
            chosen = (traces.kind == k) & (traces.carry_in == carry_in)
            means = {
                name: float(
                    (carry.sign if name in signed else 1.0)
                    * traces.values[name][..., carry.unit][chosen].mean()
                )
                for name in NAMES
            }
            rows.append(GateRow(kind, carry_in, int(chosen.sum()), means))
    return rows


def signed_unit(traces: Traces, carry: CarryUnit, name: str) -> Array:
    """[N, steps]: one value of the carry unit, signed so that the carry is positive
    (the gates f, i, o are left as they are: they are not signed)."""
    values: Array = traces.values[name][..., carry.unit]
    return carry.sign * values if name in ("g", "c", "h") else values


def silenced(model: nn.Sequential, unit: int) -> nn.Sequential:
    """A copy of the adder in which ``unit``'s hidden state reaches nothing.

    Its row of the recurrent weights ``W_h`` (what it feeds the next step's
    gates and candidate) and of the dense layer's weight (what it feeds the sum
    bit) are set to zero; the unit still computes, but nobody reads it.
    """
    layer = model.layers[0]
    assert isinstance(layer, nn.Recurrent)
    copy = build_serial_model(
        np.random.default_rng(0), hidden=layer.hidden, dtype=layer.dtype
    )
    for name, array in model.params.items():
        copy.params[name][...] = array
    copy.params["0.W_h"][unit, :] = 0
    copy.params["1.weight"][unit, :] = 0
    return copy


def silenced_accuracy(model: nn.Sequential, pairs: Array) -> Array:
    """[hidden]: the exact-sum accuracy on ``pairs`` with each unit silenced."""
    layer = model.layers[0]
    assert isinstance(layer, nn.Recurrent)
    return np.array(
        [pairs_accuracy(silenced(model, unit), pairs) for unit in range(layer.hidden)]
    )
