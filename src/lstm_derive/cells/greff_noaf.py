"""Greff et al. 2017, variant NOAF (no output activation function): h = o * c: the cell state is not squashed.

The vanilla LSTM of "LSTM: A Search Space Odyssey" is ``peephole_lstm``; each
variant changes one thing. The weights are those of the standard projections
``z = x W_x + h_prev W_h + b_x``, one block per gate listed below.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec

z_f, z_i, z_g, z_o = symbols("z_f z_i z_g z_o")
c_prev = symbols("c_prev")
p_i, p_f, p_o = symbols("p_i p_f p_o")
f, i, g, o, c, h = symbols("f i g o c h")

SPEC = CellSpec(
    name="greff_noaf",
    title="LSTM variant NOAF (Greff et al. 2017): no output activation function",
    gates=("f", "i", "g", "o"),
    states=("h", "c"),
    parameters=("p_i", "p_f", "p_o"),
    equations={
        f: sigmoid(z_f + p_f * c_prev),
        i: sigmoid(z_i + p_i * c_prev),
        g: tanh(z_g),
        c: f * c_prev + i * g,
        o: sigmoid(z_o + p_o * c),
        h: o * c,
    },
    notes={
        "f": "forget gate",
        "i": "input gate",
        "g": "candidate",
        "o": "output gate",
        "c": "cell state",
        "h": "hidden state",
    },
)
