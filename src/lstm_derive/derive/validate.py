"""Checks on a spec before anything is derived: every error names cell, gate, problem."""

from __future__ import annotations

import builtins
import keyword
import re

import sympy
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from lstm_derive.cells.functions import ACTIVATIONS, FUNCTIONS, activation_of
from lstm_derive.cells.spec import CellSpec, Projection
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
# SymPy's own versions of the table's functions: read as the table's.
SYMPY_EQUIVALENTS = {sympy.exp: "exp", sympy.log: "log", sympy.tanh: "tanh"}
# Constants the printer writes as NumPy's: pi and e. Others have no real value.
CONSTANTS = (type(sympy.pi), type(sympy.E))
NOT_REAL = {
    sympy.I: "the imaginary unit I",
    sympy.oo: "infinity oo",
    -sympy.oo: "minus infinity",
    sympy.zoo: "complex infinity zoo",
    sympy.nan: "nan",
}
# Names the generated code itself uses: a spec may not take them.
RESERVED = {"np", "Array", "Any", "NDArray", "annotations", "hidden", "x", *ACTIVATIONS}
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def where(spec: CellSpec, name: str) -> str:
    """How an error message locates equation ``name`` of ``spec``."""
    if name in spec.blocks:
        return f"cell {spec.name!r}, gate {name!r}"
    if name in spec.states:
        return f"cell {spec.name!r}, state {name!r}"
    return f"cell {spec.name!r}, equation {name!r}"


def check_name(spec_name: str, what: str, name: str) -> None:
    """A name the generated code can use as a Python identifier without a clash."""
    problem = ""
    if not NAME.match(name):
        problem = "is not a Python identifier (letters, digits, _; a letter first)"
    elif keyword.iskeyword(name) or keyword.issoftkeyword(name):
        problem = "is a Python keyword"
    elif name in RESERVED or hasattr(builtins, name):
        problem = "is a name the generated code or Python already uses"
    elif name.startswith("d_") or name.endswith(("_next", "_prev")):
        problem = "is reserved (d_* names gradients, *_next and *_prev neighbours)"
    elif re.match(r"z[A-Za-z0-9]*_", name) or re.match(r"(net|W|b)_", name):
        problem = "is reserved (z*_ names projection blocks, net_/W_/b_ derived names)"
    if problem:
        msg = f"cell {spec_name!r}: {what} {name!r} {problem}"
        raise SpecError(msg)


def check_structure(spec: CellSpec) -> None:
    """Names, gates, states, projections and equations fit together."""
    check_name(spec.name, "the cell name", spec.name)
    if spec.gates and spec.projections:
        msg = f"cell {spec.name!r}: give gates (the standard projections) or projections, not both"
        raise SpecError(msg)
    if not spec.gates and not spec.projections:
        msg = f"cell {spec.name!r}: a cell needs gates or projections"
        raise SpecError(msg)
    if not spec.states or spec.states[0] != "h":
        msg = f"cell {spec.name!r}: the first state must be the hidden state 'h'"
        raise SpecError(msg)
    _no_repeats(spec, "state", spec.states)
    _no_repeats(spec, "gate", spec.gates)
    _no_repeats(spec, "parameter", spec.parameters)
    _no_repeats(spec, "projection", tuple(p.name for p in spec.all_projections))
    for projection in spec.all_projections:
        _check_projection(spec, projection)
    for name in (*spec.states, *spec.parameters, *spec.blocks):
        check_name(spec.name, "name", name)
    for target in spec.equations:
        if not isinstance(target, sympy.Symbol):
            msg = f"cell {spec.name!r}: equation keys must be symbols, got {target!r}"
            raise SpecError(msg)
        check_name(spec.name, "equation name", str(target))
    targets = [str(target) for target in spec.equations]
    for name in spec.states:
        if name not in targets:
            msg = f"{where(spec, name)}: has no equation"
            raise SpecError(msg)
    for name in targets:
        if name in spec.parameters:
            msg = (
                f"{where(spec, name)}: {name!r} is a parameter and cannot be redefined"
            )
            raise SpecError(msg)


def _no_repeats(spec: CellSpec, what: str, names: tuple[str, ...]) -> None:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        msg = f"cell {spec.name!r}: {what} {repeated[0]!r} is listed twice"
        raise SpecError(msg)


def _check_projection(spec: CellSpec, projection: Projection) -> None:
    place = f"cell {spec.name!r}, projection {projection.name!r}"
    if not NAME.match(projection.name) or not projection.name.isalnum():
        msg = f"{place}: a projection name is letters and digits only"
        raise SpecError(msg)
    if not projection.blocks:
        msg = f"{place}: a projection needs at least one block"
        raise SpecError(msg)
    _no_repeats(spec, f"projection {projection.name!r}: block", projection.blocks)
    previous = {f"{s}_prev" for s in spec.states}
    targets = {str(t) for t in spec.equations}
    if projection.reads not in {"x"} | previous | targets:
        msg = (
            f"{place}: reads {projection.reads!r}, which is not x, a previous state "
            f"({', '.join(sorted(previous))}) or an equation of the step"
        )
        raise SpecError(msg)


def normalise(spec: CellSpec, target: sympy.Symbol) -> sympy.Expr:
    """The formula for ``target`` with SymPy's exp/log/tanh/sqrt read as the table's."""
    expr = spec.equations[target]
    place = where(spec, str(target))
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixExpr):
        msg = f"{place}: {expr!r} is not an elementwise scalar formula"
        raise SpecError(msg)
    replacements: dict[sympy.Expr, sympy.Expr] = {}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Function) and type(node) in SYMPY_EQUIVALENTS:
            replacements[node] = FUNCTIONS[SYMPY_EQUIVALENTS[type(node)]](*node.args)
        elif isinstance(node, sympy.Pow) and node.exp == sympy.Rational(1, 2):
            replacements[node] = FUNCTIONS["sqrt"](node.base)
    if replacements:
        expr = expr.xreplace(replacements)
    return sympy.sympify(expr)


def check_equation(
    spec: CellSpec,
    target: sympy.Symbol,
    expr: sympy.Expr,
    known: set[sympy.Symbol],
) -> None:
    """The formula for ``target`` is elementwise, differentiable and uses known names."""
    place = where(spec, str(target))
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, NOT_ELEMENTWISE):
            msg = f"{place}: {node} is not an elementwise operation"
            raise SpecError(msg)
        if isinstance(node, NON_DIFFERENTIABLE):
            name = type(node).__name__
            msg = f"{place}: {name} is not differentiable everywhere ({node}); use relu for max(0, z)"
            raise SpecError(msg)
        if isinstance(node, (sympy.Rel, BooleanFunction, BooleanAtom)):
            msg = f"{place}: {node} is a condition, not an elementwise formula"
            raise SpecError(msg)
        if node in NOT_REAL:
            msg = f"{place}: {NOT_REAL[node]} has no real value a cell can compute"
            raise SpecError(msg)
        if isinstance(node, sympy.NumberSymbol) and not isinstance(node, CONSTANTS):
            msg = f"{place}: the constant {node} is not supported (pi and E are)"
            raise SpecError(msg)
        if isinstance(node, sympy.Function):
            _check_function(place, node)
    unknown = sorted(str(s) for s in expr.free_symbols - known)
    if unknown:
        names = ", ".join(sorted(str(s) for s in known))
        msg = f"{place}: undefined symbol {', '.join(unknown)} (known here: {names})"
        raise SpecError(msg)


def _check_function(place: str, node: sympy.Function) -> None:
    if activation_of(node) is None:
        allowed = ", ".join(ACTIVATIONS)
        msg = (
            f"{place}: function {type(node).__name__} is not supported (use {allowed})"
        )
        raise SpecError(msg)
    if len(node.args) != 1:
        name = type(node).__name__
        msg = f"{place}: {name} takes 1 argument, received {len(node.args)} ({node})"
        raise SpecError(msg)


def inputs(spec: CellSpec) -> tuple[sympy.Symbol, ...]:
    """The symbols an equation may read before any equation has run.

    Projection blocks (``zx_f``), their sums (``z_f``), previous states and
    elementwise parameters.
    """
    blocks = [p.symbol(b) for p in spec.all_projections for b in p.blocks]
    return (
        *blocks,
        *spec.pre_activations,
        *spec.previous_states,
        *spec.parameter_symbols,
    )
