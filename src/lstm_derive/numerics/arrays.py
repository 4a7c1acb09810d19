"""Activations on whole NumPy arrays, where NumPy has no function of its own.

The code generator copies each function a cell uses, source and docstring, into
the cell's generated module (:mod:`lstm_derive.generated`); the tests check them
here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


def sigmoid(z: Array) -> Array:
    """Logistic sigmoid 1 / (1 + exp(-z)), accurate to a few ulps for every z.

    Where exp(-z) overflows (z < -88 in float32, z < -709 in float64) it is inf and
    the result 1 / inf = 0 is the correctly rounded value: the overflow is expected,
    so its warning is silenced.
    """
    with np.errstate(over="ignore"):
        s = np.exp(-z)
    s += 1
    return np.reciprocal(s, out=s)


def hard_sigmoid(z: Array) -> Array:
    """Piecewise-linear sigmoid clip(0.2 z + 0.5, 0, 1) (Keras 2's hard_sigmoid)."""
    return np.clip(0.2 * z + 0.5, 0, 1)


def softsign(z: Array) -> Array:
    """z / (1 + |z|): a sigmoid-shaped squashing to (-1, 1) without exp."""
    result: Array = z / (1 + np.abs(z))
    return result
