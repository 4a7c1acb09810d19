"""The results of a derivation, as SymPy objects the code generator and the site share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sympy

from lstm_derive.cells.spec import CellSpec

EquationKind = Literal["gate", "state", "intermediate"]
AdjointKind = Literal["value", "pre_activation", "previous_state", "parameter"]


@dataclass(frozen=True)
class Equation:
    """One forward line ``target = expr``, with every function application on a line of its own."""

    target: sympy.Symbol
    expr: sympy.Expr
    kind: EquationKind
    gate: str | None
    note: str


@dataclass(frozen=True)
class Partial:
    """A local partial derivative ``d(of)/d(wrt)``, written in saved forward values."""

    of: sympy.Symbol
    wrt: sympy.Symbol
    expr: sympy.Expr


@dataclass(frozen=True)
class Term:
    """One path of the chain rule: ``d_consumer * d(consumer)/d(value)``."""

    consumer_adjoint: sympy.Symbol
    partial: Partial


@dataclass(frozen=True)
class Adjoint:
    """The gradient of the loss w.r.t. one value: ``target = upstream + sum(terms)``.

    ``expr`` is that sum as one SymPy expression. For an elementwise parameter the
    expression is per batch entry; the generated code sums it over the batch.
    """

    target: sympy.Symbol
    of: sympy.Symbol
    kind: AdjointKind
    upstream: sympy.Symbol | None
    terms: tuple[Term, ...]
    expr: sympy.Expr


@dataclass(frozen=True)
class Derivation:
    """Everything derived from one :class:`~lstm_derive.cells.spec.CellSpec`."""

    spec: CellSpec
    forward: tuple[Equation, ...]
    partials: tuple[Partial, ...]
    backward: tuple[Adjoint, ...]
    saved: tuple[sympy.Symbol, ...]
    upstream: tuple[sympy.Symbol, ...]

    def equation(self, name: str) -> Equation:
        """The forward equation that defines ``name``."""
        for equation in self.forward:
            if str(equation.target) == name:
                return equation
        raise KeyError(name)

    def adjoint(self, name: str) -> Adjoint:
        """The adjoint of the value ``name`` (``adjoint("c_prev")`` is ``d_c_prev``)."""
        for adjoint in self.backward:
            if str(adjoint.of) == name:
                return adjoint
        raise KeyError(name)

    def partials_of(self, name: str) -> tuple[Partial, ...]:
        """The local partials of the value ``name`` w.r.t. everything it reads."""
        return tuple(p for p in self.partials if str(p.of) == name)

    def gate_partials(self) -> dict[str, tuple[Partial, ...]]:
        """For each gate, its partials w.r.t. what it reads (pre-activation first).

        A gate whose activation reads a combined input ``net_<gate>`` (the peephole
        gates) lists the partials of that input too.
        """
        result: dict[str, tuple[Partial, ...]] = {}
        for gate in self.spec.gates:
            names = [gate] + [
                str(e.target)
                for e in self.forward
                if e.gate == gate and e.kind == "intermediate"
            ]
            result[gate] = tuple(p for name in names for p in self.partials_of(name))
        return result
