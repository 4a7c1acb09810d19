"""Greff et al. 2017, variant NP (no peepholes): the gates do not look at the cell state (the same maths as cells/lstm.py).

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
f, i, g, o, c, h = symbols("f i g o c h")

SPEC = CellSpec(
    name="greff_np",
    title="LSTM variant NP (Greff et al. 2017): no peepholes",
    gates=("f", "i", "g", "o"),
    states=("h", "c"),
    equations={
        f: sigmoid(z_f),
        i: sigmoid(z_i),
        g: tanh(z_g),
        c: f * c_prev + i * g,
        o: sigmoid(z_o),
        h: o * tanh(c),
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
