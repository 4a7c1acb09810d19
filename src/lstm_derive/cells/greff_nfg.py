"""Greff et al. 2017, variant NFG (no forget gate): f = 1: the cell state only accumulates (the 1997 LSTM).

The vanilla LSTM of "LSTM: A Search Space Odyssey" is ``peephole_lstm``; each
variant changes one thing. The weights are those of the standard projections
``z = x W_x + h_prev W_h + b_x``, one block per gate listed below.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec

z_i, z_g, z_o = symbols("z_i z_g z_o")
c_prev = symbols("c_prev")
p_i, p_o = symbols("p_i p_o")
i, g, o, c, h = symbols("i g o c h")

SPEC = CellSpec(
    name="greff_nfg",
    title="LSTM variant NFG (Greff et al. 2017): no forget gate",
    gates=("i", "g", "o"),
    states=("h", "c"),
    parameters=("p_i", "p_o"),
    equations={
        i: sigmoid(z_i + p_i * c_prev),
        g: tanh(z_g),
        c: c_prev + i * g,
        o: sigmoid(z_o + p_o * c),
        h: o * tanh(c),
    },
    notes={
        "i": "input gate",
        "g": "candidate",
        "o": "output gate",
        "c": "cell state",
        "h": "hidden state",
    },
)
