"""Checks on what a layer is given, each raising an error that names the problem.

The layers call these at the top of ``forward`` and ``backward`` (one line each), so
the bodies of those methods stay about the computation. The input rule is the same
for every layer: ``x`` must be a NumPy array of the layer's dtype (float32 or
float64), finite, of the expected shape. Lists, integer and boolean arrays are
refused, not converted: convert with ``np.asarray(x, dtype=layer.dtype)``.
"""

from __future__ import annotations

import operator
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from lstm_derive.errors import ForwardFirstError, NonFiniteError, ShapeError

Array = NDArray[Any]
Saved = TypeVar("Saved")


def check_size(who: str, name: str, value: Any) -> int:
    """A layer size (``inputs``, ``hidden``, ...): a whole number >= 1."""
    try:
        size = operator.index(value)
    except TypeError:
        size = 0
    if isinstance(value, bool) or size < 1:
        msg = f"{who}: {name} must be a whole number >= 1, received {value!r}"
        raise ShapeError(msg)
    return size


def all_finite(array: Array) -> bool:
    """Whether every entry of ``array`` is finite (no NaN, no infinity)."""
    return bool(np.isfinite(array).all())


def check_finite(who: str, name: str, array: Array) -> None:
    """Refuse NaN and infinity in ``array``, saying how many entries and where."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0])
        msg = (
            f"{who}: {name} has {len(bad)} non-finite entries "
            f"(NaN or infinity; the first at index {first}, value {array[first]})"
        )
        raise NonFiniteError(msg)


def require_forward(who: str, saved: Saved | None) -> Saved:
    """What ``forward`` saved; refuses ``backward`` before ``forward``."""
    if saved is None:
        msg = f"{who}: backward called before forward (call forward(x) first)"
        raise ForwardFirstError(msg)
    return saved


def check_gradient(who: str, d_out: Any, expected: tuple[int, ...]) -> Array:
    """``d_out`` for ``backward``: an array of exactly the last output's shape, finite."""
    if type(d_out) is not np.ndarray:
        msg = f"{who}: d_out must be a NumPy array, received {type(d_out).__name__}"
        raise ShapeError(msg)
    if d_out.shape != expected:
        msg = (
            f"{who}: expected d_out of shape {expected} (the shape forward returned), "
            f"received {d_out.shape}"
        )
        raise ShapeError(msg)
    if not np.issubdtype(d_out.dtype, np.floating):
        msg = f"{who}: d_out must hold floating-point numbers, received {d_out.dtype}"
        raise ShapeError(msg)
    check_finite(who, "d_out", d_out)
    return d_out


def recurrent_output_shape(
    x: Array, hidden: int, return_sequences: bool
) -> tuple[int, ...]:
    """The shape a recurrent layer returns for ``x`` [batch, time, inputs]."""
    batch, time = x.shape[:2]
    return (batch, time, hidden) if return_sequences else (batch, hidden)


def check_output(who: str, what: str, array: Array, x: Array) -> Array:
    """Refuse a non-finite result computed from finite input: it overflowed.

    The layers compute with overflow warnings off (an overflow is reported here,
    once, by name, instead of as a NaN or a warning deep inside NumPy).
    """
    if not np.isfinite(array).all():
        largest = float(np.max(np.abs(x))) if x.size else 0.0
        msg = (
            f"{who}: {what} overflow for this input (its largest magnitude is "
            f"{largest:.3g}); scale the input down"
        )
        raise NonFiniteError(msg)
    return array
