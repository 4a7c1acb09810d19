"""Test-only reference: the course's RNN and LSTM, forward and backward, in plain NumPy.

Written from the exercise's equations, column-major like the course (``xt`` is
``(n_x, m)``, one example per column), with no code shared with
:mod:`lstm_book.course` or the generated cells: the tests run the course's
snippets through both and compare.

Backward formulas, written out correctly, with ``tc = tanh(c_next)``::

    RNN   dtanh = (1 - a_next**2) * da_next
          dxt = Wax.T @ dtanh    dWax = dtanh @ xt.T    dba = sum_columns(dtanh)
          da_prev = Waa.T @ dtanh    dWaa = dtanh @ a_prev.T
    LSTM  dot  = da_next * tc * ot * (1 - ot)
          dcct = (dc_next * it  + ot * (1 - tc**2) * it  * da_next) * (1 - cct**2)
          dit  = (dc_next * cct + ot * (1 - tc**2) * cct * da_next) * it * (1 - it)
          dft  = (dc_next * c_prev + ot * (1 - tc**2) * c_prev * da_next)
                 * ft * (1 - ft)
          dWf = dft @ [a_prev; xt].T, ...    dbf = sum_columns(dft), ...
          da_prev = Wf[:, :n_a].T @ dft + Wi[:, :n_a].T @ dit + Wc[:, :n_a].T @ dcct
                    + Wo[:, :n_a].T @ dot        (dxt: the same with [:, n_a:])
          dc_prev = dc_next * ft + ot * (1 - tc**2) * ft * da_next

Where the course's own text gets these wrong (its optional section "3 -
Backpropagation in recurrent neural networks", equations 7-17; seed 004 stops
before that section):

* eq. (8), dc~: written ``dc_next*Γu + Γo(1 - tanh(c_next)^2) * i_t * da_next *
  c~ * (1 - tanh(c~)^2)``. The bracket around the two terms is missing (the factor
  ``1 - c~^2`` multiplies both), a stray factor ``c~`` is there, ``tanh(c~)^2``
  should be ``c~^2`` (``c~`` already is a tanh), and ``i_t`` is the ``Γu`` of the
  first term.
* eq. (9), dΓu and eq. (10), dΓf: the same missing bracket: ``Γ(1 - Γ)`` multiplies
  the whole sum, not only its second term; eq. (10) also has ``c~_prev`` where it
  means ``c_prev``.
* the notes under eqs. (15) and (17) point at "equations 13" and "equation 15" and
  slice rows, ``W_f[:n_a, :]`` and ``W_f[n_a:, :]``; the slices are of columns,
  ``W_f[:, :n_a]`` (for da_prev) and ``W_f[:, n_a:]`` (for dxt).
* the text asks for ``keep_dims = True``; NumPy's keyword is ``keepdims``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Parameters = Mapping[str, Array]
LSTM_KEYS = ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo")


def sigmoid(z: Array) -> Array:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: Array) -> Array:
    """Softmax down each column, as printed (no max shift: test inputs are small)."""
    e = np.exp(z)
    probabilities: Array = e / e.sum(axis=0)
    return probabilities


def rnn_cell_forward(
    xt: Array, a_prev: Array, parameters: Parameters
) -> tuple[Array, Array, tuple[Any, ...]]:
    """a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by)."""
    p = parameters
    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    yt_pred = softmax(p["Wya"] @ a_next + p["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_forward(
    x: Array, a0: Array, parameters: Parameters
) -> tuple[Array, Array, tuple[list[tuple[Any, ...]], Array]]:
    """The cell over every step, storing every a<t> (seed 004's copy forgets to)."""
    _, m, steps = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, steps))
    y_pred = np.zeros((n_y, m, steps))
    caches = []
    a_next = a0
    for t in range(steps):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_cell_backward(da_next: Array, cache: tuple[Any, ...]) -> dict[str, Array]:
    """One step back through tanh and the two matrix products."""
    a_next, a_prev, xt, p = cache
    dtanh = (1 - a_next**2) * da_next
    return {
        "dxt": p["Wax"].T @ dtanh,
        "da_prev": p["Waa"].T @ dtanh,
        "dWax": dtanh @ xt.T,
        "dWaa": dtanh @ a_prev.T,
        "dba": dtanh.sum(axis=1, keepdims=True),
    }


def rnn_backward(da: Array, caches: tuple[list[Any], Array]) -> dict[str, Array]:
    """BPTT: step t receives da[:, :, t] plus the da_prev of step t+1."""
    step_caches, x = caches
    n_a, m, steps = da.shape
    n_x = x.shape[0]
    dx = np.zeros((n_x, m, steps))
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(steps)):
        g = rnn_cell_backward(da[:, :, t] + da_prevt, step_caches[t])
        dx[:, :, t] = g["dxt"]
        da_prevt = g["da_prev"]
        dWax += g["dWax"]
        dWaa += g["dWaa"]
        dba += g["dba"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def lstm_cell_forward(
    xt: Array, a_prev: Array, c_prev: Array, parameters: Parameters
) -> tuple[Array, Array, Array, tuple[Any, ...]]:
    """Course equations (1)-(6) on concat = [a_prev; xt], then the softmax head."""
    p = parameters
    concat = np.vstack((a_prev, xt))
    ft = sigmoid(p["Wf"] @ concat + p["bf"])
    it = sigmoid(p["Wi"] @ concat + p["bi"])
    cct = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = ft * c_prev + it * cct
    ot = sigmoid(p["Wo"] @ concat + p["bo"])
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache


def lstm_forward(
    x: Array, a0: Array, parameters: Parameters
) -> tuple[Array, Array, Array, tuple[list[tuple[Any, ...]], Array]]:
    """The cell over every step from a0 and c<0> = 0."""
    _, m, steps = x.shape
    n_y, n_a = parameters["Wy"].shape
    a, c = np.zeros((n_a, m, steps)), np.zeros((n_a, m, steps))
    y = np.zeros((n_y, m, steps))
    caches = []
    a_next, c_next = a0, np.zeros((n_a, m))
    for t in range(steps):
        a_next, c_next, yt, cache = lstm_cell_forward(
            x[:, :, t], a_next, c_next, parameters
        )
        a[:, :, t], c[:, :, t], y[:, :, t] = a_next, c_next, yt
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_cell_backward(
    da_next: Array, dc_next: Array, cache: tuple[Any, ...]
) -> dict[str, Array]:
    """One step back, with the corrected equations (7)-(17) of the module docstring."""
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p = cache
    n_a = a_next.shape[0]
    tc = np.tanh(c_next)
    dot = da_next * tc * ot * (1 - ot)
    dcct = (dc_next * it + ot * (1 - tc**2) * it * da_next) * (1 - cct**2)
    dit = (dc_next * cct + ot * (1 - tc**2) * cct * da_next) * it * (1 - it)
    dft = (dc_next * c_prev + ot * (1 - tc**2) * c_prev * da_next) * ft * (1 - ft)
    concat_t = np.vstack((a_prev, xt)).T
    gates = {"f": dft, "i": dit, "c": dcct, "o": dot}
    d_concat = np.zeros((n_a + xt.shape[0], xt.shape[1]))
    for k, d in gates.items():
        d_concat += p[f"W{k}"].T @ d
    grads = {
        "dxt": d_concat[n_a:],
        "da_prev": d_concat[:n_a],
        "dc_prev": dc_next * ft + ot * (1 - tc**2) * ft * da_next,
    }
    for k, d in gates.items():
        grads[f"dW{k}"] = d @ concat_t
        grads[f"db{k}"] = d.sum(axis=1, keepdims=True)
    return grads


def lstm_backward(da: Array, caches: tuple[list[Any], Array]) -> dict[str, Array]:
    """BPTT over the first ``da.shape[2]`` steps, as the course's loop runs.

    Step t receives da[:, :, t] plus the da_prev, and the dc_prev, of step t+1.
    """
    return _lstm_backward(da, caches, recurrent=True)


def lstm_backward_dropping_recurrence(
    da: Array, caches: tuple[list[Any], Array]
) -> dict[str, Array]:
    """NOT a gradient: every step gets only ``da[:, :, t]`` and ``dc_next = 0``.

    This is what the course's printed "Expected Output" of ``lstm_backward``
    matches on dx, da0, dWf, dWi, dWc, dWo and dbf (its dbi, dbc and dbo match
    neither this nor the gradient): the table was made by a loop that forgot to
    pass ``da_prev`` and ``dc_prev`` on to the earlier step.
    """
    return _lstm_backward(da, caches, recurrent=False)


def _lstm_backward(
    da: Array, caches: tuple[list[Any], Array], *, recurrent: bool
) -> dict[str, Array]:
    step_caches, x = caches
    n_a, m, steps = da.shape
    dx = np.zeros((x.shape[0], m, steps))
    totals = dict.fromkeys(LSTM_KEYS, np.zeros(()))
    da_prevt, dc_prevt = np.zeros((n_a, m)), np.zeros((n_a, m))
    da_back = np.zeros((n_a, m))
    for t in reversed(range(steps)):
        g = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, step_caches[t])
        dx[:, :, t] = g["dxt"]
        da_back = g["da_prev"]
        if recurrent:
            da_prevt, dc_prevt = da_back, g["dc_prev"]
        totals = {k: totals[k] + g[k] for k in LSTM_KEYS}
    return {"dx": dx, "da0": da_back, **totals}
