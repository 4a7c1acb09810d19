"""The Elman RNN with a rectifier: ``h = relu(x W_x + h_prev W_h + b_x)``.

``torch.nn.RNN(nonlinearity="relu")`` computes this cell (with two biases, whose
sum is ``b_x`` here).
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import relu
from lstm_derive.cells.spec import CellSpec

z_h = symbols("z_h")
h = symbols("h")

SPEC = CellSpec(
    name="rnn_relu",
    title="Vanilla RNN with ReLU",
    gates=("h",),
    states=("h",),
    equations={h: relu(z_h)},
    notes={"h": "hidden state, rectified"},
)
