"""Dropout: in training mode, zero a random fraction of the inputs and scale the rest."""

from __future__ import annotations

import numpy as np

from lstm_derive.nn.checks import check_gradient, require_forward
from lstm_derive.nn.layer import Array, Layer
from lstm_derive.nn.optim import check_hyperparameter


class Dropout(Layer):
    """Inverted dropout (as torch and Keras): each entry is kept with probability
    1 - ``rate`` and scaled by 1 / (1 - rate) in training mode; in evaluation mode
    (:meth:`~lstm_derive.nn.Layer.eval`) the layer passes its input on unchanged.

    ``across_time=True`` draws one mask per sequence and feature and applies it at
    every step of x [batch, time, features] (variational dropout, Gal and
    Ghahramani 2016); for recurrent connections see ``Recurrent(...,
    recurrent_dropout=...)``.
    """

    def __init__(
        self, rate: float, *, rng: np.random.Generator, across_time: bool = False
    ) -> None:
        super().__init__()
        self.rate = check_hyperparameter(
            "Dropout", "rate", rate, low=0.0, high=1.0, low_inclusive=True
        )
        self.rng = rng
        self.across_time = across_time
        self._mask: Array | None = None
        self._shape: tuple[int, ...] = ()

    def __repr__(self) -> str:
        return f"Dropout({self.rate:g})"

    def generators(self) -> list[np.random.Generator]:
        """Its generator of masks."""
        return [self.rng]

    def forward(self, x: Array) -> Array:
        """x with a random fraction zeroed and the rest scaled (training mode)."""
        self._shape = x.shape
        if not self.training or self.rate == 0:
            self._mask = np.ones((1,) * x.ndim, dtype=x.dtype)
            return x
        shape = (x.shape[0], 1, *x.shape[2:]) if self.across_time else x.shape
        keep = 1 - self.rate
        self._mask = ((self.rng.random(shape) < keep) / keep).astype(x.dtype)
        return x * self._mask

    def backward(self, d_out: Array) -> Array:
        """d_x = d_out times the same mask."""
        mask = require_forward(repr(self), self._mask)
        check_gradient(repr(self), d_out, self._shape)
        d_x: Array = d_out * mask
        return d_x
