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
from lstm_derive.nn.bptt import Array, Cell, StagePlan
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


def kernels_of(cell: Cell) -> tuple[StageKernels, ...]:
    """The compiled kernels of ``cell``, their table checked against the driver's."""
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
    kernels = tuple(
        StageKernels(forward, backward, plan)
        for (forward, backward), plan in zip(module.STAGES, cell.stages, strict=True)
    )
    _KERNELS[cell.name] = kernels
    return kernels


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
