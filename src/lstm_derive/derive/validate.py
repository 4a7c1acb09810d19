"""Checks on a spec before anything is derived: every error names cell, gate, problem."""

from __future__ import annotations

import builtins
import keyword
import re

import sympy
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from lstm_derive.cells.functions import ACTIVATIONS, FUNCTIONS, activation_of
from lstm_derive.cells.spec import RESERVED_CELL_NAMES, CellSpec, Projection
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
# Names the generated code itself uses: a spec may not take them. The NumPy
# module's imports, constants and locals; the compiled kernels' imports, loop
# variables and helpers; the activations' functions.
RESERVED = {
    "np", "Array", "Any", "NDArray", "annotations", "hidden", "x", "z",
    "CELL", "TITLE", "STATES", "GATES", "PROJECTIONS", "PARAMETERS",
    "PARAMETER_COUNT", "SAVED", "STAGES",
    "math", "numba", "overload", "row", "col", "rows", "cols",
    "exp_parts64", "exp_parts32", "sigmoid64", "sigmoid32", "tanh64", "tanh32",
    *ACTIVATIONS,
}  # fmt: skip
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
LARGEST = sympy.Float(1.7976931348623157e308)
"""The largest float64: a constant beyond it would be infinity in the generated code."""


def where(spec: CellSpec, name: str) -> str:
    """How an error message locates equation ``name`` of ``spec``."""
    if name in spec.blocks:
        return f"cell {spec.name!r}, gate {name!r}"
    if name in spec.states:
        return f"cell {spec.name!r}, state {name!r}"
    return f"cell {spec.name!r}, equation {name!r}"


def check_name(spec_name: str, what: str, name: object) -> None:
    """A name the generated code can use as a Python identifier without a clash."""
    problem = ""
    if not isinstance(name, str):
        problem = "is not a string"
    elif not NAME.match(name):
        problem = "is not a Python identifier (letters, digits, _; a letter first)"
    elif keyword.iskeyword(name) or keyword.issoftkeyword(name):
        problem = "is a Python keyword"
    elif name in RESERVED or hasattr(builtins, name):
        problem = "is a name the generated code or Python already uses"
    elif name.startswith("d_") or name.endswith(("_next", "_prev")):
        problem = "is reserved (d_* names gradients, *_next and *_prev neighbours)"
    elif re.match(r"z[A-Za-z0-9]*(_|\Z)", name) or re.match(r"(net|W|b|in|out)_", name):
        problem = (
            "is reserved (z* names projections and their blocks; net_, W_, b_, in_ "
            "and out_ derived names)"
        )
    if problem:
        msg = f"cell {spec_name!r}: {what} {name!r} {problem}"
        raise SpecError(msg)


def check_cell_name(name: object) -> None:
    """A cell name: an identifier that is no name of the generated package itself."""
    check_name(str(name), "the cell name", name)
    assert isinstance(name, str)
    if name in RESERVED_CELL_NAMES or not name.islower():
        problem = (
            "is a name of the package itself or of a module its code imports"
            if name in RESERVED_CELL_NAMES
            else "must be lower case (it names a module)"
        )
        msg = f"cell {name!r}: the cell name {name!r} {problem}"
        raise SpecError(msg)


def check_text(spec: CellSpec) -> None:
    """The title and the notes are one line each; the title fits in a docstring."""
    title: object = spec.title  # typed str, but a spec file may give anything
    if not isinstance(title, str) or not title.strip():
        msg = f"cell {spec.name!r}: the title must be a non-empty string"
        raise SpecError(msg)
    if not title.isprintable() or '"' in title or "\\" in title:
        msg = (
            f"cell {spec.name!r}: the title {title!r} must be one line of printable "
            "text without double quotes or backslashes (it heads a docstring)"
        )
        raise SpecError(msg)
    notes: object = spec.notes
    if not isinstance(notes, dict):
        msg = f"cell {spec.name!r}: notes must be a dict of name: one-line note"
        raise SpecError(msg)
    for name, note in notes.items():  # a note of a removed equation is unused
        if not isinstance(note, str) or not note.isprintable():
            msg = (
                f"{where(spec, name)}: its note {note!r} must be one line of "
                "printable text (it is printed as a comment)"
            )
            raise SpecError(msg)


def _check_names_tuple(spec: CellSpec, what: str, value: object) -> None:
    """A tuple (or list) of names: ``("h", "c")``, not the string ``"hc"``."""
    if isinstance(value, str) or not isinstance(value, tuple | list):
        msg = f"cell {spec.name!r}: {what} must be a tuple of names, received {value!r}"
        raise SpecError(msg)


def check_types(spec: CellSpec) -> None:
    """Each field of the spec has the type its docstring says."""
    _check_names_tuple(spec, "states", spec.states)
    _check_names_tuple(spec, "gates", spec.gates)
    _check_names_tuple(spec, "parameters", spec.parameters)
    equations: object = spec.equations
    if not isinstance(equations, dict):
        msg = f"cell {spec.name!r}: equations must be a dict {{symbol: formula}}"
        raise SpecError(msg)
    projections: object = spec.projections
    if isinstance(projections, str) or not isinstance(projections, tuple | list):
        msg = f"cell {spec.name!r}: projections must be a tuple of Projection(...)"
        raise SpecError(msg)
    for projection in projections:
        if not isinstance(projection, Projection):
            msg = f"cell {spec.name!r}: {projection!r} is not a Projection(...)"
            raise SpecError(msg)
        reads: object = projection.reads
        bias: object = projection.bias
        if not isinstance(reads, str) or not isinstance(bias, bool):
            msg = (
                f"cell {spec.name!r}, projection {projection.name!r}: reads is a "
                "name and bias True or False"
            )
            raise SpecError(msg)
        _check_names_tuple(
            spec, f"projection {projection.name!r}: blocks", projection.blocks
        )


def check_structure(spec: CellSpec) -> None:
    """Names, gates, states, projections and equations fit together."""
    check_cell_name(spec.name)
    check_types(spec)
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
    initial = {f"{state}0" for state in spec.states}  # the driver's d_h0, d_c0
    for name in (*spec.parameters, *(str(t) for t in spec.equations)):
        if name in initial:
            msg = f"cell {spec.name!r}: name {name!r} is reserved (the initial {name[:-1]})"
            raise SpecError(msg)
    for target in spec.equations:
        if not isinstance(target, sympy.Symbol):
            msg = f"cell {spec.name!r}: equation keys must be symbols, got {target!r}"
            raise SpecError(msg)
        check_name(spec.name, "equation name", str(target))
    targets = [str(target) for target in spec.equations]
    check_text(spec)
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
    _check_constants(place, expr)
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


def _check_constants(place: str, expr: sympy.Expr) -> None:
    """Every constant part of the formula has a finite real float64 value."""
    for node in sympy.preorder_traversal(expr):
        if node.free_symbols or isinstance(node, (sympy.Rational, *CONSTANTS)):
            if isinstance(node, sympy.Integer | sympy.Float) and abs(node) > LARGEST:
                msg = f"{place}: the constant {sympy.N(node, 4)} is beyond float64's range"
                raise SpecError(msg)
            continue
        try:
            value = sympy.N(node.rewrite(sympy.exp), 30)
        except (ValueError, TypeError, ArithmeticError):
            value = sympy.nan
        if not value.is_real or not value.is_finite:
            msg = f"{place}: the constant {node} has no real value"
            raise SpecError(msg)
        if abs(value) > LARGEST:
            msg = (
                f"{place}: the constant {node} = {sympy.N(value, 4)} overflows float64"
            )
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
