"""Two recurrent layers, one reading each sequence forwards, one backwards."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lstm_derive.errors import ShapeError
from lstm_derive.nn.checks import require_forward
from lstm_derive.nn.layer import Array, Layer
from lstm_derive.nn.recurrent import Recurrent, check_lengths


class Bidirectional(Layer):
    """A forward and a backward :class:`~lstm_derive.nn.Recurrent`, outputs concatenated.

    The backward layer reads every sequence from its last valid step to its first
    (with ``lengths``, the padding stays at the end), and its outputs are put back
    in time order. The result is [batch, time, 2 hidden] (``return_sequences``), or
    the two final hidden states side by side [batch, 2 hidden]: the forward layer's
    after the last step, the backward layer's after the first. torch's
    ``bidirectional=True`` and Keras' ``Bidirectional(merge_mode="concat")`` compute
    the same. Parameters are keyed ``forward.<name>`` and ``backward.<name>``;
    :attr:`final_state` and ``initial_state`` are ``{"forward": {...},
    "backward": {...}}``.
    """

    def __init__(self, forward: Recurrent, backward: Recurrent) -> None:
        super().__init__()
        if (forward.inputs, forward.hidden, forward.return_sequences) != (
            backward.inputs, backward.hidden, backward.return_sequences,
        ):  # fmt: skip
            msg = (
                f"Bidirectional: the two layers differ ({forward!r} and {backward!r}, "
                "or in return_sequences)"
            )
            raise ShapeError(msg)
        self.layers = {"forward": forward, "backward": backward}
        self.inputs, self.hidden = forward.inputs, forward.hidden
        self.return_sequences = forward.return_sequences
        self.dtype = forward.dtype
        self.params = {
            f"{direction}.{name}": array
            for direction, layer in self.layers.items()
            for name, array in layer.params.items()
        }
        self.final_state: dict[str, dict[str, Array]] = {}
        self.initial_state_grads: dict[str, dict[str, Array]] = {}
        self._order: Array | None = None

    def __repr__(self) -> str:
        forward, backward = self.layers.values()
        return f"Bidirectional({forward!r}, {backward!r})"

    @property
    def cell(self) -> object:
        """The forward layer's cell (its weights file records the cell's name)."""
        return self.layers["forward"].cell

    def children(self) -> list[Layer]:
        """The forward and the backward layer."""
        return list(self.layers.values())

    def forward(
        self,
        x: Array,
        *,
        initial_state: Mapping[str, Mapping[str, Array]] | None = None,
        lengths: Array | None = None,
    ) -> Array:
        """[B, T, 2H] (or [B, 2H]): forward outputs, then backward outputs."""
        forward, backward = self.layers["forward"], self.layers["backward"]
        batch, time = getattr(x, "shape", (0, 0))[:2]
        if lengths is not None:
            check_lengths(self, lengths, x)
        order = reversal(batch, time, lengths)
        self._order = order
        given = initial_state or {}
        ahead = forward.forward(x, initial_state=given.get("forward"), lengths=lengths)
        back = backward.forward(
            _reorder(x, order), initial_state=given.get("backward"), lengths=lengths
        )
        if self.return_sequences:
            back = _reorder(back, order)
            if lengths is not None:  # the padded steps' outputs stay zero
                back = np.where(
                    (np.arange(time) < lengths[:, None])[..., None], back, 0
                )
        self.final_state = {
            "forward": forward.final_state,
            "backward": backward.final_state,
        }
        return np.concatenate([ahead, back], axis=-1)

    def backward(
        self,
        d_out: Array,
        *,
        d_final_state: Mapping[str, Mapping[str, Array]] | None = None,
    ) -> Array:
        """Gradients of both layers (into ``grads``); returns d_x."""
        order = require_forward(repr(self), self._order)
        forward, backward = self.layers["forward"], self.layers["backward"]
        d_ahead, d_back = np.split(d_out, 2, axis=-1)
        if self.return_sequences:
            d_back = _reorder(d_back, order)
        given = d_final_state or {}
        d_x = forward.backward(d_ahead, d_final_state=given.get("forward"))
        d_x_back = backward.backward(d_back, d_final_state=given.get("backward"))
        self._collect()
        result: Array = d_x + _reorder(d_x_back, order)
        return result

    def backward_parameters(self, d_out: Array) -> None:
        """Gradients of both layers only (no d_x)."""
        order = require_forward(repr(self), self._order)
        d_ahead, d_back = np.split(d_out, 2, axis=-1)
        if self.return_sequences:
            d_back = _reorder(d_back, order)
        self.layers["forward"].backward_parameters(d_ahead)
        self.layers["backward"].backward_parameters(d_back)
        self._collect()

    def _collect(self) -> None:
        self.grads = {
            f"{direction}.{name}": array
            for direction, layer in self.layers.items()
            for name, array in layer.grads.items()
        }
        self.initial_state_grads = {
            direction: layer.initial_state_grads
            for direction, layer in self.layers.items()
        }


def reversal(batch: int, time: int, lengths: Array | None) -> Array:
    """[B, T] time indices that read each sequence backwards, padding left in place."""
    steps = np.arange(time)
    if lengths is None:
        return np.broadcast_to(steps[::-1], (batch, time)).copy()
    inside = steps[None, :] < lengths[:, None]
    order: Array = np.where(
        inside, lengths[:, None] - 1 - steps[None, :], steps[None, :]
    )
    return order


def _reorder(values: Array, order: Array) -> Array:
    """values[b, order[b, t]] for every b, t (the reversal is its own inverse)."""
    picked: Array = np.take_along_axis(values, order[..., None], axis=1)
    return picked
