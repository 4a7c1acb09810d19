"""A batch-first recurrent layer on any generated cell."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from lstm_derive import generated
from lstm_derive.nn.bptt import NUMPY, Backend, Cache, Cell
from lstm_derive.nn.checks import (
    check_gradient,
    check_output,
    check_size,
    recurrent_output_shape,
    require_forward,
)
from lstm_derive.nn.layer import Array, Layer, check_array, check_dtype
from lstm_derive.nn.optim import check_hyperparameter


class Recurrent(Layer):
    """Run a generated cell over x [batch, time, inputs] from zero initial states.

    Returns every hidden state [batch, time, hidden] (``return_sequences=True``)
    or the last one [batch, hidden]. Parameters: the cell's layout (for the LSTM,
    ``W_x`` [inputs, 4 hidden], ``W_h`` [hidden, 4 hidden], ``b_x`` [4 hidden]; the
    generated module's ``PARAMETERS``), every one initialised uniform in
    ±1/sqrt(hidden) as torch.nn.LSTM does.

    ``gate_bias`` sets the initial bias of named gates to a constant, for example
    ``{"f": 1.0}`` for a forget-gate bias of 1 (Jozefowicz et al. 2015): the bias of
    the first projection with a bias and a block for that gate.

    ``backend`` runs the cell's stages: ``"numpy"`` (the default and the reference:
    the generated NumPy module) or ``"numba"`` (the Numba kernels generated from the
    same derivation; ``pip install "lstm-derive[numba]"``).
    """

    def __init__(
        self,
        cell: str | ModuleType,
        inputs: int,
        hidden: int,
        *,
        rng: np.random.Generator,
        return_sequences: bool = True,
        dtype: Any = np.float64,
        gate_bias: dict[str, float] | None = None,
        backend: str = "numpy",
    ) -> None:
        super().__init__()
        module = generated.load(cell) if isinstance(cell, str) else cell
        self.cell = Cell.of(module).using(backend_named(backend))
        self.inputs = check_size(f"Recurrent({self.cell.name!r})", "inputs", inputs)
        self.hidden = check_size(f"Recurrent({self.cell.name!r})", "hidden", hidden)
        self._output_shape: tuple[int, ...] = ()
        self.return_sequences = return_sequences
        self.dtype = check_dtype(dtype)
        self.params = initial_params(self.cell, inputs, hidden, rng, self.dtype)
        for gate, value in (gate_bias or {}).items():
            self.set_gate_bias(gate, value)
        self._cache: Cache | None = None

    def set_gate_bias(self, gate: str, value: float) -> None:
        """Set the bias block of ``gate`` (in the first projection that has both)."""
        value = check_hyperparameter(
            f"Recurrent({self.cell.name!r})",
            f"gate_bias[{gate!r}]",
            value,
            low=-math.inf,
        )
        for projection in self.cell.projections:
            if projection.bias is not None and gate in projection.blocks:
                k, hidden = projection.blocks.index(gate), self.hidden
                self.params[projection.bias][k * hidden : (k + 1) * hidden] = value
                return
        msg = (
            f"{self.cell.name!r} has no gate {gate!r} with a bias to set; "
            f"its gates are {', '.join(self.cell.gates)}"
        )
        raise ValueError(msg)

    def __repr__(self) -> str:
        return (
            f"Recurrent({self.cell.name!r}, inputs={self.inputs}, "
            f"hidden={self.hidden}, dtype={self.dtype})"
        )

    def forward(self, x: Array) -> Array:
        """Hidden states for x [batch, time, inputs] (all, or the last)."""
        check_array(repr(self), "x", x, ("batch", "time", self.inputs), self.dtype)
        self._output_shape = recurrent_output_shape(
            x, self.hidden, self.return_sequences
        )
        batch = x.shape[0]
        states = {
            s: np.zeros((batch, self.hidden), self.dtype) for s in self.cell.states
        }
        hs: Array
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            hs, _, self._cache = self.cell.forward(x, states, self.params)
        check_output(repr(self), "the hidden states", hs, x)
        self._time = x.shape[1]
        return hs if self.return_sequences else hs[:, -1]

    def backward(self, d_out: Array) -> Array:
        """Backpropagation through time; fills ``grads`` and returns d_x."""
        d_x: Array = self._backward(d_out, input_gradient=True)["x"]
        return d_x

    def backward_parameters(self, d_out: Array) -> None:
        """Backpropagation through time to ``grads`` only: no product for d_x."""
        self._backward(d_out, input_gradient=False)

    def _backward(self, d_out: Array, *, input_gradient: bool) -> dict[str, Array]:
        cache = require_forward(repr(self), self._cache)
        check_gradient(repr(self), d_out, self._output_shape)
        if self.return_sequences:
            d_hs = d_out
        else:
            d_hs = np.zeros((d_out.shape[0], self._time, self.hidden), d_out.dtype)
            d_hs[:, -1] = d_out
        with np.errstate(over="ignore", invalid="ignore"):  # train_step checks them
            grads = self.cell.backward(d_hs, cache, input_gradient=input_gradient)
        self.grads = {name: grads[name] for name in self.params}
        return grads


BACKENDS = ("numpy", "numba")


def backend_named(name: str) -> Backend:
    """The backend called ``name``: ``numpy`` or ``numba`` (which needs Numba)."""
    if name == "numpy":
        return NUMPY
    if name == "numba":
        from lstm_derive.nn.compiled import NumbaBackend  # noqa: PLC0415 (optional)

        return NumbaBackend()
    msg = f"unknown backend {name!r}; the backends are {', '.join(BACKENDS)}"
    raise ValueError(msg)


def initial_params(
    cell: Cell, inputs: int, hidden: int, rng: np.random.Generator, dtype: Any
) -> dict[str, Array]:
    """Every parameter uniform in ±1/sqrt(hidden), drawn in the layout's order."""
    bound = 1 / np.sqrt(hidden)
    return {
        name: rng.uniform(-bound, bound, shape).astype(dtype)
        for name, shape in cell.shapes(inputs, hidden).items()
    }
