"""The compiled backend: the driver's stages run by the generated Numba kernels.

``nn.Recurrent(cell, ..., backend="numba")`` (or ``Cell.using(NumbaBackend())``)
keeps the one BPTT driver of :mod:`lstm_derive.nn.bptt` and swaps the generated
NumPy stage functions for the kernels of ``lstm_derive/generated/compiled/<cell>.py``,
printed from the same derivation. Per forward pass the runner preallocates one
``[T, B, H]`` array for every value a kernel writes (the saved values of all steps
sit in these arrays, not in per-step temporaries); per backward pass it reuses one
set of gradient arrays per stage, two sets taking turns, as a step's gradients are
read by the step before it.

Numba is an extra (``pip install "lstm-derive[numba]"``); without it, asking for
this backend raises :class:`~lstm_derive.errors.MissingExtraError` in one line.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from lstm_derive.errors import MissingExtraError
from lstm_derive.nn.bptt import Array, Cell

INSTALL = "pip install 'lstm-derive[numba]'"


def require_numba() -> None:
    """Raise MissingExtraError, in one line, if Numba is not installed."""
    if importlib.util.find_spec("numba") is None:
        msg = f"the numba backend needs Numba, which is not installed: {INSTALL}"
        raise MissingExtraError(msg)


@dataclass(frozen=True)
class StageKernels:
    """One stage's two kernels and the names they read and write."""

    forward: Any
    forward_reads: tuple[str, ...]
    forward_writes: tuple[str, ...]
    backward: Any
    backward_reads: tuple[str, ...]
    gradients: tuple[tuple[str, ...], ...]  # per output array: what it is d of
    outputs: tuple[str, ...]  # from the driver's plan: what later stages read
    saved: tuple[str, ...]


_KERNELS: dict[str, tuple[StageKernels, ...]] = {}


def kernels_of(cell: Cell) -> tuple[StageKernels, ...]:
    """The compiled kernels of ``cell``, checked against the driver's plan (cached)."""
    cached = _KERNELS.get(cell.name)
    if cached is not None:
        return cached
    require_numba()
    from lstm_derive.generated import compiled  # noqa: PLC0415 (imports Numba)

    try:
        module: ModuleType = compiled.load(cell.name)
    except ModuleNotFoundError as error:
        msg = f"no compiled kernels for cell {cell.name!r}: run `lstm-derive regen`"
        raise KeyError(msg) from error
    if len(module.STAGES) != len(cell.stages):
        _stale(cell.name)
    kernels = []
    for plan, entry in zip(cell.stages, module.STAGES, strict=True):
        forward, f_reads, f_writes, backward, b_reads, gradients = entry
        upstream = tuple(f"d_{name}_next" for name in plan.upstream)
        if f_reads != plan.reads or b_reads != upstream + plan.saved:
            _stale(cell.name)
        kernels.append(
            StageKernels(
                forward,
                f_reads,
                f_writes,
                backward,
                b_reads,
                gradients,
                plan.upstream,
                plan.saved,
            )
        )
    _KERNELS[cell.name] = tuple(kernels)
    return _KERNELS[cell.name]


def _stale(cell: str) -> None:
    msg = (
        f"the compiled kernels of {cell!r} do not match its NumPy module: "
        "run `lstm-derive regen`"
    )
    raise ValueError(msg)


@dataclass(frozen=True)
class NumbaBackend:
    """The generated Numba kernels (``cache=True``: compiled once per machine)."""

    name: str = "numba"

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
            for name in stage.forward_writes
        }
        self.scratch: list[list[list[Array]]] = []

    def forward(
        self, k: int, t: int, args: list[Array]
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        """Run stage ``k`` of step ``t`` into this pass's arrays."""
        stage = self.kernels[k]
        written = [self.tape[name][t] for name in stage.forward_writes]
        stage.forward(*args, *written)
        values = dict(zip(stage.forward_reads, args, strict=True))
        values |= dict(zip(stage.forward_writes, written, strict=True))
        return (
            {name: values[name] for name in stage.outputs},
            {name: values[name] for name in stage.saved},
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
            for array, names in zip(outputs, stage.gradients, strict=True)
            for name in names
        }

    def _gradient_arrays(self, dtype: np.dtype[Any]) -> list[list[Array]]:
        """One array per gradient each stage writes."""
        batch, hidden = self.shape

        def shape(name: str) -> tuple[int, ...]:
            if name in self.widths:
                return batch, self.widths[name] * hidden
            return (hidden,) if name in self.elementwise else (batch, hidden)

        return [
            [np.empty(shape(names[0]), dtype=dtype) for names in stage.gradients]
            for stage in self.kernels
        ]
