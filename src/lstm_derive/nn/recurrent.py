"""A batch-first recurrent layer on any generated cell."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from types import ModuleType
from typing import Any, cast

import numpy as np

from lstm_derive import generated
from lstm_derive.errors import ShapeError
from lstm_derive.nn.bptt import NUMPY, Backend, Cache, Cell
from lstm_derive.nn.checks import (
    check_gradient,
    check_output,
    check_size,
    recurrent_output_shape,
    require_forward,
)
from lstm_derive.nn.compiled import NumbaBackend, NumbaStepBackend, SequenceCache
from lstm_derive.nn.layer import Array, Layer, check_array, check_dtype
from lstm_derive.nn.optim import check_hyperparameter


class Recurrent(Layer):
    """Run a generated cell over x [batch, time, inputs].

    Returns every hidden state [batch, time, hidden] (``return_sequences=True``)
    or the last one [batch, hidden]. Parameters: the cell's layout (for the LSTM,
    ``W_x`` [inputs, 4 hidden], ``W_h`` [hidden, 4 hidden], ``b_x`` [4 hidden]; the
    generated module's ``PARAMETERS``), every one initialised uniform in
    ±1/sqrt(hidden) as torch.nn.LSTM does.

    What :meth:`forward` accepts besides ``x``, following torch and Keras:

    * ``initial_state``: the states to start from, ``{"h": [B, H], "c": [B, H]}``
      (zeros where absent); after the pass, :attr:`final_state` holds the final
      states and, after :meth:`backward`, :attr:`initial_state_grads` their
      gradients (``d_final_state`` adds a loss on the final states);
    * ``lengths`` [B]: each sequence's length, 1..T; the steps after it are
      padding: they change no state, their output is zero (as torch's packed
      sequences give) and they receive no gradient; ``return_sequences=False``
      returns each sequence's last valid hidden state.

    ``gate_bias`` sets the initial bias of named gates to a constant, for example
    ``{"f": 1.0}`` for a forget-gate bias of 1 (Jozefowicz et al. 2015): the bias of
    the first projection with a bias and a block for that gate.

    ``recurrent_dropout`` (Keras' name) drops units of the previous hidden state
    before its projection, with one mask for every step of a sequence (variational
    dropout, Gal and Ghahramani 2016), in training mode only.

    ``backend`` runs the cell: ``"numpy"`` (the default and the reference: the
    generated NumPy module, run step by step by the BPTT driver), ``"numba"`` (the
    Numba code generated from the same derivation, the whole sequence in one
    compiled call, lengths and recurrent dropout included; ``pip install
    "lstm-derive[numba]"``) or ``"numba_per_step"`` (the same kernels, run step by
    step by the driver).
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
        recurrent_dropout: float = 0.0,
        backend: str = "numpy",
    ) -> None:
        super().__init__()
        module = generated.load(cell) if isinstance(cell, str) else cell
        self.cell = Cell.of(module).using(backend_named(backend))
        who = f"Recurrent({self.cell.name!r})"
        self.inputs = check_size(who, "inputs", inputs)
        self.hidden = check_size(who, "hidden", hidden)
        self._output_shape: tuple[int, ...] = ()
        self.return_sequences = return_sequences
        self.dtype = check_dtype(dtype)
        self.recurrent_dropout = check_hyperparameter(
            who, "recurrent_dropout", recurrent_dropout, low=0.0, high=1.0,
            low_inclusive=True,
        )  # fmt: skip
        self.rng = rng
        self.params = initial_params(self.cell, inputs, hidden, rng, self.dtype)
        for gate, value in (gate_bias or {}).items():
            self.set_gate_bias(gate, value)
        self._cache: Cache | SequenceCache | None = None
        self._lengths: Array | None = None
        self.final_state: dict[str, Array] = {}
        """The states after the last step of the last forward pass (per sequence:
        after its last valid step)."""
        self.initial_state_grads: dict[str, Array] = {}
        """The gradients of the initial states, after the last backward pass."""

    def generators(self) -> list[np.random.Generator]:
        """The generator of the recurrent dropout masks (if it drops anything)."""
        return [self.rng] if self.recurrent_dropout > 0 else []

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
        # (every check of a pass names the layer: the dtype's name is looked up once)
        return (
            f"Recurrent({self.cell.name!r}, inputs={self.inputs}, "
            f"hidden={self.hidden}, dtype={dtype_name(self.dtype)})"
        )

    def forward(
        self,
        x: Array,
        *,
        initial_state: Mapping[str, Array] | None = None,
        lengths: Array | None = None,
    ) -> Array:
        """Hidden states for x [batch, time, inputs] (all, or the last)."""
        check_array(repr(self), "x", x, ("batch", "time", self.inputs), self.dtype)
        batch, time = x.shape[:2]
        self._output_shape = recurrent_output_shape(
            x, self.hidden, self.return_sequences
        )
        states = self._initial_state(initial_state, batch)
        self._lengths = None if lengths is None else check_lengths(self, lengths, x)
        masks = {}
        if self.training and self.recurrent_dropout > 0:
            keep = 1 - self.recurrent_dropout
            draw = self.rng.random((batch, self.hidden)) < keep
            masks["h"] = (draw / keep).astype(self.dtype)
        hs: Array
        backend = self.cell.backend
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            whole = None
            if isinstance(backend, NumbaBackend):
                whole = backend.forward_sequence(
                    self.cell, x, states, self.params,
                    lengths=self._lengths, recurrent_masks=masks,
                )  # fmt: skip
            hs, finals, self._cache = whole or self.cell.forward(
                x, states, self.params, lengths=self._lengths, recurrent_masks=masks
            )
        check_output(repr(self), "the hidden states", hs, x)
        self.final_state = finals
        self._time = time
        return hs if self.return_sequences else finals["h"]

    def _initial_state(
        self, given: Mapping[str, Array] | None, batch: int
    ) -> dict[str, Array]:
        """The states to start from: ``given`` (checked), zeros where absent."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.cell.states))
        if unknown:
            msg = (
                f"{self!r}: initial_state has no state {unknown[0]!r}; this cell's "
                f"states are {', '.join(self.cell.states)}"
            )
            raise ShapeError(msg)
        return {
            s: check_array(
                repr(self), f"initial_state[{s!r}]", given[s], (batch, self.hidden),
                self.dtype,
            )
            if s in given
            else np.zeros((batch, self.hidden), self.dtype)
            for s in self.cell.states
        }  # fmt: skip

    def _saved(self) -> Cache | SequenceCache:
        """What the last forward pass kept (refuses to go on before one)."""
        # (the union named here: mypy would infer the TypeVar as object)
        return cast("Cache | SequenceCache", require_forward(repr(self), self._cache))

    def values(self, name: str) -> Array:
        """A value of every step of the last forward pass, [batch, time, hidden].

        The gates (``values("f")``), the states and every value the step keeps
        for its backward pass; :meth:`gates` gives all the gates at once.
        """
        cache = self._saved()
        if name not in cache.steps[0]:
            kept = ", ".join(sorted(cache.steps[0]))
            msg = f"{self!r} keeps no value {name!r} per step; it keeps {kept}"
            raise KeyError(msg)
        return cache.values(name)

    def gates(self) -> dict[str, Array]:
        """Every gate's activation at every step of the last forward pass [B, T, H]."""
        return {gate: self.values(gate) for gate in self.cell.gates}

    def backward(
        self, d_out: Array, *, d_final_state: Mapping[str, Array] | None = None
    ) -> Array:
        """Backpropagation through time; fills ``grads`` and returns d_x."""
        d_x: Array = self._backward(d_out, d_final_state, input_gradient=True)["x"]
        return d_x

    def backward_parameters(self, d_out: Array) -> None:
        """Backpropagation through time to ``grads`` only: no product for d_x."""
        self._backward(d_out, None, input_gradient=False)

    def _backward(
        self,
        d_out: Array,
        d_final_state: Mapping[str, Array] | None,
        *,
        input_gradient: bool,
    ) -> dict[str, Array]:
        cache = self._saved()
        check_gradient(repr(self), d_out, self._output_shape)
        d_last = {
            s: check_gradient(repr(self), g, (d_out.shape[0], self.hidden))
            for s, g in (d_final_state or {}).items()
        }
        if self.return_sequences:
            d_hs = d_out
        else:  # the output is the final h: its gradient arrives there
            d_hs = np.zeros((d_out.shape[0], self._time, self.hidden), d_out.dtype)
            d_last["h"] = d_last["h"] + d_out if "h" in d_last else d_out
        with np.errstate(over="ignore", invalid="ignore"):  # train_step checks them
            if isinstance(cache, SequenceCache):
                grads = cache.backward(d_hs, d_last, input_gradient=input_gradient)
            else:
                grads = self.cell.backward(
                    d_hs, cache, d_last, input_gradient=input_gradient
                )
        self.grads = {name: grads[name] for name in self.params}
        self.initial_state_grads = {s: grads[f"{s}0"] for s in self.cell.states}
        return grads


@functools.cache
def dtype_name(dtype: np.dtype[Any]) -> str:
    """``float32``: NumPy works a dtype's name out anew each time it is asked."""
    return str(dtype)


def check_lengths(layer: Layer, lengths: Any, x: Array) -> Array:
    """``lengths``: whole numbers 1..T, one per sequence of ``x``."""
    batch, time = x.shape[:2]
    if type(lengths) is not np.ndarray or lengths.shape != (batch,):
        shape = getattr(lengths, "shape", type(lengths).__name__)
        msg = f"{layer!r}: expected lengths of shape ({batch},), received {shape}"
        raise ShapeError(msg)
    if lengths.dtype.kind not in "iu" or lengths.min() < 1 or lengths.max() > time:
        msg = f"{layer!r}: lengths must be whole numbers in 1..{time} (the time axis)"
        raise ShapeError(msg)
    return lengths


BACKENDS = ("numpy", "numba", "numba_per_step")


def backend_named(name: str) -> Backend:
    """The backend called ``name``: ``numpy``, ``numba`` or ``numba_per_step`` (which
    need Numba)."""
    if name == "numpy":
        return NUMPY
    if name == "numba":
        return NumbaBackend()
    if name == "numba_per_step":
        return NumbaStepBackend()
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
