"""Elementwise activation layers (no parameters)."""

from __future__ import annotations

import numpy as np

from lstm_derive.nn.checks import check_gradient, require_forward
from lstm_derive.nn.layer import Array, Layer


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x)); dy/dx = y (1 - y).

    Computed as (1 + tanh(x / 2)) / 2, the same function, which never overflows.
    """

    _y: Array | None = None

    def __repr__(self) -> str:
        return "Sigmoid()"

    def forward(self, x: Array) -> Array:
        """Apply the sigmoid and keep its output."""
        self._y = 0.5 * (1 + np.tanh(0.5 * x))
        return self._y

    def backward(self, d_out: Array) -> Array:
        """d_x = d_out · y (1 - y)."""
        y = require_forward("Sigmoid", self._y)
        check_gradient("Sigmoid", d_out, y.shape)
        d_x: Array = d_out * y * (1 - y)
        return d_x


class Tanh(Layer):
    """y = tanh(x); dy/dx = 1 - y²."""

    _y: Array | None = None

    def __repr__(self) -> str:
        return "Tanh()"

    def forward(self, x: Array) -> Array:
        """Apply tanh and keep its output."""
        self._y = np.tanh(x)
        return self._y

    def backward(self, d_out: Array) -> Array:
        """d_x = d_out · (1 - y²)."""
        y = require_forward("Tanh", self._y)
        check_gradient("Tanh", d_out, y.shape)
        d_x: Array = d_out * (1 - y**2)
        return d_x
