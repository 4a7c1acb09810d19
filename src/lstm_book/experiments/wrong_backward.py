"""An LSTM whose backward pass is deliberately wrong, for the gradient check to catch.

The forward pass is the generated LSTM's (:mod:`lstm_derive.generated.lstm`), run by
the BPTT driver. The elementwise backward of a step is written by hand and repeats
two mistakes of a blog post's hand-written NumPy LSTM:

* **one bias gradient shared by every gate**: that code adds one bias vector to all
  four pre-activations, so its backward pass has a single bias gradient; here every
  gate's block of ``d_b_x`` receives the sum over all four gates;
* **a garbled cell update**: instead of the chain rule
  ``δc = δc↑ + δh·o·(1 - tanh²c)``, the cell gradient becomes the difference of two
  cell states plus the forget-gated gradient from the next step,
  ``δc = c_prev - c + f·δc↑``.

Each mistake can be switched on alone (:class:`WrongLSTM`); :data:`BOTH_MISTAKES` has
both. A :class:`WrongLSTM` has the interface of :class:`lstm_derive.nn.bptt.Cell`, so
``gradcheck.check(wrong_backward.BOTH_MISTAKES)`` runs on it directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lstm_derive import generated
from lstm_derive.nn import bptt

Array = NDArray[Any]

CELL = "lstm_wrong_backward"
LSTM = bptt.Cell.of(generated.load("lstm"))


@dataclass(frozen=True)
class WrongLSTM:
    """The generated LSTM's forward with a hand-written backward that makes mistakes.

    Attributes:
        shared_bias: give every gate the same bias gradient (the sum over the gates).
        garbled_cell_update: replace the cell-state gradient by
            ``c_prev - c + f·δc↑``.

    With both flags off the backward pass is correct.
    """

    shared_bias: bool = True
    garbled_cell_update: bool = True

    name = CELL
    states = LSTM.states
    layout = LSTM.layout
    shapes = LSTM.shapes

    def pointwise_backward(
        self,
        d_h: Array,
        d_c_next: Array,
        c_prev: Array,
        f: Array,
        i: Array,
        g: Array,
        o: Array,
        tanh_c: Array,
    ) -> dict[str, Array]:
        """One step's gradient w.r.t. the projections (zx, zh) and ``c_prev``."""
        if self.garbled_cell_update:
            c = c_prev * f + g * i
            d_c = c_prev - c + f * d_c_next
        else:
            d_c = d_c_next + d_h * o * (1 - tanh_c**2)
        d_z = np.concatenate(
            (
                d_c * c_prev * f * (1 - f),
                d_c * g * i * (1 - i),
                d_c * i * (1 - g**2),
                d_h * tanh_c * o * (1 - o),
            ),
            axis=1,
        )
        return {"zx": d_z, "zh": d_z, "c_prev": d_c * f}

    @cached_property
    def cell(self) -> bptt.Cell:
        """The LSTM with this hand-written step backward in place of the derived one."""
        (stage,) = LSTM.stages
        wrong = dataclasses.replace(stage, backward=self.pointwise_backward)
        return dataclasses.replace(LSTM, stages=(wrong,))

    def forward(
        self, x: Array, states0: Mapping[str, Array], params: Mapping[str, Array]
    ) -> tuple[Array, dict[str, Array], bptt.Cache]:
        """The generated LSTM's forward pass, unchanged."""
        return bptt.forward(self.cell, x, states0, params)

    def backward(
        self, d_hs: Array, cache: bptt.Cache, d_last: Mapping[str, Array] | None = None
    ) -> dict[str, Array]:
        """Backpropagation through time, with the mistakes that are switched on."""
        grads = bptt.backward(d_hs, cache, d_last)
        if self.shared_bias:
            hidden = cache.shape[3]
            grads["b_x"] = np.tile(grads["b_x"].reshape(4, hidden).sum(axis=0), 4)
        return grads


BOTH_MISTAKES = WrongLSTM()
"""The wrong LSTM with both of the blog's mistakes."""
