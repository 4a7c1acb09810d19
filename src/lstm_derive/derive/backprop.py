"""Reverse mode over a cell's elementwise formulas, done symbolically.

1. Lift the formulas (:mod:`lstm_derive.derive.lift`).
2. For every line ``v = e`` and every name ``u`` it reads, the local partial
   ``de/du`` (SymPy ``diff``), rewritten in saved values: ``sigmoid(z_f)`` becomes
   ``f``, so the derivative of the forget gate reads ``f*(1 - f)``.
3. Walk the lines backwards: the adjoint of each value is the upstream gradient
   (for a state) plus, for each line that reads it, that line's adjoint times the
   local partial. Inputs come last: ``d_z_<gate>``, ``d_<state>_prev`` and the
   elementwise parameters.
"""

from __future__ import annotations

import sympy

from lstm_derive.cells.spec import CellSpec
from lstm_derive.derive import validate
from lstm_derive.derive.lift import Lifter
from lstm_derive.derive.model import (
    Adjoint,
    AdjointKind,
    Derivation,
    Equation,
    Partial,
    Term,
)
from lstm_derive.errors import SpecError


def adjoint_symbol(value: sympy.Symbol) -> sympy.Symbol:
    """The name of the gradient of the loss w.r.t. ``value``: ``c`` -> ``d_c``."""
    return sympy.Symbol(f"d_{value}")


def upstream_symbol(state: str) -> sympy.Symbol:
    """The gradient arriving at this step's output ``state`` from above: ``d_c_next``."""
    return sympy.Symbol(f"d_{state}_next")


def derive(spec: CellSpec) -> Derivation:
    """Derive the partials and the backward pass of ``spec``; raise SpecError if it is unfit."""
    validate.check_structure(spec)
    inputs = validate.inputs(spec)
    known = set(inputs)
    taken = {str(s) for s in inputs} | {str(t) for t in spec.equations}
    lifter = Lifter(spec, taken)
    for target, expr in spec.equations.items():
        validate.check_equation(spec, target, known)
        lifter.add(target, sympy.sympify(expr))
        known.add(target)
    forward = tuple(lifter.equations)
    _check_used(spec, forward)

    saved_names = dict(lifter.names.items())
    partials = tuple(
        Partial(eq.target, wrt, _in_saved_values(sympy.diff(eq.expr, wrt), saved_names))
        for eq in forward
        for wrt in sorted(eq.expr.free_symbols, key=str)
    )
    backward = _adjoints(spec, forward, partials)
    upstream = tuple(upstream_symbol(state) for state in spec.states)
    adjoints = {a.target for a in backward} | set(upstream)
    read = set().union(*(a.expr.free_symbols for a in backward))
    order = [*validate.inputs(spec), *(eq.target for eq in forward)]
    saved = tuple(s for s in order if s in read and s not in adjoints)
    return Derivation(spec, forward, partials, backward, saved, upstream)


def _in_saved_values(
    expr: sympy.Expr, names: dict[sympy.Expr, sympy.Symbol]
) -> sympy.Expr:
    """Replace each function application by the name its forward value is saved under."""
    return sympy.sympify(expr.xreplace(names))


def _check_used(spec: CellSpec, forward: tuple[Equation, ...]) -> None:
    """Every gate reaches a new state, and every pre-activation is read."""
    needed = {sympy.Symbol(s) for s in spec.states}
    for eq in reversed(forward):
        if eq.target in needed:
            needed |= eq.expr.free_symbols
    for eq in forward:
        if eq.target not in needed:
            what = validate.where(spec, eq.gate or str(eq.target))
            outputs = ", ".join(spec.states)
            msg = f"{what}: {eq.target} is never used by the output ({outputs})"
            raise SpecError(msg)
    for gate, z in zip(spec.gates, spec.pre_activations, strict=True):
        if z not in needed:
            msg = f"{validate.where(spec, gate)}: its pre-activation {z} is never used"
            raise SpecError(msg)


def _adjoints(
    spec: CellSpec, forward: tuple[Equation, ...], partials: tuple[Partial, ...]
) -> tuple[Adjoint, ...]:
    readers: dict[sympy.Symbol, list[Partial]] = {}
    for partial in partials:
        readers.setdefault(partial.wrt, []).append(partial)
    states = {sympy.Symbol(s) for s in spec.states}
    result: list[Adjoint] = []

    def add(value: sympy.Symbol, kind: AdjointKind) -> None:
        upstream = upstream_symbol(str(value)) if value in states else None
        terms = tuple(
            Term(adjoint_symbol(p.of), p) for p in readers.get(value, []) if p.expr != 0
        )
        expr = sympy.Add(
            *([upstream] if upstream is not None else []),
            *(term.consumer_adjoint * term.partial.expr for term in terms),
        )
        result.append(
            Adjoint(adjoint_symbol(value), value, kind, upstream, terms, expr)
        )

    for eq in reversed(forward):
        add(eq.target, "value")
    for z in spec.pre_activations:
        add(z, "pre_activation")
    used = set().union(*(eq.expr.free_symbols for eq in forward))
    for previous in spec.previous_states:
        if previous in used:
            add(previous, "previous_state")
    for parameter in spec.parameter_symbols:
        if parameter not in used:
            msg = f"cell {spec.name!r}: parameter {parameter} is never used"
            raise SpecError(msg)
        add(parameter, "parameter")
    return tuple(result)
