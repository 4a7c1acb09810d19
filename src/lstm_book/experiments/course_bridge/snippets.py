"""The inputs of the course's test snippets, drawn exactly as the course draws them.

Each snippet of the exercise starts with ``np.random.seed(1)`` and draws its arrays
with ``np.random.randn`` in a fixed order. ``np.random.RandomState(1)`` yields the
same numbers without touching NumPy's global generator, so the functions here
return the course's very arrays. Arrays the course draws but never uses are drawn
too (and dropped), to keep the later draws in step.
"""

from __future__ import annotations

import numpy as np

from lstm_derive.nn.layer import Array

Parameters = dict[str, Array]


def _rnn_parameters(rng: np.random.RandomState) -> Parameters:
    """Waa, Wax, Wya, ba, by in the forward snippets' order (n_a 5, n_x 3, n_y 2)."""
    waa, wax, wya = rng.randn(5, 5), rng.randn(5, 3), rng.randn(2, 5)
    ba, by = rng.randn(5, 1), rng.randn(2, 1)
    return {"Waa": waa, "Wax": wax, "Wya": wya, "ba": ba, "by": by}


def _lstm_parameters(rng: np.random.RandomState) -> Parameters:
    """Wf, bf, Wi, bi, Wo, bo, Wc, bc, then Wy, by (n_a 5, n_x 3, n_y 2)."""
    parameters = {}
    for gate in "fioc":
        parameters[f"W{gate}"] = rng.randn(5, 5 + 3)
        parameters[f"b{gate}"] = rng.randn(5, 1)
    parameters["Wy"], parameters["by"] = rng.randn(2, 5), rng.randn(2, 1)
    return parameters


def rnn_cell() -> tuple[Array, Array, Parameters]:
    """``rnn_cell_forward``'s snippet: xt (3, 10), a_prev (5, 10), parameters."""
    rng = np.random.RandomState(1)
    xt, a_prev = rng.randn(3, 10), rng.randn(5, 10)
    return xt, a_prev, _rnn_parameters(rng)


def rnn_sequence() -> tuple[Array, Array, Parameters]:
    """``rnn_forward``'s snippet: x (3, 10, 4), a0 (5, 10), parameters."""
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 4), rng.randn(5, 10)
    return x, a0, _rnn_parameters(rng)


def lstm_cell() -> tuple[Array, Array, Array, Parameters]:
    """``lstm_cell_forward``'s snippet: xt (3, 10), a_prev, c_prev (5, 10), parameters."""
    rng = np.random.RandomState(1)
    xt, a_prev, c_prev = rng.randn(3, 10), rng.randn(5, 10), rng.randn(5, 10)
    return xt, a_prev, c_prev, _lstm_parameters(rng)


def lstm_sequence() -> tuple[Array, Array, Parameters]:
    """``lstm_forward``'s snippet: x (3, 10, 7), a0 (5, 10), parameters."""
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 7), rng.randn(5, 10)
    return x, a0, _lstm_parameters(rng)


def rnn_cell_backward() -> tuple[Array, Array, Parameters, Array]:
    """``rnn_cell_backward``'s snippet: xt, a_prev, parameters, da_next (5, 10).

    The course draws a bias ``b`` here but builds its parameters with ``ba``, a
    variable left over from the ``rnn_forward`` snippet: that stale ``ba`` is the
    one its printed values use, so it is the one returned.
    """
    rng = np.random.RandomState(1)
    xt, a_prev = rng.randn(3, 10), rng.randn(5, 10)
    wax, waa, wya = rng.randn(5, 3), rng.randn(5, 5), rng.randn(2, 5)
    rng.randn(5, 1)  # the unused b
    by = rng.randn(2, 1)
    ba = rnn_sequence()[2]["ba"]
    parameters = {"Wax": wax, "Waa": waa, "Wya": wya, "ba": ba, "by": by}
    return xt, a_prev, parameters, rng.randn(5, 10)


def rnn_backward() -> tuple[Array, Array, Parameters, Array]:
    """``rnn_backward``'s snippet: x (3, 10, 4), a0, parameters, da (5, 10, 4)."""
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 4), rng.randn(5, 10)
    wax, waa, wya = rng.randn(5, 3), rng.randn(5, 5), rng.randn(2, 5)
    ba, by = rng.randn(5, 1), rng.randn(2, 1)
    parameters = {"Wax": wax, "Waa": waa, "Wya": wya, "ba": ba, "by": by}
    return x, a0, parameters, rng.randn(5, 10, 4)


def lstm_cell_backward() -> tuple[Array, Array, Array, Parameters, Array, Array]:
    """``lstm_cell_backward``'s snippet: the cell snippet's arrays, da_next, dc_next."""
    rng = np.random.RandomState(1)
    xt, a_prev, c_prev = rng.randn(3, 10), rng.randn(5, 10), rng.randn(5, 10)
    parameters = _lstm_parameters(rng)
    return xt, a_prev, c_prev, parameters, rng.randn(5, 10), rng.randn(5, 10)


def lstm_backward() -> tuple[Array, Array, Parameters, Array]:
    """``lstm_backward``'s snippet: x (3, 10, 7), a0, parameters, da (5, 10, 4).

    The course draws no ``Wy``, ``by`` here (its forward pass reads leftovers; the
    gradients do not depend on them): a placeholder head is returned. Its ``da``
    covers only 4 of the 7 steps.
    """
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 7), rng.randn(5, 10)
    parameters = {}
    for gate in "fioc":
        parameters[f"W{gate}"] = rng.randn(5, 5 + 3)
        parameters[f"b{gate}"] = rng.randn(5, 1)
    parameters["Wy"], parameters["by"] = np.ones((2, 5)), np.zeros((2, 1))
    return x, a0, parameters, rng.randn(5, 10, 4)
