"""The compiled backends: the generated Numba kernels, per step or the whole sequence.

Both run the code of ``lstm_derive/generated/compiled/<cell>.py``, printed from the
same derivation and the same stage table as the NumPy module:

* per step (``nn.Recurrent(..., backend="numba_per_step")``, or
  ``Cell.using(NumbaStepBackend())``): the one BPTT driver of
  :mod:`lstm_derive.nn.bptt` runs the pass and calls a stage's kernel where it
  would call the NumPy stage function. Per forward pass the runner preallocates one
  ``[T, B, H]`` array for every value a kernel writes (the saved values of all steps
  sit in these arrays, not in per-step temporaries); per backward pass it reuses
  one set of gradient arrays per stage, two sets taking turns, as a step's
  gradients are read by the step before it.
* the whole sequence (``backend="numba"``, :class:`NumbaBackend`): the loop over
  time, forward and backward, runs inside one compiled call each
  (``sequence_forward`` and ``sequence_backward`` of the kernel module, printed from
  the stage table by :mod:`lstm_derive.codegen.sequence`), with the matrix products
  as BLAS calls inside it. No Python runs between two steps, which is what a step
  of a small batch costs most. Sequences of different lengths and recurrent dropout
  run in the same two calls, with the driver's semantics.

Numba is an extra (``pip install "lstm-derive[numba]"``); without it, asking for
this backend raises :class:`~lstm_derive.errors.MissingExtraError` in one line.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, overload

import numpy as np

from lstm_derive.errors import MissingExtraError
from lstm_derive.nn.bptt import Array, Cell, Grads, StagePlan
from lstm_derive.numerics import scalars_digest

INSTALL = "pip install 'lstm-derive[numba]'"


def require_numba() -> None:
    """Raise MissingExtraError, in one line, if Numba is not installed."""
    if importlib.util.find_spec("numba") is None:
        msg = f"the numba backend needs Numba, which is not installed: {INSTALL}"
        raise MissingExtraError(msg)


@dataclass(frozen=True)
class StageKernels:
    """One stage's two kernels and its row of the stage table."""

    forward: Any
    backward: Any
    plan: StagePlan


_KERNELS: dict[str, tuple[StageKernels, ...]] = {}
_MODULES: dict[str, ModuleType] = {}


def kernels_of(cell: Cell) -> tuple[StageKernels, ...]:
    """The compiled kernels of ``cell``, their table checked against the driver's."""
    cached = _KERNELS.get(cell.name)
    if cached is not None:
        return cached
    module = module_of(cell)
    kernels = tuple(
        StageKernels(forward, backward, plan)
        for (forward, backward), plan in zip(module.STAGES, cell.stages, strict=True)
    )
    _KERNELS[cell.name] = kernels
    return kernels


def module_of(cell: Cell) -> ModuleType:
    """The compiled module of ``cell``, its table checked against the driver's."""
    cached = _MODULES.get(cell.name)
    if cached is not None:
        return cached
    require_numba()
    from lstm_derive.generated import compiled  # noqa: PLC0415 (imports Numba)

    try:
        module: ModuleType = compiled.load(cell.name)
    except ModuleNotFoundError as error:
        msg = f"no compiled kernels for cell {cell.name!r}: run `lstm-derive regen`"
        raise KeyError(msg) from error
    numpy_module = cell.module
    if (
        module.STAGE_TABLE != numpy_module.STAGE_TABLE
        or module.PROJECTIONS != numpy_module.PROJECTIONS
        or module.INPUTS != numpy_module.INPUTS
        or scalars_digest() != module.NUMERICS_DIGEST
    ):
        msg = (
            f"the compiled kernels of {cell.name!r} do not match its NumPy module "
            "or lstm_derive/numerics/scalars.py: run `lstm-derive regen`"
        )
        raise ValueError(msg)
    _MODULES[cell.name] = module
    return module


@dataclass(frozen=True)
class NumbaStepBackend:
    """The generated Numba kernels, one call per stage and step, run by the driver.

    The kernels are compiled once per machine (Numba's cache, ``cache=True``).
    """

    name: str = "numba_per_step"

    def __post_init__(self) -> None:
        require_numba()

    def runner(
        self, cell: Cell, steps: int, batch: int, hidden: int, dtype: np.dtype[Any]
    ) -> CompiledRunner:
        """Kernels and the arrays of one forward pass."""
        return CompiledRunner(cell, kernels_of(cell), steps, batch, hidden, dtype)


class CompiledRunner:
    """The kernels of one forward pass, with the arrays they write."""

    def __init__(
        self,
        cell: Cell,
        kernels: tuple[StageKernels, ...],
        steps: int,
        batch: int,
        hidden: int,
        dtype: np.dtype[Any],
    ) -> None:
        self.kernels = kernels
        self.steps = steps
        self.shape = (batch, hidden)
        self.elementwise = set(cell.elementwise)
        self.widths = {p.key: p.width for p in cell.projections}
        self.tape = {
            name: np.empty((steps, batch, hidden), dtype=dtype)
            for stage in kernels
            for name in stage.plan.writes
        }
        self.scratch: list[list[list[Array]]] = []

    def forward(
        self, k: int, t: int, args: list[Array]
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        """Run stage ``k`` of step ``t`` into this pass's arrays."""
        stage = self.kernels[k]
        plan = stage.plan
        written = [self.tape[name][t] for name in plan.writes]
        stage.forward(*args, *written)
        values = dict(zip(plan.reads, args, strict=True))
        values |= dict(zip(plan.writes, written, strict=True))
        return (
            {name: values[name] for name in plan.outputs},
            {name: values[name] for name in plan.saved},
        )

    def backward(self, k: int, t: int, args: list[Array]) -> dict[str, Array]:
        """Run stage ``k``'s backward of step ``t``; the gradients by name."""
        if t == self.steps - 1 and k == len(self.kernels) - 1:
            self.scratch = [self._gradient_arrays(args[0].dtype) for _ in range(2)]
        stage = self.kernels[k]
        outputs = self.scratch[t % 2][k]
        stage.backward(*args, *outputs)
        return {
            name: array
            for array, names in zip(outputs, stage.plan.gradients, strict=True)
            for name in names
        }

    def _gradient_arrays(self, dtype: np.dtype[Any]) -> list[list[Array]]:
        """One array per gradient each stage writes (one per fused group)."""
        batch, hidden = self.shape

        def shape(name: str) -> tuple[int, ...]:
            if name in self.widths:
                return batch, self.widths[name] * hidden
            return (hidden,) if name in self.elementwise else (batch, hidden)

        return [
            [np.empty(shape(names[0]), dtype=dtype) for names in stage.plan.gradients]
            for stage in self.kernels
        ]


FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
"""The data types the whole-sequence functions are compiled for."""


@dataclass(frozen=True)
class NumbaBackend(NumbaStepBackend):
    """The whole sequence in one compiled call, forward and backward.

    Where the whole-sequence functions do not apply (see :meth:`forward_sequence`),
    the driver runs the pass with the per-step kernels, as :class:`NumbaStepBackend`.
    """

    name: str = "numba"

    def forward_sequence(
        self,
        cell: Cell,
        x: Array,
        states0: Mapping[str, Array],
        params: Mapping[str, Array],
        *,
        lengths: Array | None = None,
        recurrent_masks: Mapping[str, Array] | None = None,
    ) -> tuple[Array, dict[str, Array], SequenceCache] | None:
        """Run ``cell`` over ``x [B, T, I]`` in one call, as :func:`bptt.forward` does.

        ``lengths [B]`` and ``recurrent_masks`` (a state's mask, [B, H] or
        broadcast to it) as there: a padded step keeps its row's states and
        outputs zero; a mask multiplies the previous state before every projection
        of it. Returns the hidden states ``[B, T, H]``, the final states and what
        the backward pass reads; or None where the driver must run the pass: data
        that is not float32 or float64 throughout (such as integer input).
        """
        dtype = x.dtype
        masks = dict(recurrent_masks or {})
        arrays = [x, *states0.values(), *params.values(), *masks.values()]
        if dtype not in FLOATS or any(a.dtype != dtype for a in arrays):
            return None
        module = module_of(cell)
        batch, steps, inputs = x.shape
        hidden = states0["h"].shape[1]
        # (copies, C-ordered and writable: the types the functions are compiled for)
        if lengths is None:
            rows = np.full(batch, steps, np.int64)
        else:
            rows = np.asarray(lengths).astype(np.int64)
        # every state's mask, [B, H]; none ([0, H]) where nothing is dropped
        masks = {
            s: np.broadcast_to(masks[s], (batch, hidden)).copy()
            if s in masks
            else np.empty((0, hidden), dtype)
            for s in cell.states
        }
        x_rows = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(
            steps * batch, inputs
        )
        if np.may_share_memory(x_rows, x):  # a view (B or T is 1): backward must not
            x_rows = x_rows.copy()  # see the caller's later changes to x
        states0 = {s: np.ascontiguousarray(states0[s]) for s in cell.states}
        params = {name: np.ascontiguousarray(params[name]) for name in cell.layout}
        states, values = module.run_sequence_forward(
            x_rows, rows, states0, masks, params
        )
        cache = SequenceCache(cell, module, x_rows, rows, masks, params, states, values)
        hs = states["h"][1:].transpose(1, 0, 2)
        if lengths is not None:  # a padded step outputs zero (its state is kept)
            hs = np.where(np.arange(steps)[:, None] < rows[:, None, None], hs, 0)
        return hs, {s: states[s][steps] for s in cell.states}, cache


@dataclass(frozen=True)
class SequenceCache:
    """What the whole-sequence forward pass keeps for its backward pass.

    The states of steps 0..T (``[T + 1, B, H]`` per state, the initial ones first)
    and every value the kernels wrote (``[T, B, H]``), as the compiled functions
    return them; :meth:`values` and :attr:`steps` read them as the driver's
    :class:`~lstm_derive.nn.bptt.Cache` offers its own. (At a padded step the
    states are the row's kept ones, where the driver keeps what the kernels made
    there; every other value is the kernels' in both.)
    """

    cell: Cell
    module: ModuleType
    x_rows: Array  # [T*B, I], time-major rows
    lengths: Array  # [B], int64: each row's length (T where none were given)
    masks: dict[str, Array]  # per state, its dropout mask [B, H] (none: [0, H])
    params: dict[str, Array]
    states: dict[str, Array]
    kept: dict[str, Array]

    def at_step(self, name: str, t: int) -> Array:
        """The value ``name`` of step ``t`` (what the stage table says it is)."""
        kind, what = self.cell.inputs.get(name, ("value", name))
        value: Array
        if kind == "parameter":
            value = self.params[what]
        elif kind == "state":  # <s>_prev
            value = self.states[what][t]
        elif what in self.states:
            value = self.states[what][t + 1]
        else:
            value = self.kept[what][t]
        return value

    def values(self, name: str) -> Array:
        """A value of every step (a gate, a state, ...), as [B, T, H]."""
        return np.stack([self.at_step(name, t) for t in range(self.length)], axis=1)

    @property
    def length(self) -> int:
        """The number of steps."""
        return int(self.x_rows.shape[0] // self.states["h"].shape[1])

    @property
    def steps(self) -> Steps:
        """Per step, every value the driver would keep (outputs and saved values)."""
        return Steps(self)

    def backward(
        self,
        d_hs: Array,
        d_last: Mapping[str, Array] | None = None,
        *,
        input_gradient: bool = True,
    ) -> Grads:
        """Backpropagation through time in one call, as :func:`bptt.backward` does."""
        dtype = self.x_rows.dtype
        batch, hidden = self.states["h"].shape[1:]
        d_last = d_last or {}
        last = {
            s: np.ascontiguousarray(d_last[s], dtype=dtype)
            if s in d_last
            else np.zeros((batch, hidden), dtype)
            for s in self.cell.states
        }
        grads: Grads = self.module.run_sequence_backward(
            np.ascontiguousarray(d_hs, dtype=dtype),
            last,
            self.x_rows,
            self.lengths,
            self.masks,
            self.params,
            self.states,
            self.kept,
            input_gradient,
        )
        return grads


class Steps(Sequence[dict[str, Array]]):
    """The values of each step of a whole-sequence pass, by name (views, made on
    demand)."""

    def __init__(self, cache: SequenceCache) -> None:
        self.cache = cache
        self.names = tuple(
            dict.fromkeys(
                name
                for stage in cache.cell.stages
                for name in (*stage.saved, *stage.outputs)
            )
        )

    def __len__(self) -> int:
        return self.cache.length

    @overload
    def __getitem__(self, t: int) -> dict[str, Array]: ...
    @overload
    def __getitem__(self, t: slice) -> list[dict[str, Array]]: ...
    def __getitem__(self, t: int | slice) -> dict[str, Array] | list[dict[str, Array]]:
        if isinstance(t, slice):
            return [self[i] for i in range(len(self))[t]]
        t = range(len(self))[t]  # negative indices; IndexError past the end
        return {name: self.cache.at_step(name, t) for name in self.names}

    def __iter__(self) -> Iterator[dict[str, Array]]:
        return (self[t] for t in range(len(self)))
