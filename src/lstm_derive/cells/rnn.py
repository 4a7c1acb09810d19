"""The vanilla (Elman) RNN of the deeplearning.ai course: ``h = tanh([h_prev, x] W + b)``.

Its single gate is the new hidden state itself.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import tanh
from lstm_derive.cells.spec import CellSpec

z_h = symbols("z_h")
h = symbols("h")

SPEC = CellSpec(
    name="rnn",
    title="Vanilla RNN",
    gates=("h",),
    states=("h",),
    equations={h: tanh(z_h)},
    notes={"h": "hidden state"},
)
