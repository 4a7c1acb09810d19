"""A gradient check of the derived maths in plain Python floats (no NumPy).

The check of :mod:`lstm_derive.gradcheck` runs a generated NumPy module over whole
sequences. This one checks the derivation itself, one number at a time, so it runs
where NumPy does not (the site's playground runs it in the reader's browser). The
one printer (:mod:`lstm_derive.codegen.printer`) writes every forward equation and
every adjoint of a stage as Python for its ``math`` module, the code the compiled
kernels use.

Each stage is checked as the derivation states it. Its forward maps its inputs
(projection blocks, previous states, elementwise parameters, values of earlier
stages) to its values; the loss is ``L = Σ u_v · v`` over the stage's outputs, with
random weights ``u_v`` standing for the gradients arriving from later
(``d_v_next``). The adjoint of a value ``v`` is then ``∂L/∂ε``, where ``ε`` is
added to ``v`` right after the forward computes it (or to the input ``v``): every
adjoint, from the new states back to the projection blocks, is compared with a
central difference of the forward at random points.

The difference quotient is Richardson-extrapolated from the steps ``h`` and
``h/2`` (error of order ``h⁴``); where the two quotients disagree, the point lies
next to a kink (a ReLU's) and another point is drawn instead.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType

import sympy

from lstm_derive.codegen.printer import code
from lstm_derive.derive.model import AdjointKind, Derivation, Stage

TOLERANCE = 1e-7
"""The largest relative error a correct adjoint shows (it is ~1e-10 in practice)."""
STEP = 1e-3
"""The step of the central differences, relative to the value's size."""
AGREEMENT = 1e-4
"""How far the quotients of steps ``h`` and ``h/2`` may differ (relative) at a
smooth point; further apart, the point is next to a kink and is drawn again."""
TRIES = 200
"""How many points are drawn, at most, to find each point that counts."""


def sigmoid(z: float) -> float:
    """Logistic sigmoid 1 / (1 + e^(-z)), without overflow for any float."""
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


SCALARS: dict[str, Callable[[float], float]] = {"sigmoid": sigmoid, "tanh": math.tanh}
"""The functions of one number the printed code calls by name (what the compiled
kernels import from :mod:`lstm_derive.numerics.scalars`, which needs Numba)."""


class _PythonFloats:
    """What the printed ``np.float32(c)`` means here: the number ``c`` itself.

    The ``math`` printer types a constant as float32 where float32 holds it exactly
    (for the compiled kernels); as a Python float it is the same number, and this
    check runs where NumPy is not installed (the browser's playground).
    """

    float32 = float


NAMESPACE: dict[str, object] = {
    "math": math,
    "np": _PythonFloats,
    **SCALARS,
    "__builtins__": {"abs": abs, "max": max, "min": min},
}
"""Everything the printed expressions may read besides the values of the stage."""


def relative_error(a: float, b: float) -> float:
    """cs231n's relative error, safe when both are zero (as :mod:`lstm_derive.gradcheck`)."""
    return abs(a - b) / max(abs(a) + abs(b), 1e-8)


@dataclass(frozen=True)
class Row:
    """The check of one adjoint: its worst relative error over the random points."""

    stage: int
    name: str
    """The adjoint's name in the generated code: ``d_z_f``."""
    of: str
    """The value it is the gradient of: ``z_f``."""
    kind: AdjointKind
    worst: float
    ok: bool


class Undefined(ValueError):
    """The forward is not defined at a point (a logarithm of a negative number)."""


@dataclass(frozen=True)
class _Compiled:
    """One stage's forward and backward as Python code of one number each."""

    inputs: tuple[str, ...]
    forward: tuple[tuple[str, CodeType], ...]
    outputs: tuple[str, ...]
    backward: tuple[tuple[str, str, AdjointKind, CodeType], ...]

    @classmethod
    def of(cls, stage: Stage) -> _Compiled:
        blocks = [str(p.symbol(b)) for p in stage.projections for b in p.blocks]
        inputs = tuple(dict.fromkeys([*blocks, *(str(s) for s in stage.inputs)]))
        forward = tuple(
            (str(eq.target), _compile(eq.expr, str(eq.target))) for eq in stage.forward
        )
        backward = tuple(
            (str(a.target), str(a.of), a.kind, _compile(a.expr, str(a.target)))
            for a in stage.backward
        )
        outputs = tuple(str(s) for s in stage.outputs)
        return cls(inputs, forward, outputs, backward)

    def values(
        self, point: dict[str, float], nudge: tuple[str, float] | None = None
    ) -> dict[str, float]:
        """The forward from ``point``, with ``nudge = (name, ε)`` added to one value."""
        values = dict(point)
        if nudge is not None and nudge[0] in values:
            values[nudge[0]] += nudge[1]
        for target, compiled in self.forward:
            values[target] = _evaluate(compiled, values)
            if nudge is not None and nudge[0] == target:
                values[target] += nudge[1]
        return values

    def loss(
        self,
        point: dict[str, float],
        weights: dict[str, float],
        nudge: tuple[str, float] | None = None,
    ) -> float:
        """``Σ u_v · v`` over the outputs."""
        values = self.values(point, nudge)
        return math.fsum(weights[out] * values[out] for out in self.outputs)

    def adjoints(
        self, point: dict[str, float], weights: dict[str, float]
    ) -> dict[str, float]:
        """Every adjoint at ``point``, as the derivation computes them."""
        values = self.values(point)
        values |= {f"d_{out}_next": weights[out] for out in self.outputs}
        for target, _of, _kind, compiled in self.backward:
            values[target] = _evaluate(compiled, values)
        return values


def _compile(expr: sympy.Expr, name: str) -> CodeType:
    return compile(code(expr, "math"), f"<{name}>", "eval")


def _evaluate(compiled: CodeType, values: dict[str, float]) -> float:
    try:
        value = float(eval(compiled, NAMESPACE, values))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as error:
        raise Undefined(str(error)) from error
    if not math.isfinite(value):
        msg = f"{value} at this point"
        raise Undefined(msg)
    return value


def _slopes(loss: Callable[[float], float], h: float) -> tuple[float, float]:
    """The central quotients of steps h and h/2."""
    wide = (loss(h) - loss(-h)) / (2 * h)
    narrow = (loss(h / 2) - loss(-h / 2)) / h
    return wide, narrow


def _draw(
    stage: _Compiled, rng: random.Random, positive: bool
) -> tuple[dict[str, float], dict[str, float]]:
    # |v| in [0.25, 1.25]: a gradient that is a product with an input near 0 would be
    # near 0 itself, and its relative error the differences' rounding.
    point = {
        name: rng.uniform(0.25, 1.25) * (1 if positive else rng.choice((-1, 1)))
        for name in stage.inputs
    }
    weights = {
        out: rng.uniform(0.5, 1.0) * rng.choice((-1, 1)) for out in stage.outputs
    }
    return point, weights


def _numeric(
    stage: _Compiled,
    point: dict[str, float],
    weights: dict[str, float],
    name: str,
) -> float | None:
    """``∂L/∂name`` by differences, or None next to a kink."""
    h = STEP

    def loss(eps: float) -> float:
        return stage.loss(point, weights, (name, eps))

    wide, narrow = _slopes(loss, h)
    if abs(wide - narrow) > AGREEMENT * max(1.0, abs(wide), abs(narrow)):
        return None
    return (4 * narrow - wide) / 3


def check_stage(
    stage: Stage, *, points: int = 8, rng: random.Random | None = None
) -> list[Row]:
    """Check every adjoint of one stage at ``points`` random points."""
    rng = rng or random.Random(0)
    compiled = _Compiled.of(stage)
    worst = {target: 0.0 for target, *_ in compiled.backward}
    counted = 0
    for attempt in range(points * TRIES):
        if counted == points:
            break
        # Inputs in [-2, 2]; after many undefined points (a logarithm, a square
        # root), positive inputs only.
        point, weights = _draw(compiled, rng, positive=attempt >= points * TRIES // 2)
        try:
            analytic = compiled.adjoints(point, weights)
            numeric = {
                target: _numeric(compiled, point, weights, of)
                for target, of, _kind, _code in compiled.backward
            }
        except Undefined:
            continue
        if any(value is None for value in numeric.values()):
            continue  # next to a kink
        for target, value in numeric.items():
            assert value is not None
            error = relative_error(analytic[target], value)
            worst[target] = max(worst[target], error)
        counted += 1
    if counted < points:
        msg = f"only {counted} of {points} random points have a finite forward pass"
        raise Undefined(msg)
    return [
        Row(
            stage.index,
            target,
            of,
            kind,
            worst[target],
            worst[target] <= TOLERANCE,
        )
        for target, of, kind, _code in compiled.backward
    ]


def check(derivation: Derivation, *, points: int = 8, seed: int = 0) -> list[Row]:
    """Check every adjoint of every stage (in the backward pass's order of stages)."""
    rng = random.Random(seed)
    rows = [
        row
        for stage in derivation.stages
        for row in check_stage(stage, points=points, rng=rng)
    ]
    order = {stage.index: k for k, stage in enumerate(reversed(derivation.stages))}
    return sorted(rows, key=lambda row: order[row.stage])
