"""The results of a derivation, as SymPy objects the code generator and the site share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sympy

from lstm_derive.cells.spec import CellSpec, Projection

EquationKind = Literal["gate", "state", "sum", "intermediate"]
AdjointKind = Literal[
    "value", "projection", "pre_activation", "previous_state", "parameter", "earlier"
]


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
class Stage:
    """The elementwise work between two matrix products of a step.

    Stage 1 reads the projections of ``x`` and of the previous states; a later stage
    also reads the projections of values an earlier stage made (Cho's ``r * h_prev``).

    Attributes:
        index: 1, 2, ...
        forward: the lifted equations of this stage, in order.
        partials: their local partials.
        backward: adjoints, from the outputs back to the inputs.
        projections: the projections whose blocks this stage reads, in spec order.
        inputs: the values it reads that it does not define (previous states,
            elementwise parameters, values of earlier stages), in order.
        outputs: the values it defines that are needed afterwards (new states, values
            later stages or projections read), in order.
        saved: the forward values its backward reads.
    """

    index: int
    forward: tuple[Equation, ...]
    partials: tuple[Partial, ...]
    backward: tuple[Adjoint, ...]
    projections: tuple[Projection, ...]
    inputs: tuple[sympy.Symbol, ...]
    outputs: tuple[sympy.Symbol, ...]
    saved: tuple[sympy.Symbol, ...]

    @property
    def upstream(self) -> tuple[sympy.Symbol, ...]:
        """The gradients arriving at the outputs from later: ``d_h_next``, ..."""
        return tuple(sympy.Symbol(f"d_{out}_next") for out in self.outputs)

    def projection_adjoint(self, projection: Projection) -> tuple[Adjoint, ...]:
        """The adjoints of a projection's blocks, in block order."""
        by_of = {a.of: a for a in self.backward}
        return tuple(by_of[projection.symbol(block)] for block in projection.blocks)


@dataclass(frozen=True)
class Derivation:
    """Everything derived from one :class:`~lstm_derive.cells.spec.CellSpec`."""

    spec: CellSpec
    stages: tuple[Stage, ...]

    @property
    def forward(self) -> tuple[Equation, ...]:
        """Every forward line of a step, stage after stage."""
        return tuple(eq for stage in self.stages for eq in stage.forward)

    @property
    def partials(self) -> tuple[Partial, ...]:
        """Every local partial of a step."""
        return tuple(p for stage in self.stages for p in stage.partials)

    @property
    def backward(self) -> tuple[Adjoint, ...]:
        """Every adjoint, in the order the backward pass computes them."""
        return tuple(a for stage in reversed(self.stages) for a in stage.backward)

    @property
    def saved(self) -> tuple[sympy.Symbol, ...]:
        """The values the backward pass reads from the forward pass (no repeats)."""
        return tuple(dict.fromkeys(s for stage in self.stages for s in stage.saved))

    @property
    def upstream(self) -> tuple[sympy.Symbol, ...]:
        """The gradients arriving at this step's new states: ``d_h_next``, ..."""
        return tuple(sympy.Symbol(f"d_{state}_next") for state in self.spec.states)

    def equation(self, name: str) -> Equation:
        """The forward equation that defines ``name``."""
        for equation in self.forward:
            if str(equation.target) == name:
                return equation
        raise KeyError(name)

    def adjoint(self, name: str) -> Adjoint:
        """The (last computed) adjoint of the value ``name``: ``adjoint("c_prev")``."""
        found = [a for a in self.backward if str(a.of) == name]
        if not found:
            raise KeyError(name)
        return found[-1]

    def partials_of(self, name: str) -> tuple[Partial, ...]:
        """The local partials of the value ``name`` w.r.t. everything it reads."""
        return tuple(p for p in self.partials if str(p.of) == name)

    def gate_partials(self) -> dict[str, tuple[Partial, ...]]:
        """For each gate, its partials w.r.t. what it reads (pre-activation first).

        A gate whose activation reads a combined input ``net_<gate>`` (the peephole
        gates) lists the partials of that input too.
        """
        result: dict[str, tuple[Partial, ...]] = {}
        for gate in self.spec.blocks:
            names = [gate] + [
                str(e.target)
                for e in self.forward
                if e.gate == gate and e.kind == "intermediate"
            ]
            result[gate] = tuple(p for name in names for p in self.partials_of(name))
        return result
