"""Check a backward pass against central differences, entry by entry, in float64.

For every entry of every parameter (W, b, elementwise parameters), of the input x
and of the initial states, the numerical gradient of a fixed random linear loss

    L = sum(U * hs) + sum over states s of sum(V_s * s_T)

is compared with the generated backward's (sixth-order central differences). The
verdict uses the relative error of cs231n, ``|a - n| / max(|a| + |n|, 1e-8)``,
against 1e-7 (not the absolute 1e-4 of a NumPy LSTM's README: an absolute tolerance
passes any gradient that is small, right or wrong).

:func:`check` checks one cell; :func:`check_model` checks a whole model (every
layer's parameters and the input, through its loss).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lstm_derive import generated
from lstm_derive.nn.bptt import Cell

Array = NDArray[np.float64]
TOLERANCE = 1e-7
STEP = 3e-3
KINDS = ("parameter", "input", "state")


@dataclass(frozen=True)
class GradRow:
    """One checked entry: which array, which index, both gradients, the verdict."""

    kind: str
    name: str
    index: tuple[int, ...]
    numeric: float
    backward: float
    rel_error: float
    ok: bool

    def line(self) -> str:
        """The row in the layout of a NumPy LSTM's README, with a relative-error column."""
        where = "(" + ",".join(str(i) for i in self.index) + ")"
        verdict = "[OK]" if self.ok else "[FAIL]"
        return (
            f"{self.kind} {where} numeric: {self.numeric: .6e} backward: {self.backward: .6e} "
            f"rel_error: {self.rel_error:.1e} {verdict}"
        )


def relative_error(a: float, b: float) -> float:
    """cs231n's relative error, safe when both are zero."""
    return abs(a - b) / max(abs(a) + abs(b), 1e-8)


@dataclass
class Problem:
    """A random instance of a cell: inputs, states, parameters and the loss weights."""

    cell: Any
    arrays: dict[str, Array]  # x, <state>0..., W_x, b_x, W_h, ... (the layout)
    loss_hs: Array
    loss_last: dict[str, Array]

    @classmethod
    def random(
        cls, cell: Any, batch: int, steps: int, inputs: int, hidden: int, seed: int
    ) -> Problem:
        """Draw every array from ``numpy.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        arrays = {"x": rng.standard_normal((batch, steps, inputs))}
        for state in cell.states:
            arrays[f"{state}0"] = 0.5 * rng.standard_normal((batch, hidden))
        for name, shape in cell.shapes(inputs, hidden).items():
            arrays[name] = 0.5 * rng.standard_normal(shape)
        loss_hs = rng.standard_normal((batch, steps, hidden))
        loss_last = {s: rng.standard_normal((batch, hidden)) for s in cell.states}
        return cls(cell, arrays, loss_hs, loss_last)

    def loss(self, arrays: dict[str, Array]) -> float:
        """The scalar loss for the given arrays."""
        return float(self.evaluate(arrays)[0])

    def evaluate(self, arrays: dict[str, Any]) -> tuple[Any, bytes]:
        """The loss, and the pattern of saved forward values that are exactly zero.

        A rectifier's output is exactly zero where it is off, which a smooth
        activation's output never is: the pattern changes exactly when a
        perturbation moves some value across a ReLU kink.
        """
        hs, finals, cache = self.cell.forward(*self.split(arrays))
        total = np.sum(self.loss_hs * hs)
        for state in self.cell.states:
            total += np.sum(self.loss_last[state] * finals[state])
        zeros = [
            np.asarray(value).ravel() == 0
            for step in cache.steps
            for value in step.values()
            if isinstance(value, np.ndarray)
        ]
        return total, np.packbits(np.concatenate(zeros)).tobytes()

    def backward(self) -> dict[str, Array]:
        """The cell's gradients, keyed by array name (``x``, ``h0``, ``W_x``, ...)."""
        _, _, cache = self.cell.forward(*self.split(self.arrays))
        grads = self.cell.backward(self.loss_hs, cache, self.loss_last)
        return {name: grads[name] for name in self.arrays}

    def split(
        self, arrays: dict[str, Any]
    ) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """``x``, the initial states by state name, the parameters by name."""
        states = {s: arrays[f"{s}0"] for s in self.cell.states}
        params = {k: v for k, v in arrays.items() if k != "x" and k[:-1] not in states}
        return arrays["x"], states, params

    def numeric(
        self, name: str, index: tuple[int, ...], step: float, *, refine: bool = True
    ) -> float:
        """The derivative of the loss in one entry, by finite differences.

        The sixth-order central stencil (see :data:`CENTRAL`), at the step given
        and then (with ``refine``) at steps 4 times smaller, until two estimates
        agree to :data:`AGREEMENT` (each step makes the truncation error, O(s^6),
        4096 times smaller): a cell whose activations saturate can have
        derivatives so steep that the first step is not small enough.

        A cell with a kink (ReLU) is differentiable on either side of it, and its
        backward gives the slope of the side the point lies on. When a kink lies
        inside the central stencil (some stencil point switches a rectifier on or
        off), the sixth-order one-sided stencil on the kink-free side is used; when
        both sides are blocked, the step shrinks. The backward gradient is never
        consulted.

        The loss is evaluated in extended precision (``numpy.longdouble``, a 64-bit
        mantissa on x86-64): a float64 loss of size ~1 carries rounding noise
        ~1e-16, which the difference quotient turns into ~1e-13 and which would
        swamp the relative error of gradients as small as 1e-7. The backward under
        test runs in float64.
        """
        arrays = {k: v.astype(np.longdouble) for k, v in self.arrays.items()}
        entry = arrays[name]
        original = entry[index].copy()

        def at(offset: float) -> tuple[Any, bytes]:
            entry[index] = original + offset
            return self.evaluate(arrays)

        _, pattern = at(0.0)

        def estimate_at(step: float) -> float | None:
            """The estimate at ``step``, or None if kinks block every stencil."""
            for stencil, direction in ((CENTRAL, 1), (ONE_SIDED, 1), (ONE_SIDED, -1)):
                points = {k: at(direction * k * step) for k in stencil}
                if all(p == pattern for _, p in points.values()):
                    values = {k: value for k, (value, _) in points.items()}
                    return float(direction * _apply(stencil, values) / step)
            return None

        previous = None
        while step >= MIN_STEP:
            estimate = estimate_at(step)
            if estimate is not None and not refine:
                return estimate
            if estimate is not None:
                if previous is not None and abs(estimate - previous) <= AGREEMENT * max(
                    abs(estimate), 1e-8
                ):
                    return estimate
                previous = estimate
            step /= 4
        if previous is not None:
            return previous
        # kinks on both sides at every step: take the centre
        values = {k: at(k * step * 4)[0] for k in CENTRAL}
        return float(_apply(CENTRAL, values) / (step * 4))


def _apply(stencil: dict[int, float], values: dict[int, Any]) -> Any:
    """Σ c_k f_k, written as differences so a loss that does not move gives exactly 0.

    The coefficients sum to zero; multiplying the same value by each and adding
    would leave rounding noise of about 1e-16 instead.
    """
    if stencil is CENTRAL:
        return sum(c * (values[k] - values[-k]) for k, c in stencil.items() if k > 0)
    return sum(c * (values[k] - values[0]) for k, c in stencil.items() if k > 0)


CENTRAL = {-3: -1 / 60, -2: 9 / 60, -1: -45 / 60, 1: 45 / 60, 2: -9 / 60, 3: 1 / 60}
"""``f'(x) s = Σ c_k f(x + k s)``: the sixth-order central stencil."""
ONE_SIDED = {
    0: -49 / 20,
    1: 6.0,
    2: -15 / 2,
    3: 20 / 3,
    4: -15 / 4,
    5: 6 / 5,
    6: -1 / 6,
}
"""``f'(x) s = Σ c_k f(x + k s)`` over k = 0..6: the sixth-order one-sided stencil."""
MIN_STEP = 1e-6  # below this, float64 rounding dominates the difference quotient
AGREEMENT = 1e-10
"""Two estimates at steps s and s/4 that agree to this (relative) end the search."""


def central_difference(
    loss: Callable[[], float], array: Array, index: tuple[int, ...], step: float = STEP
) -> float:
    """d loss / d array[index] by the sixth-order stencil, restoring the entry.

    ``loss`` reads ``array`` (changed in place entry by entry) and returns a float.
    """
    original = array[index]
    values = {}
    try:
        for k in CENTRAL:
            array[index] = original + k * step
            values[k] = loss()
    finally:
        array[index] = original
    return float(_apply(CENTRAL, values) / step)


def kind_of(cell: Any, name: str) -> tuple[str, int]:
    """Which kind an array is and its number ``k`` within the kind."""
    parameters = list(cell.layout)
    states = [f"{s}0" for s in cell.states]
    if name in parameters:
        return "parameter", parameters.index(name)
    if name in states:
        return "state", states.index(name)
    return "input", 0


def as_cell(cell: str | ModuleType | Any) -> Any:
    """A cell name or generated module as the driver's :class:`Cell`; others as given."""
    if isinstance(cell, str):
        return Cell.of(generated.load(cell))
    if isinstance(cell, ModuleType):
        return Cell.of(cell)
    return cell


def check(
    cell: str | ModuleType | Any = "lstm",
    *,
    batch: int = 2,
    steps: int = 3,
    inputs: int = 3,
    hidden: int = 4,
    seed: int = 0,
    step: float = STEP,
    tolerance: float = TOLERANCE,
    refine: bool = True,
) -> list[GradRow]:
    """Gradient-check every entry of every array of ``cell``; return the rows.

    ``cell`` is a cell name, a generated module, or any object with the interface
    of :class:`lstm_derive.nn.bptt.Cell` (``states``, ``layout``, ``shapes``,
    ``forward``, ``backward``) — for example one whose backward is deliberately wrong.
    ``step`` is the first step of the finite differences; with ``refine`` (the
    default) smaller steps follow until two estimates agree, without it the first
    step's estimate is used, good or not.
    """
    module = as_cell(cell)
    problem = Problem.random(module, batch, steps, inputs, hidden, seed)
    analytic = problem.backward()
    rows = []
    for name, index in _entries(problem.arrays):
        kind, k = kind_of(module, name)
        numeric = problem.numeric(name, index, step, refine=refine)
        backward = float(analytic[name][index])
        error = relative_error(numeric, backward)
        rows.append(
            GradRow(
                kind, name, (k, *index), numeric, backward, error, error <= tolerance
            )
        )
    return rows


def _entries(arrays: dict[str, Array]) -> Iterator[tuple[str, tuple[int, ...]]]:
    order = sorted(arrays, key=lambda n: KINDS.index(kind_of_name(n)))
    for name in order:
        for index in np.ndindex(arrays[name].shape):
            yield name, tuple(int(i) for i in index)


def kind_of_name(name: str) -> str:
    """The kind of an array from its name alone (``x`` input, ``*0`` state)."""
    if name == "x":
        return "input"
    if name.endswith("0"):
        return "state"
    return "parameter"


def check_model(
    model: Any,
    loss: Any,
    x: Array,
    target: Array,
    *,
    step: float = 1e-3,
    tolerance: float = 1e-6,
    input_gradient: bool = True,
) -> list[GradRow]:
    """Gradient-check a whole model through its loss, entry by entry, in float64.

    ``model`` is any layer (a :class:`~lstm_derive.nn.Sequential` of recurrent,
    bidirectional, dense, dropout and activation layers); ``loss(prediction,
    target)`` returns the loss and its gradient (:mod:`lstm_derive.nn.losses`).
    Every entry of every parameter (and of ``x``, with ``input_gradient``) is
    compared with central differences of the loss. The model computes in float64
    (its layers refuse other dtypes), so the difference quotient carries rounding
    noise of about 1e-16 / step: hence a tolerance of 1e-6 (a correct model of a
    few hundred entries stays below 1e-7). A ReLU's kink inside the stencil would
    make an entry fail: check a rectified model at points away from its kinks. Dropout draws the same units at every evaluation: the
    states of the model's generators are restored before each forward pass.
    """
    generators = model.generators() if hasattr(model, "generators") else []
    states = [g.bit_generator.state for g in generators]

    def evaluate() -> float:
        for generator, state in zip(generators, states, strict=True):
            generator.bit_generator.state = state
        value, _ = loss(model.forward(x), target)
        return float(value)

    evaluate()
    for generator, state in zip(generators, states, strict=True):
        generator.bit_generator.state = state
    _, d_prediction = loss(model.forward(x), target)
    d_x = model.backward(d_prediction)
    analytic = dict(model.grads)
    arrays = dict(model.params)
    if input_gradient:
        analytic["x"], arrays["x"] = d_x, x
    rows = []
    for name, array in arrays.items():
        for index in np.ndindex(array.shape):
            numeric = central_difference(evaluate, array, index, step)
            backward = float(analytic[name][index])
            error = relative_error(numeric, backward)
            kind = "input" if name == "x" else "parameter"
            rows.append(
                GradRow(kind, name, index, numeric, backward, error, error <= tolerance)
            )
    return rows


def legend(cell: str | ModuleType | Any = "lstm") -> list[str]:
    """What ``k`` means in ``parameter (k,i,j)``, one line per kind."""
    module = as_cell(cell)
    parameters = list(module.layout)
    states = [f"{s}0" for s in module.states]
    return [
        "parameter k: " + ", ".join(f"{k} = {n}" for k, n in enumerate(parameters)),
        "input k: 0 = x (batch, time, feature)",
        "state k: " + ", ".join(f"{k} = {n}" for k, n in enumerate(states)),
    ]


def summary(rows: list[GradRow]) -> str:
    """One line: how many entries, the largest relative error, the verdict."""
    worst = max(row.rel_error for row in rows)
    failed = sum(not row.ok for row in rows)
    verdict = "all OK" if failed == 0 else f"{failed} FAIL"
    return f"{len(rows)} entries checked, max rel_error {worst:.1e}: {verdict}"
