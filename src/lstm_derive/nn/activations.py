"""Elementwise activation layers (no parameters)."""

from __future__ import annotations

import numpy as np

from lstm_derive.nn.layer import Array, Layer


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x)); dy/dx = y (1 - y).

    Computed as (1 + tanh(x / 2)) / 2, the same function, which never overflows.
    """

    def forward(self, x: Array) -> Array:
        """Apply the sigmoid and keep its output."""
        self._y = 0.5 * (1 + np.tanh(0.5 * x))
        return self._y

    def backward(self, d_out: Array) -> Array:
        """d_x = d_out · y (1 - y)."""
        y = self._y
        return d_out * y * (1 - y)


class Tanh(Layer):
    """y = tanh(x); dy/dx = 1 - y²."""

    def forward(self, x: Array) -> Array:
        """Apply tanh and keep its output."""
        self._y = np.tanh(x)
        return self._y

    def backward(self, d_out: Array) -> Array:
        """d_x = d_out · (1 - y²)."""
        d_x: Array = d_out * (1 - self._y**2)
        return d_x
