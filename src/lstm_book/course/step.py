"""One step of a cell with the course's stacked weight: ``z = [h_prev, x] W + b``.

The exercise stacks every gate's weights into one matrix acting on ``[a_prev; xt]``;
the cells here keep ``W_h``, ``W_x`` and ``b_x`` apart. :class:`StackedStep` splits the
stacked matrix, runs one step through the BPTT driver (:mod:`lstm_derive.nn.bptt`)
and stacks the gradients again, so the course functions read like the exercise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_derive import generated
from lstm_derive.nn import bptt

Array = np.ndarray[Any, Any]


class StackedStep:
    """``step_forward`` / ``step_backward`` of one cell, on the stacked weight."""

    def __init__(self, name: str) -> None:
        self.cell = bptt.Cell.of(generated.load(name))
        self.states = self.cell.states

    def step_forward(self, x: Array, *args: Array) -> tuple[Any, ...]:
        """``x [B, I]``, the previous states, ``weight``, ``bias`` -> new states, cache."""
        *previous, weight, bias = args
        hidden = previous[0].shape[1]
        params = {"W_h": weight[:hidden], "W_x": weight[hidden:], "b_x": bias}
        states = dict(zip(self.states, previous, strict=True))
        _, finals, cache = bptt.forward(self.cell, x[:, None, :], states, params)
        step: dict[str, Any] = dict(cache.steps[0])
        step["driver_cache"] = cache
        return (*(finals[s] for s in self.states), step)

    def step_backward(self, *args: Any) -> dict[str, Array]:
        """The gradients arriving at the new states, the cache -> d_x, d_<s>_prev, d_W, d_b."""
        *d_states, step = args
        cache: bptt.Cache = step["driver_cache"]
        batch, _, _, hidden = cache.shape
        d_hs = np.zeros((batch, 1, hidden), dtype=d_states[0].dtype)
        d_last = dict(zip(self.states, d_states, strict=True))
        grads = bptt.backward(d_hs, cache, d_last)
        result = {"d_x": grads["x"][:, 0]}
        result |= {f"d_{s}_prev": grads[f"{s}0"] for s in self.states}
        result["d_weight"] = np.concatenate((grads["W_h"], grads["W_x"]))
        result["d_bias"] = grads["b_x"]
        return result


lstm = StackedStep("lstm")
rnn = StackedStep("rnn")
