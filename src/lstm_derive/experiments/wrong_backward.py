"""An LSTM whose backward pass is deliberately wrong, for the gradient check to catch.

The forward pass is the generated LSTM's (:mod:`lstm_derive.generated.lstm`). The
backward pass is written by hand and repeats two mistakes of the NumPy LSTM in
seed 001, a blog post's hand-derived code:

* **one bias gradient shared by every gate**: that code adds one bias vector to all
  four pre-activations, so its backward pass has a single bias gradient; here every
  gate's block of ``d_bias`` receives the sum over all four gates;
* **a garbled cell update**: instead of the chain rule
  ``δc = δc↑ + δh·o·(1 - tanh²c)``, the cell gradient becomes the difference of two
  cell states plus the forget-gated gradient from the next step,
  ``δc = c_prev - c + f·δc↑``.

Each mistake can be switched on alone (:class:`WrongLSTM`). The module itself has
the interface of a generated module (``GATES``, ``STATES``, ``PARAMETERS``,
``SAVED``, ``forward``, ``backward``) with both mistakes, so
``gradcheck.check(wrong_backward)`` runs on it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from lstm_derive.generated import lstm as _lstm

Array = NDArray[Any]
Cache = dict[str, Any]

CELL = "lstm_wrong_backward"
GATES: tuple[str, ...] = _lstm.GATES
STATES: tuple[str, ...] = _lstm.STATES
PARAMETERS: tuple[str, ...] = _lstm.PARAMETERS
SAVED: tuple[str, ...] = _lstm.SAVED
forward = _lstm.forward


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
    GATES: ClassVar[tuple[str, ...]] = _lstm.GATES
    STATES: ClassVar[tuple[str, ...]] = _lstm.STATES
    PARAMETERS: ClassVar[tuple[str, ...]] = _lstm.PARAMETERS
    SAVED: ClassVar[tuple[str, ...]] = _lstm.SAVED

    @staticmethod
    def forward(
        x: Array, h0: Array, c0: Array, weight: Array, bias: Array
    ) -> tuple[Array, tuple[Array, Array], Cache]:
        """The generated LSTM's forward pass, unchanged."""
        return _lstm.forward(x, h0, c0, weight, bias)

    def pointwise_backward(
        self, d_h: Array, d_c_next: Array, step: Cache
    ) -> tuple[Array, Array]:
        """One step's gradient w.r.t. the stacked pre-activations, and ``d_c_prev``."""
        c_prev, f, i, g, o, tanh_c = (step[name] for name in _lstm.SAVED)
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
        return d_z, d_c * f

    def backward(
        self,
        d_hs: Array,
        cache: Cache,
        d_h_last: Array | None = None,
        d_c_last: Array | None = None,
    ) -> dict[str, Array]:
        """Backpropagation through time, with the mistakes that are switched on."""
        batch, steps, inputs, hidden = cache["shape"]
        weight = cache["weight"]
        d_h_carry = np.zeros((batch, hidden)) if d_h_last is None else d_h_last
        d_c_carry = np.zeros((batch, hidden)) if d_c_last is None else d_c_last
        d_z_seq = np.empty((steps, batch, 4 * hidden))
        for t in reversed(range(steps)):
            d_z_seq[t], d_c_carry = self.pointwise_backward(
                d_hs[:, t] + d_h_carry, d_c_carry, cache["steps"][t]
            )
            d_h_carry = d_z_seq[t] @ weight[:hidden].T
        d_z_rows = d_z_seq.reshape(steps * batch, 4 * hidden)
        h_rows = cache["h_seq"][:-1].reshape(steps * batch, hidden)
        h_prev_x = np.concatenate((h_rows, cache["x_rows"]), axis=1)
        d_bias = d_z_rows.sum(axis=0)
        if self.shared_bias:
            d_bias = np.tile(d_bias.reshape(4, hidden).sum(axis=0), 4)
        d_x = d_z_rows @ weight[hidden:].T
        return {
            "d_x": d_x.reshape(steps, batch, inputs).transpose(1, 0, 2),
            "d_h0": d_h_carry,
            "d_c0": d_c_carry,
            "d_weight": h_prev_x.T @ d_z_rows,
            "d_bias": d_bias,
        }


BOTH_MISTAKES = WrongLSTM()
"""The wrong LSTM with both of seed 001's mistakes."""


def backward(
    d_hs: Array,
    cache: Cache,
    d_h_last: Array | None = None,
    d_c_last: Array | None = None,
) -> dict[str, Array]:
    """The backward pass with both mistakes (the module's own interface)."""
    return BOTH_MISTAKES.backward(d_hs, cache, d_h_last, d_c_last)
