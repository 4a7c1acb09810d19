"""Through which gate a cell keeps its previous state: read off the spec's formulas.

A state update such as the LSTM's ``c = f * c_prev + i * g`` keeps a fraction of
the previous state, and that fraction is a gate (``f``) or one minus a gate (the
CIFG's ``1 - i``, the GRU's ``u``, the MGU's ``1 - f``). A positive bias on the
gate then makes the cell keep more at the start of training (Gers et al.'s
forget-gate bias, Jozefowicz et al.'s bias of 1). This module finds that gate and
the sign of its bias from the coefficient of the previous state; the generated
module records the answer as ``RETENTION``.
"""

from __future__ import annotations

from typing import NamedTuple

import sympy

from lstm_derive.cells.spec import CellSpec


class Retention(NamedTuple):
    """A state kept through a gate: ``sign * b`` on the gate's bias keeps
    ``sigmoid(b)`` of the previous state at the start of training."""

    state: str
    gate: str
    sign: int
    """+1: the kept fraction is the gate; -1: it is one minus the gate."""


def retention(spec: CellSpec) -> Retention | None:
    """The first state that keeps its previous value through a single gate.

    The coefficient of ``s_prev`` in the expanded equation of ``s`` must be a gate
    ``g`` or ``1 - g``. A cell whose states keep their previous value without a
    gate (Greff et al.'s NFG: ``c = c_prev + i g``) or not at all (the plain RNN)
    has none.
    """
    gates = {sympy.Symbol(name) for name in spec.blocks}
    equations = {str(target): expr for target, expr in spec.equations.items()}
    for state in spec.states:
        coefficient = sympy.expand(equations[state]).coeff(
            sympy.Symbol(f"{state}_prev")
        )
        for gate in sorted(coefficient.free_symbols & gates, key=str):
            if sympy.simplify(coefficient - gate) == 0:
                return Retention(state, str(gate), +1)
            if sympy.simplify(coefficient - (1 - gate)) == 0:
                return Retention(state, str(gate), -1)
    return None
