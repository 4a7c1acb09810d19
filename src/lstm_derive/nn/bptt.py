"""Backpropagation through time, written once for every cell (NumPy only).

A generated cell module (:mod:`lstm_derive.generated`) holds one step's derived
maths, ``STAGES`` (pairs of elementwise functions ``forward_k`` / ``backward_k``),
and a *stage table* that says, as data, what the driver needs to know
(:mod:`lstm_derive.codegen.stages`): each projection's vector, weight, bias and
blocks; what each name a stage reads stands for; and per stage the names it reads,
outputs and saves, its gradient arrays, and the projections of its values. The
driver reads that table and nothing else, and does the rest the same way for
every cell:

* the projection of the input ``x`` for all T steps at once (one GEMM over T*B rows);
* the loop over time: per step, the projections of the previous states, then each
  stage's elementwise forward, then the projections of values a stage made
  (Cho's ``r * h_prev``) before the next stage;
* backward, the loop in reverse: each stage's backward, the gradients flowing
  through each projection to the vector it multiplied (``d_v = d_z W^T``), and the
  gradients of the previous states carried to step t-1;
* after the loop, every weight and bias gradient as one GEMM (or sum) over all T*B
  rows, and the gradient of ``x``.

Sequences of different lengths (``lengths``): a padded step changes no state, its
output is zero and it receives no gradient; the final states are those of each
sequence's last step. Variational recurrent dropout (``recurrent_masks``): the
previous hidden state is multiplied by the same mask at every step before its
projection (Gal and Ghahramani 2016).

The stage functions run through a backend: by default the generated NumPy functions
as they are (:data:`NUMPY`, the reference); ``cell.using(backend)`` runs the same
loop with other kernels of the same stages, such as the compiled ones of
:mod:`lstm_derive.nn.compiled`. That module also runs this whole loop, forward and
backward, inside one compiled call (``nn.Recurrent(..., backend="numba")``): the
same steps as here, printed for each cell from the same stage table by
:mod:`lstm_derive.codegen.sequence`.

The file imports nothing from the project, so ``lstm-derive export`` can copy it
next to one cell's generated code.
"""

from __future__ import annotations

import dataclasses
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
    the order of the table's ``reads``) and returns its outputs and saved values, as
    the generated function does; ``backward(k, t, args)`` takes the gradients
    arriving at the stage's outputs, then its saved values, and returns the
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
    """One matrix product of a step: ``<key> = <reads> · <weight> (+ <bias>)``."""

    key: str  # "zx": the name the stage functions use
    reads: str  # "x", "h_prev", or a value of the step
    kind: str  # what it reads: "input", "state" or "value" (the table's INPUTS)
    source: str  # the input, the state ("h" for h_prev) or the value it reads
    weight: str  # "W_x"
    bias: str | None  # "b_x" or None
    blocks: tuple[str, ...]  # its column blocks, width H each

    @property
    def width(self) -> int:
        """The number of blocks."""
        return len(self.blocks)


@dataclass(frozen=True)
class StagePlan:
    """One stage: its two functions and its row of the stage table."""

    forward: Callable[..., tuple[dict[str, Array], dict[str, Array]]]
    backward: Callable[..., dict[str, Array]]
    reads: tuple[str, ...]
    outputs: tuple[str, ...]
    saved: tuple[str, ...]
    writes: tuple[str, ...]
    gradients: tuple[tuple[str, ...], ...]  # per gradient array, the names it is of
    after: tuple[ProjectionPlan, ...]  # projections of values this stage makes


@dataclass(frozen=True)
class Cell:
    """A generated cell module, read once (its stage table) into what the driver needs."""

    module: ModuleType
    name: str
    states: tuple[str, ...]
    gates: tuple[str, ...]
    layout: dict[str, tuple[str, ...]]
    inputs: dict[str, tuple[str, str]]  # the table's INPUTS: name -> (kind, what)
    elementwise: tuple[str, ...]  # the elementwise parameters
    projections: tuple[ProjectionPlan, ...]
    before: tuple[ProjectionPlan, ...]  # projections of previous states
    stages: tuple[StagePlan, ...]
    shared: dict[str, str]  # projection key -> the key whose gradient buffer it shares
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
        inputs = {name: tuple(meaning) for name, meaning in module.INPUTS.items()}
        projections = {
            key: ProjectionPlan(
                key,
                entry["reads"],
                inputs[entry["reads"]][0],
                inputs[entry["reads"]][1],
                entry["weight"],
                entry["bias"],
                tuple(entry["blocks"]),
            )
            for key, entry in module.PROJECTIONS.items()
        }
        stages = tuple(
            StagePlan(
                forward,
                backward,
                tuple(row["reads"]),
                tuple(row["outputs"]),
                tuple(row["saved"]),
                tuple(row["writes"]),
                tuple(tuple(names) for names in row["gradients"]),
                tuple(projections[key] for key in row["projections_after"]),
            )
            for (forward, backward), row in zip(
                module.STAGES, module.STAGE_TABLE, strict=True
            )
        )
        # Fused projections (z = zx + zh) have one gradient: they share one buffer.
        shared = {
            key: names[0]
            for stage in stages
            for names in stage.gradients
            if len(names) > 1
            for key in names
        }
        layout = {name: tuple(shape) for name, shape in module.PARAMETERS.items()}
        cell = cls(
            module=module,
            name=module.CELL,
            states=tuple(module.STATES),
            gates=tuple(module.GATES),
            layout=layout,
            inputs=inputs,
            elementwise=tuple(
                n for n, (kind, _) in inputs.items() if kind == "parameter"
            ),
            projections=tuple(projections.values()),
            before=tuple(p for p in projections.values() if p.kind == "state"),
            stages=stages,
            shared=shared,
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
        self,
        x: Array,
        states0: Mapping[str, Array],
        params: Mapping[str, Array],
        *,
        lengths: Array | None = None,
        recurrent_masks: Mapping[str, Array] | None = None,
    ) -> tuple[Array, dict[str, Array], Cache]:
        """See :func:`forward`."""
        return forward(
            self, x, states0, params, lengths=lengths, recurrent_masks=recurrent_masks
        )

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
    valid: Array | None  # [T, B]: whether step t of row b is inside its sequence
    masks: Mapping[str, Array]  # recurrent dropout masks, per state
    steps: list[dict[str, Array]] = field(default_factory=list)  # values, per step

    def values(self, name: str) -> Array:
        """A value of every step (a gate, a state, ...), as [B, T, H]."""
        return np.stack([step[name] for step in self.steps], axis=1)


def forward(
    cell: Cell,
    x: Array,
    states0: Mapping[str, Array],
    params: Mapping[str, Array],
    *,
    lengths: Array | None = None,
    recurrent_masks: Mapping[str, Array] | None = None,
) -> tuple[Array, dict[str, Array], Cache]:
    """Run ``cell`` over a batch of sequences ``x [B, T, I]`` from the states ``states0``.

    ``params`` maps every parameter name of the cell's layout to its array.
    ``lengths [B]`` (optional) gives each sequence's length (1..T): its later steps
    are padding. ``recurrent_masks`` (optional) maps a state to a [B, H] mask that
    multiplies its previous value before every projection of it. Returns the hidden
    states ``[B, T, H]`` (zero at padded steps), the final states and the cache for
    backward.
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
        if p.kind == "input"
    }
    elementwise = {name: params[name] for name in cell.elementwise}
    masks = dict(recurrent_masks or {})
    sources: dict[str, list[Array]] = {
        p.key: [] for p in cell.projections if p.kind != "input"
    }
    # the result type of everything the step reads (integer input becomes float)
    dtype = np.result_type(x_rows, *states0.values(), *params.values(), np.float16)
    valid = None if lengths is None else np.arange(steps)[:, None] < lengths[None, :]
    runner = cell.backend.runner(cell, steps, batch, hidden, dtype)
    shape = (batch, steps, inputs, hidden)
    cache = Cache(cell, x_rows, shape, params, sources, runner, valid, masks)
    hs = np.empty((steps, batch, hidden), dtype=dtype)
    states = {s: states0[s].copy() for s in cell.states}  # the caller's stay theirs
    for t in range(steps):
        values = {f"{s}_prev": states[s] for s in cell.states} | elementwise
        for key, z in of_x.items():
            values[key] = z[t]
        for p in cell.before:
            source = values[p.reads]
            if p.source in masks:
                source = source * masks[p.source]
            values[p.key] = _project(source, params, p)
            sources[p.key].append(source)
        kept: dict[str, Array] = {}
        for k, stage in enumerate(cell.stages):
            outputs, saved = runner.forward(k, t, [values[n] for n in stage.reads])
            values |= outputs
            kept |= saved | outputs
            for p in stage.after:
                values[p.key] = _project(values[p.reads], params, p)
                sources[p.key].append(values[p.reads])
        new = {s: values[s] for s in cell.states}
        if valid is not None:  # a padded step keeps the state and outputs zero
            inside = valid[t][:, None]
            new = {s: np.where(inside, new[s], states[s]) for s in cell.states}
            hs[t] = np.where(inside, new["h"], 0)
        else:
            hs[t] = new["h"]
        states = new
        cache.steps.append(kept)
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
    where the loss does not read one; ignored at padded steps); ``d_last`` adds
    gradients w.r.t. the final states. Returns the gradients of ``x``, of the
    initial states (``h0``, ``c0``, ...) and of every parameter, keyed by name. A
    ``trace`` list receives, for t = T, T-1, ..., 1, the total gradient reaching
    each state of step t. With ``input_gradient=False`` the gradient of ``x`` is not
    computed (nor returned): one matrix product less, for a first layer whose input
    is the data.
    """
    cell, params = cache.cell, cache.params
    batch, steps, _, hidden = cache.shape
    dtype = d_hs.dtype
    zeros = np.zeros((batch, hidden), dtype=dtype)
    d_next = {s: zeros if d_last is None else d_last.get(s, zeros) for s in cell.states}
    # One gradient buffer per projection; fused projections share theirs.
    owners = {p.key: cell.shared.get(p.key, p.key) for p in cell.projections}
    buffers = {
        key: np.zeros((steps, batch, p.width * hidden), dtype=dtype)
        for p in cell.projections
        if (key := p.key) == owners[key]
    }
    d_z = {key: buffers[owner] for key, owner in owners.items()}
    # W^T, made contiguous once: T products with each follow
    transposed = {
        p.key: np.ascontiguousarray(params[p.weight].T) for p in cell.projections
    }
    d_elementwise = {name: np.zeros(hidden, dtype=dtype) for name in cell.elementwise}
    for t in reversed(range(steps)):
        saved = cache.steps[t]
        inside = None if cache.valid is None else cache.valid[t][:, None]
        # gradients arriving at this step's values from later: the loss at step t,
        # step t+1 (the new states), later stages
        arriving: dict[str, Array] = dict(d_next)
        arriving["h"] = d_hs[:, t] + d_next["h"]
        if inside is not None:  # a padded step passes its states' gradients back
            carried = dict(d_next)
            arriving = {s: np.where(inside, g, 0) for s, g in arriving.items()}
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
                    *(arriving.get(name, zeros) for name in stage.outputs),
                    *(saved[name] for name in stage.saved),
                ],
            )
            for names in stage.gradients:  # one array per group (fused: one for all)
                gradient = grads[names[0]]
                kind, what = cell.inputs[names[0]]
                if kind == "projection":
                    d_z[names[0]][t] += gradient
                elif kind == "state":
                    _add(d_previous, what, gradient)
                elif kind == "parameter":
                    d_elementwise[what] += gradient
                else:  # a value of an earlier stage
                    _add(arriving, what, gradient)
        for p in cell.before:  # back through the projections of the previous states
            d_source = d_z[p.key][t] @ transposed[p.key]
            if p.source in cache.masks:
                d_source *= cache.masks[p.source]
            _add(d_previous, p.source, d_source)
        d_next = {s: d_previous.get(s, zeros) for s in cell.states}
        if inside is not None:
            d_next = {s: np.where(inside, d_next[s], carried[s]) for s in cell.states}
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
        if p.kind == "input":
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
