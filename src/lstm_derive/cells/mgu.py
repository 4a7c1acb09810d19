"""The minimal gated unit (Zhou et al. 2016): one gate, which forgets and writes.

``f`` decides how much of the previous state to keep and how much of the candidate
to write, and also resets the previous state before the candidate's product:
``n = tanh(zx_n + (f * h_prev) W_fh)``. Two stages, like Cho's GRU.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec, Projection

z_f, z_n = symbols("z_f z_n")
h_prev = symbols("h_prev")
f, fh, n, h = symbols("f fh n h")

SPEC = CellSpec(
    name="mgu",
    title="Minimal gated unit (Zhou et al. 2016)",
    states=("h",),
    projections=(
        Projection("x", "x", ("f", "n"), bias=True),
        Projection("h", "h_prev", ("f",)),
        Projection("fh", "fh", ("n",)),
    ),
    equations={
        f: sigmoid(z_f),
        fh: f * h_prev,
        n: tanh(z_n),
        h: (1 - f) * h_prev + f * n,
    },
    notes={
        "f": "forget gate",
        "fh": "the gated previous state, multiplied by W_fh",
        "n": "candidate hidden state",
        "h": "hidden state",
    },
)
