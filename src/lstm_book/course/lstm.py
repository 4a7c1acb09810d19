"""The course's LSTM, forward and backward, computed by the generated LSTM cell.

The course's forget, update and output gates and its candidate ``c~`` (``ft``,
``it``, ``ot``, ``cct``; matrices ``Wf``, ``Wi``, ``Wo``, ``Wc``) are the generated
cell's gates ``f``, ``i``, ``o`` and ``g``. Every state, gate and gradient comes from
:mod:`lstm_derive.generated.lstm` (``step_forward`` and ``step_backward``) on the
transposed, batch-first arrays; only the softmax output head is computed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_book.course.cache import Caches, CourseCache, check_steps, generated_cache
from lstm_book.course.layout import (
    Array,
    Parameters,
    lstm_gradients,
    lstm_weights,
    softmax,
)
from lstm_book.course.step import lstm as cell

__all__ = ["lstm_backward", "lstm_cell_backward", "lstm_cell_forward", "lstm_forward"]


def lstm_cell_forward(
    xt: Array, a_prev: Array, c_prev: Array, parameters: Parameters
) -> tuple[Array, Array, Array, CourseCache]:
    """One LSTM step on the columns ``xt (n_x, m)``, ``a_prev``, ``c_prev (n_a, m)``.

    parameters holds ``Wf, Wi, Wc, Wo (n_a, n_a + n_x)`` acting on ``[a_prev; xt]``,
    ``bf, bi, bc, bo (n_a, 1)``, ``Wy (n_y, n_a)`` and ``by (n_y, 1)``. Returns
    ``a_next``, ``c_next (n_a, m)``, ``yt_pred = softmax(Wy a_next + by) (n_y, m)``
    and the course's cache ``(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt,
    parameters)``.
    """
    weight, bias = lstm_weights(parameters)
    return _cell_forward(xt, a_prev, c_prev, parameters, weight, bias)


def _cell_forward(
    xt: Array,
    a_prev: Array,
    c_prev: Array,
    parameters: Parameters,
    weight: Array,
    bias: Array,
) -> tuple[Array, Array, Array, CourseCache]:
    """lstm_cell_forward with the stacked weight already built."""
    h, c, step = cell.step_forward(xt.T, a_prev.T, c_prev.T, weight, bias)
    a_next, c_next = h.T, c.T
    gates = (step["f"].T, step["i"].T, step["g"].T, step["o"].T)  # ft, it, cct, ot
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    items = (a_next, c_next, a_prev, c_prev, *gates, xt, parameters)
    return a_next, c_next, yt_pred, CourseCache(items, step)


def lstm_forward(
    x: Array, a0: Array, parameters: Parameters
) -> tuple[Array, Array, Array, tuple[list[CourseCache], Array]]:
    """The LSTM over all ``T_x`` steps of ``x (n_x, m, T_x)`` from ``a0``; ``c<0> = 0``.

    Returns the hidden states ``a (n_a, m, T_x)``, the predictions
    ``y (n_y, m, T_x)``, the cell states ``c (n_a, m, T_x)`` and
    ``caches = (list of step caches, x)``.
    """
    _, m, steps = x.shape
    n_y, n_a = parameters["Wy"].shape
    weight, bias = lstm_weights(parameters)  # stacked once, shared by every step
    dtype = np.result_type(x, a0, weight)
    a = np.zeros((n_a, m, steps), dtype=dtype)
    c = np.zeros((n_a, m, steps), dtype=dtype)
    y = np.zeros((n_y, m, steps), dtype=dtype)
    caches = []
    a_next, c_next = a0, np.zeros((n_a, m), dtype=dtype)
    for t in range(steps):
        a_next, c_next, yt, cache = _cell_forward(
            x[:, :, t], a_next, c_next, parameters, weight, bias
        )
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)
    return a, y, c, (caches, x)


def _step_cache(cache: tuple[Any, ...]) -> dict[str, Any]:
    """The generated step cache of a course cache (recomputed for a plain tuple)."""
    step = generated_cache(cache)
    if step is None:
        _, _, a_prev, c_prev, *_, xt, parameters = cache
        weight, bias = lstm_weights(parameters)
        _, _, step = cell.step_forward(xt.T, a_prev.T, c_prev.T, weight, bias)
    return step


def lstm_cell_backward(
    da_next: Array, dc_next: Array, cache: tuple[Any, ...]
) -> dict[str, Array]:
    """Backward through one step, from ``da_next``, ``dc_next (n_a, m)``.

    Returns ``dxt (n_x, m)``, ``da_prev``, ``dc_prev (n_a, m)``,
    ``dWf, dWi, dWc, dWo (n_a, n_a + n_x)`` and ``dbf, dbi, dbc, dbo (n_a, 1)``.
    """
    grads = cell.step_backward(da_next.T, dc_next.T, _step_cache(cache))
    n_a = da_next.shape[0]
    return {
        "dxt": grads["d_x"].T,
        "da_prev": grads["d_h_prev"].T,
        "dc_prev": grads["d_c_prev"].T,
        **lstm_gradients(grads["d_weight"], grads["d_bias"], n_a),
    }


def lstm_backward(da: Array, caches: Caches) -> dict[str, Array]:
    """Backpropagation through time, from ``da (n_a, m, T_x)`` = dJ/da at every step.

    The gradients reaching step t are ``da[:, :, t]`` plus the ``da_prev`` and
    ``dc_prev`` that step t+1 sent back. Returns ``dx (n_x, m, T_x)``,
    ``da0 (n_a, m)``, ``dWf, dWi, dWc, dWo`` and ``dbf, dbi, dbc, dbo``.

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
    d_weight = np.zeros((n_a + n_x, 4 * n_a), dtype=da.dtype)
    d_bias = np.zeros(4 * n_a, dtype=da.dtype)
    d_h = np.zeros((m, n_a), dtype=da.dtype)  # batch-first dJ/da<t> from step t+1
    d_c = np.zeros((m, n_a), dtype=da.dtype)  # batch-first dJ/dc<t> from step t+1
    for t in reversed(range(steps)):
        grads = cell.step_backward(
            da[:, :, t].T + d_h, d_c, _step_cache(step_caches[t])
        )
        dx[:, :, t] = grads["d_x"].T
        d_h, d_c = grads["d_h_prev"], grads["d_c_prev"]
        d_weight += grads["d_weight"]
        d_bias += grads["d_bias"]
    return {"dx": dx, "da0": d_h.T, **lstm_gradients(d_weight, d_bias, n_a)}
