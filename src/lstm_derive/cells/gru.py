"""The GRU of PyTorch, cuDNN and Keras ``reset_after=True`` (Cho et al. 2014, revised).

The reset gate ``r`` scales the recurrent projection of the candidate *after* the
matrix product, ``n = tanh(zx_n + r * zh_n)``, so both projections keep a bias of
their own (``b_h``'s block n sits inside the product with r). ``u`` is the update
gate (PyTorch's z): ``h = (1 - u) * n + u * h_prev``.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec, Projection

z_r, z_u = symbols("z_r z_u")
zx_n, zh_n = symbols("zx_n zh_n")
h_prev = symbols("h_prev")
r, u, n, h = symbols("r u n h")

SPEC = CellSpec(
    name="gru",
    title="GRU (PyTorch form: reset after the recurrent product)",
    states=("h",),
    projections=(
        Projection("x", "x", ("r", "u", "n"), bias=True),
        Projection("h", "h_prev", ("r", "u", "n"), bias=True),
    ),
    equations={
        r: sigmoid(z_r),
        u: sigmoid(z_u),
        n: tanh(zx_n + r * zh_n),
        h: (1 - u) * n + u * h_prev,
    },
    notes={
        "r": "reset gate",
        "u": "update gate",
        "n": "candidate hidden state",
        "h": "hidden state",
    },
)
