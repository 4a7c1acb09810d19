"""Layers in a row, with one flat dict of parameters and ``.npz`` save/load."""

from __future__ import annotations

from pathlib import Path

from lstm_derive.nn import weights
from lstm_derive.nn.layer import Array, Layer


class Sequential(Layer):
    """Apply the layers in order; backward runs them in reverse.

    Parameters and gradients are keyed ``"<layer index>.<name>"`` (``"0.W_x"``)
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

    def children(self) -> list[Layer]:
        """Its layers, in order."""
        return list(self.layers)

    def forward(self, x: Array, *, lengths: Array | None = None) -> Array:
        """The output of the last layer; ``lengths`` goes to every recurrent layer."""
        for layer in self.layers:
            if lengths is not None and hasattr(layer, "final_state"):
                x = layer.forward(x, lengths=lengths)  # type: ignore[call-arg]
            else:
                x = layer.forward(x)
        return x

    def backward(self, d_out: Array) -> Array:
        """Gradients of every layer (into ``grads``); returns d_x of the first."""
        d_first = self._backward_after_first(d_out)
        d_x = self.layers[0].backward(d_first)
        self._collect_grads()
        return d_x

    def backward_parameters(self, d_out: Array) -> None:
        """Gradients of every layer (into ``grads``), without the first layer's d_x."""
        self.layers[0].backward_parameters(self._backward_after_first(d_out))
        self._collect_grads()

    def _backward_after_first(self, d_out: Array) -> Array:
        """Back through every layer but the first; the gradient of its output."""
        for layer in reversed(self.layers[1:]):
            d_out = layer.backward(d_out)
        return d_out

    def _collect_grads(self) -> None:
        self.grads = {
            f"{k}.{name}": array
            for k, layer in enumerate(self.layers)
            for name, array in layer.grads.items()
        }

    def save(self, path: str | Path) -> Path:
        """Write every parameter and the model's description; return the file written.

        ``.npz`` is added to a name without it (``save("x")`` writes ``x.npz``, and
        ``load("x")`` reads it). See :mod:`lstm_derive.nn.weights` for the format.
        """
        return weights.write(path, self.layers)

    def load(self, path: str | Path) -> None:
        """Read weights saved by :meth:`save` of the same model: all of them or none.

        Raises :class:`~lstm_derive.errors.WeightsError` for a file that is not a
        weights file, holds another model (another cell, other sizes) or holds
        non-finite values; the model is then unchanged.
        """
        weights.read(path, self.layers)
