"""Greff et al. 2017, variant FGR (full gate recurrence).

The vanilla (peephole) LSTM plus recurrent connections between all gates: each of
the gates i, f, o also reads the previous step's activations of all three, through
its own matrix (nine ``H x H`` blocks in all, as in the original LSTM of 1997). The
previous gate activations must reach the next step, so i, f and o are states of this
cell (zero before the first step). Every gate's ``z_<gate>`` sums all projections
that have a block for it.
"""

from __future__ import annotations

from sympy import symbols

from lstm_derive.cells.functions import sigmoid, tanh
from lstm_derive.cells.spec import CellSpec, Projection

z_f, z_i, z_g, z_o = symbols("z_f z_i z_g z_o")
c_prev = symbols("c_prev")
p_i, p_f, p_o = symbols("p_i p_f p_o")
f, i, g, o, c, h = symbols("f i g o c h")

GATES = ("f", "i", "g", "o")
RECURRENT_GATES = ("f", "i", "o")

SPEC = CellSpec(
    name="greff_fgr",
    title="LSTM variant FGR (Greff et al. 2017): full gate recurrence",
    states=("h", "c", "f", "i", "o"),
    projections=(
        Projection("x", "x", GATES, bias=True),
        Projection("h", "h_prev", GATES),
        # the previous activations of f, i and o, each into the gates f, i and o
        Projection("rf", "f_prev", RECURRENT_GATES),
        Projection("ri", "i_prev", RECURRENT_GATES),
        Projection("ro", "o_prev", RECURRENT_GATES),
    ),
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
        "f": "forget gate, reading the previous gates and cell state",
        "i": "input gate, reading the previous gates and cell state",
        "g": "candidate",
        "c": "cell state",
        "o": "output gate, reading the previous gates and the new cell state",
        "h": "hidden state",
    },
)
