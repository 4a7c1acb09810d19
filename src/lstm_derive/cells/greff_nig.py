"""Greff et al. 2017, variant NIG (no input gate): i = 1: every candidate enters the cell state.

The vanilla LSTM of "LSTM: A Search Space Odyssey" is ``peephole_lstm``; each
variant changes one thing. The weights are those of the standard projections
``z = x W_x + h_prev W_h + b_x``, one block per gate listed below.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec

z_f, z_g, z_o = symbols("z_f z_g z_o")
c_prev = symbols("c_prev")
p_f, p_o = symbols("p_f p_o")
f, g, o, c, h = symbols("f g o c h")

SPEC = CellSpec(
    name="greff_nig",
    title="LSTM variant NIG (Greff et al. 2017): no input gate",
    gates=("f", "g", "o"),
    states=("h", "c"),
    parameters=("p_f", "p_o"),
    equations={
        f: sigmoid(z_f + p_f * c_prev),
        g: tanh(z_g),
        c: f * c_prev + g,
        o: sigmoid(z_o + p_o * c),
        h: o * tanh(c),
    },
    notes={
        "f": "forget gate",
        "g": "candidate",
        "o": "output gate",
        "c": "cell state",
        "h": "hidden state",
    },
)
