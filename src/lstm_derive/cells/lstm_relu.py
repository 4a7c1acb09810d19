"""The LSTM of Keras ``LSTM(units, activation="relu")``: ReLU where tanh was.

Keras' ``activation`` argument replaces tanh in two places, the candidate and the
squashing of the cell state before the output gate; the gates keep the sigmoid
(``recurrent_activation``). A student's lab report on binary addition uses this cell. It is
the LSTM spec with two formulas edited, regenerated like any other cell.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import relu, sigmoid
from lstm_derive.cells.spec import CellSpec

z_f, z_i, z_g, z_o = symbols("z_f z_i z_g z_o")
c_prev = symbols("c_prev")
f, i, g, o, c, h = symbols("f i g o c h")

SPEC = CellSpec(
    name="lstm_relu",
    title="LSTM with ReLU activation (Keras activation='relu')",
    gates=("f", "i", "g", "o"),
    states=("h", "c"),
    equations={
        f: sigmoid(z_f),
        i: sigmoid(z_i),
        g: relu(z_g),
        o: sigmoid(z_o),
        c: f * c_prev + i * g,
        h: o * relu(c),
    },
    notes={
        "f": "forget gate",
        "i": "input gate",
        "g": "candidate, rectified",
        "o": "output gate",
        "c": "cell state",
        "h": "hidden state",
    },
)
