"""Between the course's column-major arrays and the generated code's batch-first rows.

The deeplearning.ai exercise keeps one example per *column*: ``xt`` is ``(n_x, m)``,
``a_prev`` is ``(n_a, m)``, and every gate has its own matrix acting on the stacked
column ``[a_prev; xt]``, e.g. ``Wf`` of shape ``(n_a, n_a + n_x)``. The generated
modules keep one example per *row* and one stacked matrix for all gates:
``z = [h_prev, x] @ W + b`` with ``W`` of shape ``(n_a + n_x, G * n_a)``. A gate's
block of ``W`` is therefore the transpose of the course's matrix::

    W = [Wf.T | Wi.T | Wc.T | Wo.T]      (LSTM, gate order f, i, g, o; g is Wc)
    W = [Waa.T ; Wax.T] = [Waa | Wax].T  (RNN: [a_prev; xt] in the course's order)

and the gradients come back the same way, ``dWf = dW[:, f-block].T``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
Parameters = Mapping[str, Array]

LSTM_GATES = (("f", "f"), ("i", "i"), ("g", "c"), ("o", "o"))
"""The generated LSTM's gate blocks in order, each with the course's letter for it."""


def softmax(z: Array) -> Array:
    """Softmax over axis 0 (the course's class axis), one column per example.

    The column maximum is subtracted first, so large logits do not overflow.
    """
    shifted = z - z.max(axis=0, keepdims=True)
    e = np.exp(shifted)
    probabilities: Array = e / e.sum(axis=0, keepdims=True)
    return probabilities


def rnn_weights(parameters: Parameters) -> tuple[Array, Array]:
    """The generated RNN's ``(W, b)`` from the course's ``Waa``, ``Wax``, ``ba``."""
    weight = np.concatenate((parameters["Waa"], parameters["Wax"]), axis=1).T
    return weight, parameters["ba"][:, 0]


def rnn_gradients(d_weight: Array, d_bias: Array, n_a: int) -> dict[str, Array]:
    """The course's ``dWaa``, ``dWax``, ``dba`` from the generated ``dW``, ``db``."""
    return {
        "dWax": d_weight[n_a:].T,
        "dWaa": d_weight[:n_a].T,
        "dba": d_bias[:, None],
    }


def lstm_weights(parameters: Parameters) -> tuple[Array, Array]:
    """The generated LSTM's ``(W, b)`` from the course's ``Wf, Wi, Wc, Wo, bf, ...``."""
    weight = np.concatenate([parameters[f"W{c}"].T for _, c in LSTM_GATES], axis=1)
    bias = np.concatenate([parameters[f"b{c}"][:, 0] for _, c in LSTM_GATES])
    return weight, bias


def lstm_gradients(d_weight: Array, d_bias: Array, n_a: int) -> dict[str, Array]:
    """The course's ``dWf, ..., dbo`` from the generated ``dW`` and ``db``."""
    grads: dict[str, Array] = {}
    for k, (_, c) in enumerate(LSTM_GATES):
        block = slice(k * n_a, (k + 1) * n_a)
        grads[f"dW{c}"] = d_weight[:, block].T
        grads[f"db{c}"] = d_bias[block, None]
    return grads
