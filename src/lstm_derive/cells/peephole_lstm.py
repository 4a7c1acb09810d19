"""The peephole LSTM (Gers & Schmidhuber 2000).

Diagonal peephole weights let the gates look at the cell state: ``p_i`` and ``p_f``
read the previous cell state, ``p_o`` reads the new one. The weights are elementwise
parameters of shape ``[H]``, learned like ``W`` and ``b``.
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
    name="peephole_lstm",
    title="Peephole LSTM",
    gates=("f", "i", "g", "o"),
    states=("h", "c"),
    parameters=("p_i", "p_f", "p_o"),
    equations={
        f: sigmoid(z_f + p_f * c_prev),
        i: sigmoid(z_i + p_i * c_prev),
        g: tanh(z_g),
        c: f * c_prev + i * g,
        o: sigmoid(z_o + p_o * c),
        h: o * tanh(c),
    },
    notes={
        "f": "forget gate, peeking at the previous cell state",
        "i": "input gate, peeking at the previous cell state",
        "g": "candidate",
        "c": "cell state",
        "o": "output gate, peeking at the new cell state",
        "h": "hidden state",
    },
)
