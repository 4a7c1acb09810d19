"""Checks on a spec before anything is derived: every error names cell, gate, problem."""

from __future__ import annotations

import sympy
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from lstm_derive.cells.functions import ACTIVATIONS
from lstm_derive.cells.spec import CellSpec
from lstm_derive.errors import SpecError

# Functions with a kink or a jump: no derivative the generated code could use.
NON_DIFFERENTIABLE = (
    sympy.Abs,
    sympy.Max,
    sympy.Min,
    sympy.floor,
    sympy.ceiling,
    sympy.sign,
    sympy.Heaviside,
    sympy.Piecewise,
    sympy.Mod,
    sympy.frac,
)
# Operations that mix entries (of a vector or over a range): not elementwise.
NOT_ELEMENTWISE = (
    sympy.MatrixBase,
    sympy.MatrixExpr,
    sympy.Sum,
    sympy.Product,
    sympy.Integral,
    sympy.Derivative,
    sympy.Indexed,
    sympy.matrices.expressions.matexpr.MatrixElement,
    sympy.IndexedBase,
)


def where(spec: CellSpec, name: str) -> str:
    """How an error message locates equation ``name`` of ``spec``."""
    if name in spec.gates:
        return f"cell {spec.name!r}, gate {name!r}"
    if name in spec.states:
        return f"cell {spec.name!r}, state {name!r}"
    return f"cell {spec.name!r}, equation {name!r}"


def check_structure(spec: CellSpec) -> None:
    """Gates, states and equations fit together."""
    targets = [str(target) for target in spec.equations]
    if not spec.states or spec.states[0] != "h":
        msg = f"cell {spec.name!r}: the first state must be the hidden state 'h'"
        raise SpecError(msg)
    if not spec.gates:
        msg = f"cell {spec.name!r}: a cell needs at least one gate"
        raise SpecError(msg)
    for target in spec.equations:
        if not isinstance(target, sympy.Symbol):
            msg = f"cell {spec.name!r}: equation keys must be symbols, got {target!r}"
            raise SpecError(msg)
    for name in (*spec.gates, *spec.states):
        if name not in targets:
            msg = f"{where(spec, name)}: has no equation"
            raise SpecError(msg)
    inputs = {str(s) for s in _inputs(spec)}
    for name in targets:
        if name in inputs:
            msg = f"{where(spec, name)}: {name!r} is an input and cannot be redefined"
            raise SpecError(msg)


def check_equation(
    spec: CellSpec, target: sympy.Symbol, known: set[sympy.Symbol]
) -> None:
    """The formula for ``target`` is elementwise, differentiable and uses known names."""
    expr = spec.equations[target]
    place = where(spec, str(target))
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixExpr):
        msg = f"{place}: {expr!r} is not an elementwise scalar formula"
        raise SpecError(msg)
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, NOT_ELEMENTWISE):
            msg = f"{place}: {node} is not an elementwise operation"
            raise SpecError(msg)
        if isinstance(node, NON_DIFFERENTIABLE):
            name = type(node).__name__
            msg = f"{place}: {name} is not differentiable everywhere ({node}); use relu for max(0, z)"
            raise SpecError(msg)
        if isinstance(node, sympy.Function) and type(node) not in ACTIVATIONS.values():
            allowed = ", ".join(ACTIVATIONS)
            msg = f"{place}: function {type(node).__name__} is not supported (use {allowed})"
            raise SpecError(msg)
        if isinstance(node, (sympy.Rel, BooleanFunction, BooleanAtom)):
            msg = f"{place}: {node} is a condition, not an elementwise formula"
            raise SpecError(msg)
    unknown = sorted(str(s) for s in expr.free_symbols - known)
    if unknown:
        names = ", ".join(sorted(str(s) for s in known))
        msg = f"{place}: undefined symbol {', '.join(unknown)} (known here: {names})"
        raise SpecError(msg)


def _inputs(spec: CellSpec) -> tuple[sympy.Symbol, ...]:
    return (*spec.pre_activations, *spec.previous_states, *spec.parameter_symbols)


def inputs(spec: CellSpec) -> tuple[sympy.Symbol, ...]:
    """The symbols an equation may read before any equation has run."""
    return _inputs(spec)
