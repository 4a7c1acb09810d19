"""The LSTM of nicodjimenez/lstm: no tanh between the cell state and the output gate.

That minimal NumPy LSTM (the example that the `lstm_batch` fork keeps) computes ``h = o * c``: the
cell state reaches the hidden state unsquashed, so ``h`` is not bounded by the
output gate alone. Everything else is the LSTM of ``lstm.py``. The toy-task
experiments run the original's minimal example on this cell and on the usual one.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec

z_f, z_i, z_g, z_o = symbols("z_f z_i z_g z_o")
c_prev = symbols("c_prev")
f, i, g, o, c, h = symbols("f i g o c h")

SPEC = CellSpec(
    name="lstm_no_output_tanh",
    title="LSTM without the output tanh (h = o * c)",
    gates=("f", "i", "g", "o"),
    states=("h", "c"),
    equations={
        f: sigmoid(z_f),
        i: sigmoid(z_i),
        g: tanh(z_g),
        o: sigmoid(z_o),
        c: f * c_prev + i * g,
        h: o * c,
    },
    notes={
        "f": "forget gate",
        "i": "input gate",
        "g": "candidate",
        "o": "output gate",
        "c": "cell state",
        "h": "hidden state, the cell state unsquashed",
    },
)
