"""What every layer offers, and the checks on what it is given."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from lstm_derive.errors import ShapeError
from lstm_derive.nn.checks import check_finite

Array = NDArray[Any]
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class Layer:
    """A differentiable map with named parameters.

    ``forward(x)`` keeps what ``backward`` needs; ``backward(d_out)`` fills
    ``grads`` (same keys and shapes as ``params``) and returns the gradient
    w.r.t. ``x``. A layer without parameters has empty dicts.

    Like torch's modules, a layer is in training mode (``training`` True) until
    :meth:`eval` is called, and back in it after :meth:`train`; only dropout acts
    differently in the two modes.
    """

    params: dict[str, Array]
    grads: dict[str, Array]
    training: bool

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}
        self.training = True

    def train(self, mode: bool = True) -> Layer:
        """Training mode (dropout drops); returns the layer."""
        self.training = mode
        for layer in self.children():
            layer.train(mode)
        return self

    def eval(self) -> Layer:
        """Evaluation mode (dropout passes everything on); returns the layer."""
        return self.train(mode=False)

    def children(self) -> list[Layer]:
        """The layers inside this one (a Sequential's, a Bidirectional's two)."""
        return []

    def generators(self) -> list[np.random.Generator]:
        """The random generators the layer draws from while training (dropout's).

        :func:`lstm_derive.gradcheck.check_model` restores their states before
        every forward pass, so each pass drops the same units.
        """
        return [g for layer in self.children() for g in layer.generators()]

    def forward(self, x: Array) -> Array:
        """The layer's output for ``x``."""
        raise NotImplementedError

    def backward(self, d_out: Array) -> Array:
        """Gradients of the parameters (into ``grads``) and of the input (returned)."""
        raise NotImplementedError

    def backward_parameters(self, d_out: Array) -> None:
        """Gradients of the parameters only (into ``grads``), when nothing reads d_x.

        For the first layer of a model, whose input is the data. A layer that saves
        work when d_x is not wanted (:class:`~lstm_derive.nn.Recurrent` skips the
        matrix product of d_x) overrides this; the gradients are the same.
        """
        self.backward(d_out)


def check_dtype(dtype: Any) -> np.dtype[Any]:
    """float32 or float64, else a ShapeError that says so."""
    resolved: np.dtype[Any] = np.dtype(dtype)
    if resolved not in DTYPES:
        msg = f"dtype must be float32 or float64, received {resolved}"
        raise ShapeError(msg)
    return resolved


def check_array(
    who: str, name: str, array: Any, expected: tuple[int | str, ...], dtype: Any
) -> Array:
    """Check type, rank, fixed sizes, non-empty axes, dtype and finiteness of ``array``.

    ``expected`` names every axis: an int is a required size, a string (``"batch"``)
    is any size >= 1. The error names the expected and the received shape. Only a
    NumPy array of exactly ``dtype`` passes: lists, subclasses (a masked array
    could hide a NaN behind its mask), integer, boolean and other floating-point
    arrays are refused (never converted silently), and so are NaN and infinity
    (:class:`~lstm_derive.errors.NonFiniteError`).
    """
    if type(array) is not np.ndarray:  # not a list, nor a masked array or a matrix
        msg = (
            f"{who}: {name} must be a NumPy array, received {type(array).__name__} "
            f"(convert with np.asarray({name}, dtype=np.{np.dtype(dtype)}))"
        )
        raise ShapeError(msg)
    wanted = "[" + ", ".join(str(axis) for axis in expected) + "]"
    if array.ndim != len(expected) or any(
        isinstance(size, int) and array.shape[axis] != size
        for axis, size in enumerate(expected)
    ):
        msg = f"{who}: expected {name} of shape {wanted}, received {array.shape}"
        raise ShapeError(msg)
    empty = [str(expected[axis]) for axis, size in enumerate(array.shape) if size == 0]
    if empty:
        msg = (
            f"{who}: {name} is empty (its {', '.join(empty)} axis has size 0): "
            f"expected shape {wanted}, received {array.shape}"
        )
        raise ShapeError(msg)
    if array.dtype != np.dtype(dtype):
        msg = (
            f"{who}: expected {name} of dtype {np.dtype(dtype)}, received {array.dtype}"
            f" (convert with .astype(np.{np.dtype(dtype)}), or build the model with"
            " the other dtype)"
        )
        raise ShapeError(msg)
    check_finite(who, name, array)
    return array
