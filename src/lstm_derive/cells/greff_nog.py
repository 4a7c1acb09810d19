"""Greff et al. 2017, variant NOG (no output gate): o = 1: the squashed cell state is the output.

The vanilla LSTM of "LSTM: A Search Space Odyssey" is ``peephole_lstm``; each
variant changes one thing. The weights are those of the standard projections
``z = x W_x + h_prev W_h + b_x``, one block per gate listed below.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec

z_f, z_i, z_g = symbols("z_f z_i z_g")
c_prev = symbols("c_prev")
p_i, p_f = symbols("p_i p_f")
f, i, g, c, h = symbols("f i g c h")

SPEC = CellSpec(
    name="greff_nog",
    title="LSTM variant NOG (Greff et al. 2017): no output gate",
    gates=("f", "i", "g"),
    states=("h", "c"),
    parameters=("p_i", "p_f"),
    equations={
        f: sigmoid(z_f + p_f * c_prev),
        i: sigmoid(z_i + p_i * c_prev),
        g: tanh(z_g),
        c: f * c_prev + i * g,
        h: tanh(c),
    },
    notes={
        "f": "forget gate",
        "i": "input gate",
        "g": "candidate",
        "c": "cell state",
        "h": "hidden state",
    },
)
