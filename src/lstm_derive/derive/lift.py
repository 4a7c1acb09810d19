"""Rewrite the spec's formulas so each function application is a line of its own.

``h = o*tanh(c)`` becomes ``tanh_c = tanh(c)`` and ``h = o*tanh_c``; a gate whose
activation reads a sum, ``f = sigmoid(z_f + p_f*c_prev)``, becomes
``net_f = z_f + p_f*c_prev`` and ``f = sigmoid(net_f)``. A sum of projection blocks
that a formula reads as ``z_f`` gets its own line ``z_f = zx_f + zh_f`` before its
first use. Every value a derivative needs then has a name the forward pass saves
(the tangent project's recipe).
"""

from __future__ import annotations

import sympy

from lstm_derive.cells.spec import CellSpec
from lstm_derive.derive.model import Equation, EquationKind


class Lifter:
    """Collects the lifted equations of one cell, in evaluation order."""

    def __init__(self, spec: CellSpec, taken: set[str]) -> None:
        self.spec = spec
        self.taken = set(taken)
        self.equations: list[Equation] = []
        self.names: dict[sympy.Expr, sympy.Symbol] = {}
        self.sums = {
            sympy.Symbol(f"z_{block}"): sympy.Add(
                *(p.symbol(block) for p in spec.all_projections if block in p.blocks)
            )
            for block in spec.blocks
        }
        self.summed: set[sympy.Symbol] = set()

    def add(self, target: sympy.Symbol, expr: sympy.Expr) -> None:
        """Lift ``target = expr`` and append it (after the lines it needs)."""
        name = str(target)
        gate = name if name in self.spec.blocks else None
        kind: EquationKind = (
            "gate"
            if gate
            else ("state" if name in self.spec.states else "intermediate")
        )
        for z in sorted(expr.free_symbols & set(self.sums) - self.summed, key=str):
            self.summed.add(z)
            block = str(z)[len("z_") :]
            self._emit(z, self.sums[z], "sum", None, f"pre-activation of {block}")
        note = self.spec.notes.get(name, "")
        body = self._lift_inner(expr, name, gate, top=True)
        if isinstance(body, sympy.Function) and not body.args[0].is_Symbol:
            argument = self._fresh(f"net_{name}")
            self._emit(argument, body.args[0], "intermediate", gate, f"input of {name}")
            body = body.func(argument)
        self._emit(target, body, kind, gate, note)
        if isinstance(body, sympy.Function):
            self.names[body] = target

    def _lift_inner(
        self, expr: sympy.Expr, owner: str, gate: str | None, *, top: bool
    ) -> sympy.Expr:
        if expr.is_Atom:
            return expr
        args = [self._lift_inner(arg, owner, gate, top=False) for arg in expr.args]
        rebuilt = expr.func(*args) if tuple(args) != expr.args else expr
        if top or not isinstance(rebuilt, sympy.Function):
            return rebuilt
        if rebuilt in self.names:
            return self.names[rebuilt]
        argument = rebuilt.args[0]
        if not argument.is_Symbol:
            net = self._fresh(f"net_{owner}")
            self._emit(net, argument, "intermediate", gate, "")
            rebuilt = rebuilt.func(net)
            argument = net
        symbol = self._fresh(f"{rebuilt.func.__name__}_{argument}")
        self._emit(symbol, rebuilt, "intermediate", gate, "")
        self.names[rebuilt] = symbol
        return symbol

    def _fresh(self, base: str) -> sympy.Symbol:
        name, k = base, 2
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return sympy.Symbol(name)

    def _emit(
        self,
        target: sympy.Symbol,
        expr: sympy.Expr,
        kind: EquationKind,
        gate: str | None,
        note: str,
    ) -> None:
        self.equations.append(Equation(target, expr, kind, gate, note))
