"""A fully connected layer on the last axis: y = x W + b."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_derive.nn.checks import (
    check_gradient,
    check_output,
    check_size,
    require_forward,
)
from lstm_derive.nn.layer import Array, Layer, check_array, check_dtype


class Dense(Layer):
    """y = x W + b for x of shape [batch, inputs] or [batch, time, inputs].

    W is [inputs, outputs], drawn uniform in ±1/sqrt(inputs) (as torch.nn.Linear
    does); b starts at zero.
    """

    def __init__(
        self,
        inputs: int,
        outputs: int,
        *,
        rng: np.random.Generator,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        self.inputs = check_size("Dense", "inputs", inputs)
        self.outputs = check_size("Dense", "outputs", outputs)
        self.dtype = check_dtype(dtype)
        self._x: Array | None = None
        bound = 1 / np.sqrt(inputs)
        weight = rng.uniform(-bound, bound, (inputs, outputs))
        self.params = {
            "weight": weight.astype(self.dtype),
            "bias": np.zeros(outputs, dtype=self.dtype),
        }

    def __repr__(self) -> str:
        return f"Dense({self.inputs}, {self.outputs}, dtype={self.dtype})"

    def forward(self, x: Array) -> Array:
        """x [..., inputs] -> y [..., outputs]."""
        axes: tuple[int | str, ...] = ("batch", self.inputs)
        if getattr(x, "ndim", None) == 3:
            axes = ("batch", "time", self.inputs)
        check_array(repr(self), "x", x, axes, self.dtype)
        self._x = x.copy()  # backward reads this x, even if the caller changes theirs
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            y = x @ self.params["weight"] + self.params["bias"]
        return check_output(repr(self), "the outputs", y, x)

    def backward(self, d_out: Array) -> Array:
        """dW = x^T d_out, db = sum of d_out, dx = d_out W^T (over all leading axes)."""
        x = require_forward(repr(self), self._x)
        check_gradient(repr(self), d_out, (*x.shape[:-1], self.outputs))
        x_rows = x.reshape(-1, self.inputs)
        d_rows = d_out.reshape(-1, self.outputs)
        with np.errstate(over="ignore", invalid="ignore"):  # train_step checks them
            self.grads = {"weight": x_rows.T @ d_rows, "bias": d_rows.sum(axis=0)}
            d_x: Array = d_out @ self.params["weight"].T
        return d_x
