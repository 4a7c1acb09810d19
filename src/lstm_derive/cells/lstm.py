"""The LSTM with a forget gate (Hochreiter & Schmidhuber 1997; Gers et al. 2000).

Edit a formula below and run ``nox -s regen`` (or ``lstm-derive regen``): the
derivatives, the NumPy code in ``lstm_derive/generated/lstm.py`` and the site follow.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec

# Pre-activations: the blocks of z = [h_prev, x] W + b, one per gate.
z_f, z_i, z_g, z_o = symbols("z_f z_i z_g z_o")
c_prev = symbols("c_prev")
f, i, g, o, c, h = symbols("f i g o c h")

SPEC = CellSpec(
    name="lstm",
    title="LSTM with forget gate",
    gates=("f", "i", "g", "o"),
    states=("h", "c"),
    equations={
        f: sigmoid(z_f),
        i: sigmoid(z_i),
        g: tanh(z_g),
        o: sigmoid(z_o),
        c: f * c_prev + i * g,
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
