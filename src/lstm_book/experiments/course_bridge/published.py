"""What the exercise's published text computes where it is wrong, and the derived values.

* :func:`published_rnn_forward`: the copied exercise's ``rnn_forward``, whose line meant to
  store each hidden state (``a[:, :, t] = a_next``) lost its ``= a_next``;
* :func:`published_gate_gradients`: the backward section's equations (8)-(10) for
  dc~, dΓu and dΓf as printed (a bracket missing in each, a stray factor c~ and a
  tanh too many in (8)); :func:`derived_gate_gradients` gives the gradients w.r.t.
  the same pre-activations from the generated LSTM's step backward (``backward_1``);
* :func:`backward_without_recurrence`: a loop that never passes ``da_prev`` and
  ``dc_prev`` back, which is what an older edition's printed ``lstm_backward`` table
  (seven of its ten values) was made with.

Everything else is computed by :mod:`lstm_book.course` (the generated cells).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_book import course
from lstm_book.course.cache import CourseCache
from lstm_derive.generated import lstm as generated_lstm
from lstm_derive.nn.layer import Array

GATE_GRADIENTS = ("dot", "dcct", "dit", "dft")
"""The course's names for the gradients w.r.t. the gates' pre-activations."""


def published_rnn_forward(
    x: Array, a0: Array, parameters: dict[str, Array]
) -> tuple[Array, Array, tuple[list[CourseCache], Array]]:
    """The copied exercise's ``rnn_forward``: every step runs, but ``a`` is never written."""
    _, m, steps = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, steps))
    y_pred = np.zeros((n_y, m, steps))
    caches = []
    a_next = a0
    for t in range(steps):
        a_next, yt_pred, cache = course.rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t]  # the published line: an expression, not a store
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def published_gate_gradients(
    da_next: Array, dc_next: Array, cache: tuple[Any, ...]
) -> dict[str, Array]:
    """Equations (7)-(10) of the course's backward section, as printed.

    (7) dΓo is right. (8) dc~ lacks the bracket around its two terms, carries a stray
    factor c~ and squares tanh(c~) where c~ already is a tanh. (9) dΓu and (10) dΓf
    apply Γ(1 - Γ) to their second term only; (10)'s ``c~_prev`` is read as
    ``c_prev`` here, so that only the bracket differs.
    """
    _, c_next, _, c_prev, ft, it, cct, ot, *_ = cache
    through_a = ot * (1 - np.tanh(c_next) ** 2) * da_next
    return {
        "dot": da_next * np.tanh(c_next) * ot * (1 - ot),
        "dcct": dc_next * it + through_a * it * cct * (1 - np.tanh(cct) ** 2),
        "dit": dc_next * cct + through_a * cct * it * (1 - it),
        "dft": dc_next * c_prev + through_a * c_prev * ft * (1 - ft),
    }


def derived_gate_gradients(
    da_next: Array, dc_next: Array, cache: CourseCache
) -> dict[str, Array]:
    """The same four gradients from the generated LSTM's step backward (``backward_1``).

    They are the gradients w.r.t. the pre-activations z_o, z_g, z_i, z_f of the
    generated cell (batch-first), transposed to the course's columns.
    """
    if cache.generated is None:
        msg = "needs a cache made by lstm_book.course.lstm_cell_forward"
        raise ValueError(msg)
    step = cache.generated
    (_, backward), *_ = generated_lstm.STAGES
    saved = (step[name] for name in generated_lstm.SAVED)
    d_z = backward(da_next.T, dc_next.T, *saved)["zx"]
    d_z_f, d_z_i, d_z_g, d_z_o = np.split(d_z, 4, axis=1)
    return {"dot": d_z_o.T, "dcct": d_z_g.T, "dit": d_z_i.T, "dft": d_z_f.T}


def backward_without_recurrence(
    da: Array, caches: tuple[list[CourseCache], Array]
) -> dict[str, Array]:
    """The course's ``lstm_backward`` loop with its recurrence missing: NOT a gradient.

    Each step t back from ``da.shape[2] - 1`` gets only ``da[:, :, t]`` and
    ``dc_next = 0``; parameter gradients are summed and ``da0`` is the last step's
    ``da_prev``. This is what the course's printed table holds for dx, da0, dWf,
    dWi, dWc, dWo and dbf.
    """
    step_caches, x = caches
    n_a, m, steps = da.shape
    dx = np.zeros((x.shape[0], m, steps))
    totals: dict[str, Array] = {}
    da0 = np.zeros((n_a, m))
    for t in reversed(range(steps)):
        step = course.lstm_cell_backward(
            da[:, :, t], np.zeros((n_a, m)), step_caches[t]
        )
        dx[:, :, t] = step["dxt"]
        da0 = step["da_prev"]
        for key, value in step.items():
            if key.startswith(("dW", "db")):
                totals[key] = totals.get(key, 0) + value
    return {"dx": dx, "da0": da0, **totals}
