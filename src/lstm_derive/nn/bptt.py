"""Backpropagation through time, written once for every cell (NumPy only).

A generated cell module (:mod:`lstm_derive.generated`) holds one step's derived
maths: its states, its projections (matrix products), its parameter shapes, and
``STAGES``, pairs of elementwise functions ``forward_k`` / ``backward_k``. This module
does everything else, the same way for every cell:

* the projection of the input ``x`` for all T steps at once (one GEMM over T*B rows);
* the loop over time: per step, the projections of the previous states, then each
  stage's elementwise forward, then the projections of values a stage made
  (Cho's ``r * h_prev``) before the next stage;
* backward, the loop in reverse: each stage's backward, the gradients flowing
  through each projection to the vector it multiplied (``d_v = d_z W^T``), and the
  gradients of the previous states carried to step t-1;
* after the loop, every weight and bias gradient as one GEMM (or sum) over all T*B
  rows, and the gradient of ``x``.

The stage functions run through a backend: by default the generated NumPy functions
as they are (:data:`NUMPY`, the reference); ``cell.using(backend)`` runs the same
loop with other kernels of the same stages, such as the compiled ones of
:mod:`lstm_derive.nn.compiled`.

The file imports nothing from the project, so ``lstm-derive export`` can copy it
next to one cell's generated code.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
Grads = dict[str, Array]


class StageRunner(Protocol):
    """The stage functions of one forward pass (and its backward passes).

    ``forward(k, t, args)`` runs stage ``k`` of step ``t`` on the values it reads (in
    the order of the generated forward function) and returns its outputs and saved
    values, as the generated function does; ``backward(k, t, args)`` takes the
    gradients arriving at the stage's outputs, then its saved values, and returns the
    gradients by name, as the generated backward function does.
    """

    def forward(
        self, k: int, t: int, args: list[Array]
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        """Stage ``k`` forward at step ``t``."""
        ...

    def backward(self, k: int, t: int, args: list[Array]) -> dict[str, Array]:
        """Stage ``k`` backward at step ``t``."""
        ...


class Backend(Protocol):
    """Where the stage functions come from: ``runner`` is called once per forward pass."""

    @property
    def name(self) -> str:
        """``numpy``, ``numba``."""
        ...

    def runner(
        self, cell: Cell, steps: int, batch: int, hidden: int, dtype: np.dtype[Any]
    ) -> StageRunner:
        """The stage functions for one pass over ``steps`` steps of ``batch`` rows."""
        ...


@dataclass(frozen=True)
class NumPyBackend:
    """The generated NumPy functions, called as they are: the default and the reference."""

    name: str = "numpy"

    def runner(
        self, cell: Cell, steps: int, batch: int, hidden: int, dtype: np.dtype[Any]
    ) -> StageRunner:
        """The same functions for every pass: they allocate what they return."""
        del steps, batch, hidden, dtype
        return _NumPyRunner(cell.stages)


@dataclass(frozen=True)
class _NumPyRunner:
    stages: tuple[StagePlan, ...]

    def forward(
        self, k: int, t: int, args: list[Array]
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        del t
        return self.stages[k].forward(*args)

    def backward(self, k: int, t: int, args: list[Array]) -> dict[str, Array]:
        del t
        return self.stages[k].backward(*args)


NUMPY = NumPyBackend()
"""The default backend."""


@dataclass(frozen=True)
class ProjectionPlan:
    """One matrix product of a step: ``z<name> = <reads> · W (+ b)``."""

    key: str  # "zx": the name the stage functions use
    reads: str  # "x", "h_prev", or a value of the step
    weight: str  # "W_x"
    bias: str | None  # "b_x" or None
    blocks: tuple[str, ...]  # its column blocks, width H each

    @property
    def width(self) -> int:
        """The number of blocks."""
        return len(self.blocks)

    @property
    def of_input(self) -> bool:
        """Whether it multiplies the input x (done for all steps at once)."""
        return self.reads == "x"

    @property
    def of_previous(self) -> bool:
        """Whether it multiplies a state of the previous step."""
        return self.reads.endswith("_prev")


@dataclass(frozen=True)
class StagePlan:
    """One stage: its two functions, what they read, and the projections after it."""

    forward: Callable[..., tuple[dict[str, Array], dict[str, Array]]]
    backward: Callable[..., dict[str, Array]]
    reads: tuple[str, ...]
    upstream: tuple[str, ...]
    saved: tuple[str, ...]
    after: tuple[ProjectionPlan, ...]


@dataclass(frozen=True)
class Cell:
    """A generated cell module, read once into what the driver needs."""

    module: ModuleType
    name: str
    states: tuple[str, ...]
    gates: tuple[str, ...]
    layout: dict[str, tuple[str, ...]]
    elementwise: tuple[str, ...]
    projections: tuple[ProjectionPlan, ...]
    before: tuple[ProjectionPlan, ...]  # projections of previous states
    stages: tuple[StagePlan, ...]
    backend: Backend = NUMPY

    def using(self, backend: Backend) -> Cell:
        """The same cell, its stages run by ``backend``."""
        return dataclasses.replace(self, backend=backend)

    @classmethod
    def of(cls, module: ModuleType) -> Cell:
        """Plan the driver's work for one generated module (cached per module)."""
        cached = _CELLS.get(module.__name__)
        if cached is not None and cached.module is module:
            return cached
        projections = {
            name: ProjectionPlan(f"z{name}", reads, f"W_{name}", bias, tuple(blocks))
            for name, (reads, blocks, bias) in module.PROJECTIONS.items()
        }
        stages = []
        for forward, backward in module.STAGES:
            reads = tuple(inspect.signature(forward).parameters)
            names = tuple(inspect.signature(backward).parameters)
            upstream = tuple(
                n[2:-5] for n in names if n.startswith("d_") and n.endswith("_next")
            )
            saved = tuple(
                n for n in names if not (n.startswith("d_") and n.endswith("_next"))
            )
            stages.append([forward, backward, reads, upstream, saved])
        plans = []
        waiting = [p for p in projections.values() if not (p.of_input or p.of_previous)]
        for forward, backward, reads, upstream, saved in stages:
            after = tuple(p for p in waiting if p.reads in upstream)
            plans.append(StagePlan(forward, backward, reads, upstream, saved, after))
        layout = {name: tuple(shape) for name, shape in module.PARAMETERS.items()}
        cell = cls(
            module=module,
            name=module.CELL,
            states=tuple(module.STATES),
            gates=tuple(module.GATES),
            layout=layout,
            elementwise=tuple(
                name for name in layout if not name.startswith(("W_", "b_"))
            ),
            projections=tuple(projections.values()),
            before=tuple(p for p in projections.values() if p.of_previous),
            stages=tuple(plans),
        )
        _CELLS[module.__name__] = cell
        return cell

    def shapes(self, inputs: int, hidden: int) -> dict[str, tuple[int, ...]]:
        """Every parameter's shape for the given sizes."""
        units = {"inputs": inputs, "hidden": hidden}

        def size(axis: str) -> int:
            count, _, unit = axis.rpartition("*")
            return (int(count) if count else 1) * units[unit]

        return {
            name: tuple(size(axis) for axis in shape)
            for name, shape in self.layout.items()
        }

    def forward(
        self, x: Array, states0: Mapping[str, Array], params: Mapping[str, Array]
    ) -> tuple[Array, dict[str, Array], Cache]:
        """See :func:`forward`."""
        return forward(self, x, states0, params)

    def backward(
        self,
        d_hs: Array,
        cache: Cache,
        d_last: Mapping[str, Array] | None = None,
        *,
        input_gradient: bool = True,
    ) -> Grads:
        """See :func:`backward`."""
        return backward(d_hs, cache, d_last, input_gradient=input_gradient)


_CELLS: dict[str, Cell] = {}


@dataclass
class Cache:
    """What the backward pass needs from the forward pass."""

    cell: Cell
    x_rows: Array  # [T*B, I], time-major rows
    shape: tuple[int, int, int, int]  # batch, steps, inputs, hidden
    params: Mapping[str, Array]
    sources: dict[str, list[Array]]  # rows each step-projection multiplied, per step
    runner: StageRunner
    steps: list[dict[str, Array]] = field(
        default_factory=list
    )  # saved values, per step


def forward(
    cell: Cell, x: Array, states0: Mapping[str, Array], params: Mapping[str, Array]
) -> tuple[Array, dict[str, Array], Cache]:
    """Run ``cell`` over a batch of sequences ``x [B, T, I]`` from the states ``states0``.

    ``params`` maps every parameter name of the cell's layout to its array. Returns
    the hidden states ``[B, T, H]``, the final states and the cache for backward.
    """
    batch, steps, inputs = x.shape
    hidden = states0["h"].shape[1]
    # The projections of x for every step at once: one GEMM over T*B time-major rows.
    x_rows = x.transpose(1, 0, 2).reshape(steps * batch, inputs)
    if np.shares_memory(x_rows, x):  # a view (B or T is 1): backward must not see
        x_rows = x_rows.copy()  # the caller's later changes to x
    of_x = {
        p.key: _project(x_rows, params, p).reshape(steps, batch, -1)
        for p in cell.projections
        if p.of_input
    }
    elementwise = {name: params[name] for name in cell.elementwise}
    sources: dict[str, list[Array]] = {
        p.key: [] for p in cell.projections if not p.of_input
    }
    # the result type of everything the step reads (integer input becomes float)
    dtype = np.result_type(x_rows, *states0.values(), *params.values(), np.float16)
    runner = cell.backend.runner(cell, steps, batch, hidden, dtype)
    shape = (batch, steps, inputs, hidden)
    cache = Cache(cell, x_rows, shape, params, sources, runner)
    hs = np.empty((steps, batch, hidden), dtype=dtype)
    states = dict(states0)
    for t in range(steps):
        values = {f"{s}_prev": states[s] for s in cell.states} | elementwise
        for key, z in of_x.items():
            values[key] = z[t]
        for p in cell.before:
            values[p.key] = _project(values[p.reads], params, p)
            sources[p.key].append(values[p.reads])
        saved: dict[str, Array] = {}
        for k, stage in enumerate(cell.stages):
            outputs, stage_saved = runner.forward(
                k, t, [values[n] for n in stage.reads]
            )
            values |= outputs
            saved |= stage_saved
            for p in stage.after:
                values[p.key] = _project(values[p.reads], params, p)
                sources[p.key].append(values[p.reads])
        states = {s: values[s] for s in cell.states}
        hs[t] = states["h"]
        cache.steps.append(saved)
    return hs.transpose(1, 0, 2), states, cache


def _project(rows: Array, params: Mapping[str, Array], p: ProjectionPlan) -> Array:
    z = rows @ params[p.weight]
    if p.bias is not None:
        z += params[p.bias]
    return z


def backward(
    d_hs: Array,
    cache: Cache,
    d_last: Mapping[str, Array] | None = None,
    trace: list[dict[str, Array]] | None = None,
    *,
    input_gradient: bool = True,
) -> Grads:
    """Backpropagation through time.

    ``d_hs [B, T, H]`` is the gradient of the loss w.r.t. every hidden state (zeros
    where the loss does not read one); ``d_last`` adds gradients w.r.t. the final
    states. Returns the gradients of ``x``, of the initial states (``h0``, ``c0``,
    ...) and of every parameter, keyed by name. A ``trace`` list receives, for
    t = T, T-1, ..., 1, the total gradient reaching each state of step t. With
    ``input_gradient=False`` the gradient of ``x`` is not computed (nor returned):
    one matrix product less, for a first layer whose input is the data.
    """
    cell, params = cache.cell, cache.params
    batch, steps, _, hidden = cache.shape
    dtype = d_hs.dtype
    zeros = np.zeros((batch, hidden), dtype=dtype)
    d_next = {s: zeros if d_last is None else d_last.get(s, zeros) for s in cell.states}
    d_z = {
        p.key: np.zeros((steps, batch, p.width * hidden), dtype=dtype)
        for p in cell.projections
    }
    # W^T, made contiguous once: T products with each follow
    transposed = {
        p.key: np.ascontiguousarray(params[p.weight].T) for p in cell.projections
    }
    d_elementwise = {name: np.zeros(hidden, dtype=dtype) for name in cell.elementwise}
    projection_keys = set(d_z)
    # A stage whose projections are only summed (z = zx + zh) returns one gradient
    # array for all of them: they then share one buffer, written once per step.
    shared: dict[str, str] = {}
    for t in reversed(range(steps)):
        saved = cache.steps[t]
        # gradients arriving at this step's values from later: the loss at step t,
        # step t+1 (the new states), later stages
        arriving: dict[str, Array] = dict(d_next)
        arriving["h"] = d_hs[:, t] + d_next["h"]
        if trace is not None:  # copies: a backend may reuse its arrays
            trace.append({s: arriving[s].copy() for s in cell.states})
        d_previous: dict[str, Array] = {}
        for k in reversed(range(len(cell.stages))):
            stage = cell.stages[k]
            for p in stage.after:  # back through the projections of its values
                _add(arriving, p.reads, d_z[p.key][t] @ transposed[p.key])
            grads = cache.runner.backward(
                k,
                t,
                [
                    *(arriving.get(name, zeros) for name in stage.upstream),
                    *(saved[name] for name in stage.saved),
                ],
            )
            written: dict[int, str] = {}
            for key, gradient in grads.items():
                if key in projection_keys:
                    if t == steps - 1 and id(gradient) in written:
                        shared[key] = written[id(gradient)]
                        d_z[key] = d_z[shared[key]]
                    written[id(gradient)] = key
                    if key not in shared:
                        d_z[key][t] += gradient
                elif key.endswith("_prev"):
                    _add(d_previous, key[: -len("_prev")], gradient)
                elif key in d_elementwise:
                    d_elementwise[key] += gradient
                else:  # a value of an earlier stage
                    _add(arriving, key, gradient)
        for p in cell.before:  # back through the projections of the previous states
            _add(
                d_previous, p.reads[: -len("_prev")], d_z[p.key][t] @ transposed[p.key]
            )
        d_next = {s: d_previous.get(s, zeros) for s in cell.states}
    return _parameter_gradients(cache, d_z, d_next, d_elementwise, input_gradient)


def _add(gradients: dict[str, Array], name: str, gradient: Array) -> None:
    if name in gradients:
        gradients[name] = gradients[name] + gradient
    else:
        gradients[name] = gradient


def _parameter_gradients(
    cache: Cache,
    d_z: dict[str, Array],
    d_initial: dict[str, Array],
    d_elementwise: dict[str, Array],
    input_gradient: bool,
) -> Grads:
    """dW, db and dx (if wanted) for all steps at once: one GEMM each over T*B rows."""
    cell, params = cache.cell, cache.params
    batch, steps, inputs, _ = cache.shape
    grads: Grads = {}
    d_x_rows = None
    for p in cell.projections:
        d_rows = d_z[p.key].reshape(steps * batch, -1)
        if p.of_input:
            rows = cache.x_rows
            if input_gradient:
                d_from = d_rows @ params[p.weight].T
                d_x_rows = d_from if d_x_rows is None else d_x_rows + d_from
        else:
            rows = np.stack(cache.sources[p.key]).reshape(steps * batch, -1)
        grads[p.weight] = rows.T @ d_rows
        if p.bias is not None:
            grads[p.bias] = d_rows.sum(axis=0)
    if input_gradient:
        if d_x_rows is None:
            d_x_rows = np.zeros((steps * batch, inputs), dtype=d_initial["h"].dtype)
        grads["x"] = d_x_rows.reshape(steps, batch, inputs).transpose(1, 0, 2)
    grads |= {f"{s}0": d for s, d in d_initial.items()}
    grads |= d_elementwise
    return grads
