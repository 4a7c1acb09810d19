"""The course's basic RNN, forward and backward, computed by the generated RNN cell.

Names, arguments, shapes and return values are the exercise's; every hidden state and
every gradient comes from :mod:`lstm_derive.generated.rnn` (``step_forward`` and
``step_backward``), called on the transposed, batch-first arrays. Only the softmax
output head is computed here: it is not part of the cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_book.course.cache import Caches, CourseCache, check_steps, generated_cache
from lstm_book.course.layout import (
    Array,
    Parameters,
    rnn_gradients,
    rnn_weights,
    softmax,
)
from lstm_book.course.step import rnn as cell

__all__ = ["rnn_backward", "rnn_cell_backward", "rnn_cell_forward", "rnn_forward"]


def rnn_cell_forward(
    xt: Array, a_prev: Array, parameters: Parameters
) -> tuple[Array, Array, CourseCache]:
    """One step: ``a_next = tanh(Waa a_prev + Wax xt + ba)``, then the softmax head.

    xt is ``(n_x, m)``, a_prev ``(n_a, m)``; parameters holds ``Waa (n_a, n_a)``,
    ``Wax (n_a, n_x)``, ``Wya (n_y, n_a)``, ``ba (n_a, 1)``, ``by (n_y, 1)``.
    Returns ``a_next (n_a, m)``, ``yt_pred = softmax(Wya a_next + by)`` of shape
    ``(n_y, m)`` and the course's cache ``(a_next, a_prev, xt, parameters)``.
    """
    weight, bias = rnn_weights(parameters)
    return _cell_forward(xt, a_prev, parameters, weight, bias)


def _cell_forward(
    xt: Array, a_prev: Array, parameters: Parameters, weight: Array, bias: Array
) -> tuple[Array, Array, CourseCache]:
    """rnn_cell_forward with the stacked weight already built."""
    h, step = cell.step_forward(xt.T, a_prev.T, weight, bias)
    a_next = h.T
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, CourseCache((a_next, a_prev, xt, parameters), step)


def rnn_forward(
    x: Array, a0: Array, parameters: Parameters
) -> tuple[Array, Array, tuple[list[CourseCache], Array]]:
    """The RNN over all ``T_x`` steps of ``x (n_x, m, T_x)`` from ``a0 (n_a, m)``.

    Returns the hidden states ``a (n_a, m, T_x)``, the predictions
    ``y_pred (n_y, m, T_x)`` and ``caches = (list of step caches, x)``. Every step's
    state is stored in ``a[:, :, t]``: the seed's copy of this function leaves that
    line without its ``= a_next`` and returns zeros.
    """
    _, m, steps = x.shape
    n_y, n_a = parameters["Wya"].shape
    weight, bias = rnn_weights(parameters)  # stacked once, shared by every step
    dtype = np.result_type(x, a0, weight)
    a = np.zeros((n_a, m, steps), dtype=dtype)
    y_pred = np.zeros((n_y, m, steps), dtype=dtype)
    caches = []
    a_next = a0
    for t in range(steps):
        a_next, yt_pred, cache = _cell_forward(
            x[:, :, t], a_next, parameters, weight, bias
        )
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def _step_cache(cache: tuple[Any, ...]) -> dict[str, Any]:
    """The generated step cache of a course cache (recomputed for a plain tuple)."""
    step = generated_cache(cache)
    if step is None:
        _, a_prev, xt, parameters = cache
        weight, bias = rnn_weights(parameters)
        _, step = cell.step_forward(xt.T, a_prev.T, weight, bias)
    return step


def rnn_cell_backward(da_next: Array, cache: tuple[Any, ...]) -> dict[str, Array]:
    """Backward through one step, from ``da_next (n_a, m)`` = dJ/da_next.

    Returns ``dxt (n_x, m)``, ``da_prev (n_a, m)``, ``dWax (n_a, n_x)``,
    ``dWaa (n_a, n_a)`` and ``dba (n_a, 1)``.
    """
    grads = cell.step_backward(da_next.T, _step_cache(cache))
    n_a = da_next.shape[0]
    return {
        "dxt": grads["d_x"].T,
        "da_prev": grads["d_h_prev"].T,
        **rnn_gradients(grads["d_weight"], grads["d_bias"], n_a),
    }


def rnn_backward(da: Array, caches: Caches) -> dict[str, Array]:
    """Backpropagation through time, from ``da (n_a, m, T_x)`` = dJ/da at every step.

    At step t the gradient reaching ``a<t>`` is ``da[:, :, t]`` plus what step t+1
    sent back through ``Waa``. Returns ``dx (n_x, m, T_x)``, ``da0 (n_a, m)``,
    ``dWax``, ``dWaa`` and ``dba``.

    ``da`` may cover only the first T <= T_x steps of the forward pass: that is
    the gradient of a loss on those hidden states (``da`` padded with zeros), and
    ``dx`` then has T steps, as in the course (the later inputs do not reach the
    loss; their gradient is zero). A ``da`` longer than the forward pass is
    refused with a ValueError.
    """
    step_caches, x = caches
    n_a, m, steps = da.shape
    check_steps(steps, len(step_caches))
    n_x = x.shape[0]
    dx = np.zeros((n_x, m, steps), dtype=da.dtype)
    d_weight = np.zeros((n_a + n_x, n_a), dtype=da.dtype)
    d_bias = np.zeros(n_a, dtype=da.dtype)
    d_h = np.zeros((m, n_a), dtype=da.dtype)  # batch-first dJ/da<t> from step t+1
    for t in reversed(range(steps)):
        grads = cell.step_backward(da[:, :, t].T + d_h, _step_cache(step_caches[t]))
        dx[:, :, t] = grads["d_x"].T
        d_h = grads["d_h_prev"]
        d_weight += grads["d_weight"]
        d_bias += grads["d_bias"]
    return {"dx": dx, "da0": d_h.T, **rnn_gradients(d_weight, d_bias, n_a)}
