"""Reverse mode over a cell's elementwise formulas, done symbolically, stage by stage.

1. Lift the formulas (:mod:`lstm_derive.derive.lift`).
2. Split the step into stages: a formula that reads a projection of a value made
   earlier in the same step (Cho's ``(r * h_prev) W``) runs after that matrix product,
   in a later stage. Most cells have one stage.
3. For every line ``v = e`` and every name ``u`` it reads, the local partial
   ``de/du`` (SymPy ``diff``), rewritten in saved values: ``sigmoid(z_f)`` becomes
   ``f``, so the derivative of the forget gate reads ``f*(1 - f)``.
4. Walk each stage's lines backwards: the adjoint of each value is the gradient
   arriving from later (``d_<v>_next``: the loss, step t+1, a later stage) plus, for
   each line that reads it, that line's adjoint times the local partial. The stage's
   inputs come last: the projection blocks (``d_zx_f``), previous states, elementwise
   parameters and values of earlier stages.
"""

from __future__ import annotations

import sympy

from lstm_derive.cells.spec import CellSpec, Projection
from lstm_derive.derive import validate
from lstm_derive.derive.lift import Lifter
from lstm_derive.derive.model import (
    Adjoint,
    AdjointKind,
    Derivation,
    Equation,
    Partial,
    Stage,
    Term,
)
from lstm_derive.errors import SpecError


def adjoint_symbol(value: sympy.Symbol) -> sympy.Symbol:
    """The name of the gradient of the loss w.r.t. ``value``: ``c`` -> ``d_c``."""
    return sympy.Symbol(f"d_{value}")


def upstream_symbol(value: str) -> sympy.Symbol:
    """The gradient arriving at ``value`` from later in the computation: ``d_c_next``."""
    return sympy.Symbol(f"d_{value}_next")


def derive(spec: CellSpec) -> Derivation:
    """Derive the partials and the backward pass of ``spec``; raise SpecError if it is unfit."""
    try:
        return _derive(spec)
    except RecursionError:
        msg = f"cell {spec.name!r}: a formula is nested too deeply to derive"
        raise SpecError(msg) from None


def _derive(spec: CellSpec) -> Derivation:
    validate.check_structure(spec)
    inputs = validate.inputs(spec)
    known = set(inputs)
    taken = {str(s) for s in inputs} | {str(t) for t in spec.equations}
    taken |= {f"z{p.name}" for p in spec.all_projections}
    lifter = Lifter(spec, taken)
    for target in spec.equations:
        expr = validate.normalise(spec, target)
        validate.check_equation(spec, target, expr, known)
        lifter.add(target, expr)
        known.add(target)
    forward = tuple(lifter.equations)
    _check_used(spec, forward)
    saved_names = dict(lifter.names.items())
    stage_of = _stages(spec, forward)
    count = max(stage_of.values())
    stages = tuple(
        _derive_stage(
            spec,
            k,
            tuple(eq for eq in forward if stage_of[eq.target] == k),
            forward,
            stage_of,
            saved_names,
        )
        for k in range(1, count + 1)
    )
    return Derivation(spec, stages)


def projection_level(projection: Projection, stage_of: dict[sympy.Symbol, int]) -> int:
    """0 for a projection of x or of a previous state; k for a value stage k makes."""
    if projection.reads == "x" or projection.reads.endswith("_prev"):
        return 0
    return int(stage_of[sympy.Symbol(projection.reads)])


def _stages(spec: CellSpec, forward: tuple[Equation, ...]) -> dict[sympy.Symbol, int]:
    """The stage of every forward line: after the projections and values it reads."""
    block_of = {
        p.symbol(b): p for p in spec.all_projections for b in p.blocks
    }  # zx_f -> its projection
    stage_of: dict[sympy.Symbol, int] = {}
    for eq in forward:
        stage = 1
        for symbol in eq.expr.free_symbols:
            if symbol in stage_of:
                stage = max(stage, stage_of[symbol])
            elif symbol in block_of:
                projection = block_of[symbol]
                reads = sympy.Symbol(projection.reads)
                if projection.reads != "x" and not projection.reads.endswith("_prev"):
                    if reads not in stage_of:
                        place = validate.where(spec, eq.gate or str(eq.target))
                        msg = (
                            f"{place}: reads {symbol}, the projection of "
                            f"{projection.reads}, before {projection.reads} is computed"
                        )
                        raise SpecError(msg)
                    stage = max(stage, stage_of[reads] + 1)
        stage_of[eq.target] = stage
    return stage_of


def _in_saved_values(
    expr: sympy.Expr, names: dict[sympy.Expr, sympy.Symbol]
) -> sympy.Expr:
    """Replace each function application by the name its forward value is saved under."""
    return sympy.sympify(expr.xreplace(names))


def _check_used(spec: CellSpec, forward: tuple[Equation, ...]) -> None:
    """Every line reaches a new state or a projection, and every block is read."""
    needed = {sympy.Symbol(s) for s in spec.states}
    projected = {sympy.Symbol(p.reads) for p in spec.all_projections}
    for eq in reversed(forward):
        if eq.target in needed or eq.target in projected:
            needed |= eq.expr.free_symbols
    for eq in forward:
        if eq.kind == "sum":
            continue  # an unused sum means an unused gate, reported below or above
        if eq.target not in needed and eq.target not in projected:
            what = validate.where(spec, eq.gate or str(eq.target))
            outputs = ", ".join(spec.states)
            msg = f"{what}: {eq.target} is never used by the output ({outputs})"
            raise SpecError(msg)
    for parameter in spec.parameter_symbols:
        if parameter not in needed:
            msg = f"cell {spec.name!r}: parameter {parameter} is never used"
            raise SpecError(msg)
    for projection in spec.all_projections:
        for block in projection.blocks:
            z = projection.symbol(block)
            if z not in needed:
                msg = (
                    f"{validate.where(spec, block)}: its pre-activation {z} "
                    f"(projection {projection.name!r}) is never used"
                )
                raise SpecError(msg)


def _derive_stage(
    spec: CellSpec,
    index: int,
    equations: tuple[Equation, ...],
    forward: tuple[Equation, ...],
    stage_of: dict[sympy.Symbol, int],
    saved_names: dict[sympy.Expr, sympy.Symbol],
) -> Stage:
    defined = {eq.target for eq in equations}
    read = set().union(*(eq.expr.free_symbols for eq in equations))
    projections = tuple(
        p for p in spec.all_projections if any(p.symbol(b) in read for b in p.blocks)
    )
    block_symbols = {p.symbol(b) for p in spec.all_projections for b in p.blocks}
    order = [*validate.inputs(spec), *(eq.target for eq in forward)]
    inputs = tuple(
        s for s in order if s in read and s not in defined and s not in block_symbols
    )
    later = [eq for eq in forward if stage_of[eq.target] > index]
    read_later = set().union(*(eq.expr.free_symbols for eq in later))
    projected_later = {
        sympy.Symbol(p.reads)
        for p in spec.all_projections
        if projection_level(p, stage_of) == index
    }
    states = {sympy.Symbol(s) for s in spec.states}
    needed = states | read_later | projected_later
    outputs = tuple(
        sorted(
            (eq.target for eq in equations if eq.target in needed),
            key=lambda s: (str(s) not in spec.states, _position(spec, s)),
        )
    )
    partials = tuple(
        Partial(eq.target, wrt, _in_saved_values(sympy.diff(eq.expr, wrt), saved_names))
        for eq in equations
        for wrt in sorted(eq.expr.free_symbols, key=str)
    )
    backward = _adjoints(spec, equations, partials, projections, inputs, outputs)
    adjoints = {a.target for a in backward}
    upstream = {upstream_symbol(str(out)) for out in outputs}
    used = set().union(*(a.expr.free_symbols for a in backward))
    saved = tuple(
        s for s in [*order, *defined] if s in used and s not in adjoints | upstream
    )
    saved = tuple(dict.fromkeys(saved))
    return Stage(
        index, equations, partials, backward, projections, inputs, outputs, saved
    )


def _adjoints(
    spec: CellSpec,
    equations: tuple[Equation, ...],
    partials: tuple[Partial, ...],
    projections: tuple[Projection, ...],
    inputs: tuple[sympy.Symbol, ...],
    outputs: tuple[sympy.Symbol, ...],
) -> tuple[Adjoint, ...]:
    readers: dict[sympy.Symbol, list[Partial]] = {}
    for partial in partials:
        readers.setdefault(partial.wrt, []).append(partial)
    result: list[Adjoint] = []

    def add(value: sympy.Symbol, kind: AdjointKind) -> None:
        upstream = upstream_symbol(str(value)) if value in outputs else None
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

    for eq in reversed(equations):
        add(eq.target, "pre_activation" if eq.kind == "sum" else "value")
    for projection in projections:
        for block in projection.blocks:
            add(projection.symbol(block), "projection")
    previous = set(spec.previous_states)
    parameters = set(spec.parameter_symbols)
    for value in inputs:
        if value in previous:
            add(value, "previous_state")
        elif value in parameters:
            add(value, "parameter")
        else:
            add(value, "earlier")
    return tuple(result)


def _position(spec: CellSpec, symbol: sympy.Symbol) -> int:
    """States in the spec's order; other values in equation order."""
    name = str(symbol)
    if name in spec.states:
        return spec.states.index(name)
    targets = [str(t) for t in spec.equations]
    return targets.index(name) if name in targets else len(targets)
