"""Layers in a row, with one flat dict of parameters and ``.npz`` save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lstm_derive.errors import ShapeError
from lstm_derive.nn.layer import Array, Layer


class Sequential(Layer):
    """Apply the layers in order; backward runs them in reverse.

    Parameters and gradients are keyed ``"<layer index>.<name>"`` (``"0.weight"``)
    and are the layers' own arrays, so an optimizer updating ``params`` in place
    updates the layers.
    """

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        self.layers = list(layers)
        self.params = {
            f"{k}.{name}": array
            for k, layer in enumerate(self.layers)
            for name, array in layer.params.items()
        }

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential({inner})"

    def forward(self, x: Array) -> Array:
        """The output of the last layer."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, d_out: Array) -> Array:
        """Gradients of every layer (into ``grads``); returns d_x of the first."""
        for layer in reversed(self.layers):
            d_out = layer.backward(d_out)
        self.grads = {
            f"{k}.{name}": array
            for k, layer in enumerate(self.layers)
            for name, array in layer.grads.items()
        }
        return d_out

    def save(self, path: str | Path) -> None:
        """Write every parameter to a ``.npz`` file."""
        np.savez(path, allow_pickle=False, **self.params)

    def load(self, path: str | Path) -> None:
        """Read parameters saved by :meth:`save` into this model, checking each shape."""
        with np.load(path) as saved:
            missing = sorted(set(self.params) - set(saved.files))
            unknown = sorted(set(saved.files) - set(self.params))
            if missing or unknown:
                msg = (
                    f"{path}: parameters do not match {self!r}: "
                    f"missing {missing}, unexpected {unknown}"
                )
                raise ShapeError(msg)
            for name, array in self.params.items():
                stored = saved[name]
                if stored.shape != array.shape:
                    msg = (
                        f"{path}: expected {name} of shape {array.shape}, "
                        f"received {stored.shape}"
                    )
                    raise ShapeError(msg)
                array[...] = stored
