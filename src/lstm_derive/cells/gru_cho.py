"""The GRU of Cho et al. 2014 (Keras ``reset_after=False``): reset before the product.

The reset gate scales the previous hidden state *before* its matrix product,
``n = tanh(zx_n + (r * h_prev) W_rh)``: a step has two stages, the gates, then the
product of ``r * h_prev``, then the candidate and the new state.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec, Projection

z_r, z_u, z_n = symbols("z_r z_u z_n")
h_prev = symbols("h_prev")
r, u, rh, n, h = symbols("r u rh n h")

SPEC = CellSpec(
    name="gru_cho",
    title="GRU (Cho et al. 2014: reset before the recurrent product)",
    states=("h",),
    projections=(
        Projection("x", "x", ("r", "u", "n"), bias=True),
        Projection("h", "h_prev", ("r", "u")),
        Projection("rh", "rh", ("n",)),
    ),
    equations={
        r: sigmoid(z_r),
        u: sigmoid(z_u),
        rh: r * h_prev,
        n: tanh(z_n),
        h: u * h_prev + (1 - u) * n,
    },
    notes={
        "r": "reset gate",
        "u": "update gate",
        "rh": "the reset previous state, multiplied by W_rh",
        "n": "candidate hidden state",
        "h": "hidden state",
    },
)
