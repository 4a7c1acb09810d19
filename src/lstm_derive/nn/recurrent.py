"""A batch-first recurrent layer on any generated cell."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from lstm_derive import generated
from lstm_derive.nn.checks import (
    check_gradient,
    check_size,
    recurrent_output_shape,
    require_forward,
)
from lstm_derive.nn.layer import Array, Layer, check_array, check_dtype


class Recurrent(Layer):
    """Run a generated cell over x [batch, time, inputs] from zero initial states.

    Returns every hidden state [batch, time, hidden] (``return_sequences=True``)
    or the last one [batch, hidden]. Parameters: the stacked ``weight``
    [(hidden + inputs), gates * hidden] acting on [h_prev, x], the ``bias``
    [gates * hidden] and the cell's elementwise parameters (each [hidden]),
    initialised uniform in ±1/sqrt(hidden) as torch.nn.LSTM does.

    ``gate_bias`` sets the initial bias of named gates to a constant, for example
    ``{"f": 1.0}`` for a forget-gate bias of 1 (Jozefowicz et al. 2015).
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
    ) -> None:
        super().__init__()
        self.cell = generated.load(cell) if isinstance(cell, str) else cell
        self.inputs = check_size(f"Recurrent({self.cell.CELL!r})", "inputs", inputs)
        self.hidden = check_size(f"Recurrent({self.cell.CELL!r})", "hidden", hidden)
        self._cache: dict[str, Any] | None = None
        self._output_shape: tuple[int, ...] = ()
        self.return_sequences = return_sequences
        self.dtype = check_dtype(dtype)
        gates = len(self.cell.GATES)
        bound = 1 / np.sqrt(hidden)
        shapes = {
            "weight": (hidden + inputs, gates * hidden),
            "bias": (gates * hidden,),
            **dict.fromkeys(self.cell.PARAMETERS, (hidden,)),
        }
        self.params = {
            name: rng.uniform(-bound, bound, shape).astype(self.dtype)
            for name, shape in shapes.items()
        }
        for gate, value in (gate_bias or {}).items():
            if gate not in self.cell.GATES:
                msg = (
                    f"{self.cell.CELL!r} has no gate {gate!r} to set a bias for; "
                    f"its gates are {', '.join(self.cell.GATES)}"
                )
                raise ValueError(msg)
            k = self.cell.GATES.index(gate)
            self.params["bias"][k * hidden : (k + 1) * hidden] = value

    def __repr__(self) -> str:
        return (
            f"Recurrent({self.cell.CELL!r}, inputs={self.inputs}, "
            f"hidden={self.hidden}, dtype={self.dtype})"
        )

    def forward(self, x: Array) -> Array:
        """Hidden states for x [batch, time, inputs] (all, or the last)."""
        check_array(repr(self), "x", x, ("batch", "time", self.inputs), self.dtype)
        self._output_shape = recurrent_output_shape(
            x, self.hidden, self.return_sequences
        )
        batch = x.shape[0]
        states = [np.zeros((batch, self.hidden), self.dtype) for _ in self.cell.STATES]
        hs: Array
        hs, _, self._cache = self.cell.forward(x, *states, *self.params.values())
        self._time = x.shape[1]
        return hs if self.return_sequences else hs[:, -1]

    def backward(self, d_out: Array) -> Array:
        """Backpropagation through time; fills ``grads`` and returns d_x."""
        require_forward(repr(self), self._cache)
        check_gradient(repr(self), d_out, self._output_shape)
        if self.return_sequences:
            d_hs = d_out
        else:
            d_hs = np.zeros((d_out.shape[0], self._time, self.hidden), d_out.dtype)
            d_hs[:, -1] = d_out
        grads = self.cell.backward(d_hs, self._cache)
        self.grads = {name: grads[f"d_{name}"] for name in self.params}
        d_x: Array = grads["d_x"]
        return d_x
