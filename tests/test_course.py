"""lstm_book.course: the deeplearning.ai exercise's functions on the generated cells.

The course's test snippets (``np.random.seed(1)`` and the shapes it uses) run through
the bridge and through the independent NumPy reference in ``course_reference.py``;
forward outputs, caches and gradients must agree to 1e-12 in float64. The values
the course notebook prints under "Expected Output" are checked to the printed
precision, central differences check both backward passes, and one test pins the
seed's ``rnn_forward`` bug (a hidden state never stored).

Seed 004 copies the snippets' print statements but not their output, and stops
before the optional backward section: the printed values below are the course
notebook's own "Expected Output" tables (sections 1.1-3.3), an independent check.

``RandomState(1).randn`` draws the same numbers as ``np.random.seed(1)`` followed
by ``np.random.randn``, without touching NumPy's global generator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import course_reference as ref
import numpy as np
import pytest
from numpy.typing import NDArray

from lstm_book import course
from lstm_book.course import layout
from lstm_derive import generated, gradcheck
from lstm_derive.nn import bptt

Array = NDArray[np.float64]
Params = dict[str, Array]


# --- the course's snippets, drawn in the course's order ---------------------------


def rnn_cell_snippet() -> tuple[Array, Array, Params]:
    """Seed 004's rnn_cell_forward test: xt (3, 10), a_prev (5, 10)."""
    rng = np.random.RandomState(1)
    xt, a_prev = rng.randn(3, 10), rng.randn(5, 10)
    waa, wax, wya = rng.randn(5, 5), rng.randn(5, 3), rng.randn(2, 5)
    ba, by = rng.randn(5, 1), rng.randn(2, 1)
    return xt, a_prev, {"Waa": waa, "Wax": wax, "Wya": wya, "ba": ba, "by": by}


def rnn_sequence_snippet() -> tuple[Array, Array, Params]:
    """Seed 004's rnn_forward test: x (3, 10, 4), a0 (5, 10)."""
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 4), rng.randn(5, 10)
    waa, wax, wya = rng.randn(5, 5), rng.randn(5, 3), rng.randn(2, 5)
    ba, by = rng.randn(5, 1), rng.randn(2, 1)
    return x, a0, {"Waa": waa, "Wax": wax, "Wya": wya, "ba": ba, "by": by}


def gate_parameters(rng: np.random.RandomState, n_a: int = 5, n_x: int = 3) -> Params:
    """Wf, bf, Wi, bi, Wo, bo, Wc, bc drawn in that (the course's) order."""
    drawn = {}
    for gate in "fioc":
        drawn[f"W{gate}"] = rng.randn(n_a, n_a + n_x)
        drawn[f"b{gate}"] = rng.randn(n_a, 1)
    return drawn


def lstm_cell_snippet() -> tuple[Array, Array, Array, Params, np.random.RandomState]:
    """Seed 004's lstm_cell_forward test; also returns the generator to draw on."""
    rng = np.random.RandomState(1)
    xt, a_prev, c_prev = rng.randn(3, 10), rng.randn(5, 10), rng.randn(5, 10)
    parameters = gate_parameters(rng)
    parameters["Wy"], parameters["by"] = rng.randn(2, 5), rng.randn(2, 1)
    return xt, a_prev, c_prev, parameters, rng


def lstm_sequence_snippet() -> tuple[Array, Array, Params]:
    """Seed 004's lstm_forward test: x (3, 10, 7), a0 (5, 10)."""
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 7), rng.randn(5, 10)
    parameters = gate_parameters(rng)
    parameters["Wy"], parameters["by"] = rng.randn(2, 5), rng.randn(2, 1)
    return x, a0, parameters


# --- comparing --------------------------------------------------------------------


def assert_close(actual: Array, desired: Array) -> None:
    """Agreement to 1e-12, relative or absolute, in float64."""
    np.testing.assert_allclose(actual, desired, rtol=1e-12, atol=1e-12)


def assert_same_arrays(bridge: Any, reference: Any) -> None:
    """Every array in two equally nested tuples/lists/dicts agrees to 1e-12."""
    if isinstance(reference, dict) and not {"Wf", "Waa"} & reference.keys():
        assert bridge.keys() == reference.keys()
        for key in reference:
            assert_same_arrays(bridge[key], reference[key])
    elif isinstance(reference, tuple | list):
        assert len(bridge) == len(reference)
        for b, r in zip(bridge, reference, strict=True):
            assert_same_arrays(b, r)
    elif isinstance(reference, np.ndarray):
        assert bridge.shape == reference.shape
        assert_close(bridge, reference)


NUMBER = re.compile(r"[-+]?\d+\.(\d*)")


def printed_match(actual: Any, printed: str) -> bool:
    """Whether ``actual`` rounds to the numbers in ``printed`` (each to its digits)."""
    numbers = NUMBER.findall(printed)
    texts = NUMBER.finditer(printed)
    values = np.asarray(actual, dtype=float).ravel()
    if len(values) != len(numbers):
        return False
    return all(
        abs(value - float(text.group())) <= 0.5 * 10.0 ** -len(digits) * (1 + 1e-9)
        for value, text, digits in zip(values, texts, numbers, strict=True)
    )


def assert_printed(actual: Any, printed: str) -> None:
    """``actual`` matches the course's printed value to the printed precision."""
    assert printed_match(actual, printed), f"{actual} does not print as {printed}"


def test_printed_match_uses_the_printed_precision() -> None:
    assert printed_match(0.12345, "0.1235")
    assert not printed_match(0.12344, "0.1235")
    assert printed_match([0.5, -0.25], "[ 0.5 -0.25]")
    assert not printed_match([0.5], "[ 0.5 -0.25]")


# --- forward: bridge == reference, and the course's printed values ----------------


def test_rnn_cell_forward_snippet() -> None:
    xt, a_prev, parameters = rnn_cell_snippet()
    bridge = course.rnn_cell_forward(xt, a_prev, parameters)
    assert_same_arrays(bridge, ref.rnn_cell_forward(xt, a_prev, parameters))
    a_next, yt_pred, cache = bridge
    assert a_next.shape == (5, 10)
    assert yt_pred.shape == (2, 10)
    assert len(cache) == 4
    assert cache[3] is parameters
    assert_printed(
        a_next[4],
        "[ 0.59584544  0.18141802  0.61311866  0.99808218  0.85016201  0.99980978"
        " -0.18887155  0.99815551  0.6531151   0.82872037]",
    )
    assert_printed(
        yt_pred[1],
        "[ 0.9888161   0.01682021  0.21140899  0.36817467  0.98988387  0.88945212"
        "  0.36920224  0.9966312   0.9982559   0.17746526]",
    )


def test_rnn_forward_snippet() -> None:
    x, a0, parameters = rnn_sequence_snippet()
    bridge = course.rnn_forward(x, a0, parameters)
    assert_same_arrays(bridge, ref.rnn_forward(x, a0, parameters))
    a, y_pred, caches = bridge
    assert a.shape == (5, 10, 4)
    assert y_pred.shape == (2, 10, 4)
    assert len(caches) == 2
    assert_printed(a[4][1], "[-0.99999375  0.77911235 -0.99861469 -0.99833267]")
    assert_printed(y_pred[1][3], "[ 0.79560373  0.86224861  0.11118257  0.81515947]")
    assert_printed(caches[1][1][3], "[-1.1425182  -0.34934272 -0.20889423  0.58662319]")


def test_rnn_forward_stores_every_time_step() -> None:
    """Seed 004's rnn_forward has ``a[:, :, t]`` without ``= a_next``: a stays zero."""
    x, a0, parameters = rnn_sequence_snippet()
    a, _, (caches, _) = course.rnn_forward(x, a0, parameters)
    a_next = a0
    for t in range(x.shape[2]):
        a_next, _, _ = course.rnn_cell_forward(x[:, :, t], a_next, parameters)
        np.testing.assert_array_equal(a[:, :, t], a_next)
        np.testing.assert_array_equal(a[:, :, t], caches[t][0])
    assert not np.any(np.all(a == 0, axis=(0, 1))), "a time step of a left at zero"


def test_lstm_cell_forward_snippet() -> None:
    xt, a_prev, c_prev, parameters, _ = lstm_cell_snippet()
    bridge = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    assert_same_arrays(bridge, ref.lstm_cell_forward(xt, a_prev, c_prev, parameters))
    a_next, c_next, yt, cache = bridge
    assert a_next.shape == c_next.shape == (5, 10)
    assert yt.shape == (2, 10)
    assert len(cache) == 10
    assert_printed(
        a_next[4],
        "[-0.66408471  0.0036921   0.02088357  0.22834167 -0.85575339  0.00138482"
        "  0.76566531  0.34631421 -0.00215674  0.43827275]",
    )
    assert_printed(
        c_next[2],
        "[ 0.63267805  1.00570849  0.35504474  0.20690913 -1.64566718  0.11832942"
        "  0.76449811 -0.0981561  -0.74348425 -0.26810932]",
    )
    assert_printed(
        yt[1],
        "[ 0.79913913  0.15986619  0.22412122  0.15606108  0.97057211  0.31146381"
        "  0.00943007  0.12666353  0.39380172  0.07828381]",
    )
    assert_printed(
        cache[1][3],
        "[-0.16263996  1.03729328  0.72938082 -0.54101719  0.02752074 -0.30821874"
        "  0.07651101 -1.03752894  1.41219977 -0.37647422]",
    )


def test_lstm_forward_snippet() -> None:
    x, a0, parameters = lstm_sequence_snippet()
    bridge = course.lstm_forward(x, a0, parameters)
    assert_same_arrays(bridge, ref.lstm_forward(x, a0, parameters))
    a, y, c, caches = bridge
    assert a.shape == c.shape == (5, 10, 7)
    assert y.shape == (2, 10, 7)
    assert len(caches) == 2
    assert_printed(a[4][3][6], "0.172117767533")
    assert_printed(y[1][4][3], "0.95087346185")
    assert_printed(
        caches[1][1][1],
        "[ 0.82797464  0.23009474  0.76201118 -0.22232814 -0.20075807  0.18656139"
        "  0.41005165]",
    )
    assert_printed(c[1][2][1], "-0.855544916718")


# --- backward: bridge == reference, and the course's printed values ---------------
# The backward snippets come from the course notebook's optional section 3, which
# seed 004 does not reach; its printed values are in the notebook's tables.


def test_rnn_cell_backward_snippet() -> None:
    """The course draws ``b`` here but passes ``ba``, left from rnn_forward's cell."""
    rng = np.random.RandomState(1)
    xt, a_prev = rng.randn(3, 10), rng.randn(5, 10)
    wax, waa, wya = rng.randn(5, 3), rng.randn(5, 5), rng.randn(2, 5)
    rng.randn(5, 1)  # b: drawn, never used
    by = rng.randn(2, 1)
    ba = rnn_sequence_snippet()[2]["ba"]  # the stale global the course's cell reads
    parameters = {"Wax": wax, "Waa": waa, "Wya": wya, "ba": ba, "by": by}
    _, _, cache = course.rnn_cell_forward(xt, a_prev, parameters)
    _, _, ref_cache = ref.rnn_cell_forward(xt, a_prev, parameters)
    da_next = rng.randn(5, 10)
    grads = course.rnn_cell_backward(da_next, cache)
    assert_same_arrays(grads, ref.rnn_cell_backward(da_next, ref_cache))
    shapes = {"dxt": (3, 10), "da_prev": (5, 10), "dWax": (5, 3), "dWaa": (5, 5)}
    assert {k: grads[k].shape for k in shapes} == shapes
    assert grads["dba"].shape == (5, 1)
    assert_printed(grads["dxt"][1][2], "-0.460564103059")
    assert_printed(grads["da_prev"][2][3], "0.0842968653807")
    assert_printed(grads["dWax"][3][1], "0.393081873922")
    assert_printed(grads["dWaa"][1][2], "-0.28483955787")
    assert_printed(grads["dba"][4], "[ 0.80517166]")


def test_rnn_backward_snippet() -> None:
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 4), rng.randn(5, 10)
    wax, waa, wya = rng.randn(5, 3), rng.randn(5, 5), rng.randn(2, 5)
    ba, by = rng.randn(5, 1), rng.randn(2, 1)
    parameters = {"Wax": wax, "Waa": waa, "Wya": wya, "ba": ba, "by": by}
    _, _, caches = course.rnn_forward(x, a0, parameters)
    _, _, ref_caches = ref.rnn_forward(x, a0, parameters)
    da = rng.randn(5, 10, 4)
    grads = course.rnn_backward(da, caches)
    assert_same_arrays(grads, ref.rnn_backward(da, ref_caches))
    assert grads["dx"].shape == (3, 10, 4)
    assert grads["da0"].shape == (5, 10)
    assert_printed(
        grads["dx"][1][2], "[-2.07101689 -0.59255627  0.02466855  0.01483317]"
    )
    assert_printed(grads["da0"][2][3], "-0.314942375127")
    assert_printed(grads["dWax"][3][1], "11.2641044965")
    assert_printed(grads["dWaa"][1][2], "2.30333312658")
    assert_printed(grads["dba"][4], "[-0.74747722]")


def test_lstm_cell_backward_snippet() -> None:
    xt, a_prev, c_prev, parameters, rng = lstm_cell_snippet()
    _, _, _, cache = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    _, _, _, ref_cache = ref.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    da_next, dc_next = rng.randn(5, 10), rng.randn(5, 10)
    grads = course.lstm_cell_backward(da_next, dc_next, cache)
    assert_same_arrays(grads, ref.lstm_cell_backward(da_next, dc_next, ref_cache))
    assert grads["dxt"].shape == (3, 10)
    assert grads["da_prev"].shape == grads["dc_prev"].shape == (5, 10)
    assert {grads[f"dW{g}"].shape for g in "fico"} == {(5, 8)}
    assert {grads[f"db{g}"].shape for g in "fico"} == {(5, 1)}
    assert_printed(grads["dxt"][1][2], "3.23055911511")
    assert_printed(grads["da_prev"][2][3], "-0.0639621419711")
    assert_printed(grads["dc_prev"][2][3], "0.797522038797")
    assert_printed(grads["dWf"][3][1], "-0.147954838164")
    assert_printed(grads["dWi"][1][2], "1.05749805523")
    assert_printed(grads["dWc"][3][1], "2.30456216369")
    assert_printed(grads["dWo"][1][2], "0.331311595289")
    assert_printed(grads["dbf"][4], "[ 0.18864637]")
    assert_printed(grads["dbi"][4], "[-0.40142491]")
    assert_printed(grads["dbc"][4], "[ 0.25587763]")
    assert_printed(grads["dbo"][4], "[ 0.13893342]")


def lstm_backward_snippet() -> tuple[Array, Array, Params, Array]:
    """The course's lstm_backward test: x has T_x = 7 but da is drawn with 4 steps.

    It draws no Wy, by (they are leftovers of an earlier cell; the gradients do
    not depend on them).
    """
    rng = np.random.RandomState(1)
    x, a0 = rng.randn(3, 10, 7), rng.randn(5, 10)
    parameters = gate_parameters(rng)
    parameters["Wy"], parameters["by"] = np.ones((2, 5)), np.zeros((2, 1))
    da = rng.randn(5, 10, 4)
    return x, a0, parameters, da


PUBLISHED_LSTM_BACKWARD = {
    ("dx", (1, 2)): "[-0.00173313  0.08287442 -0.30545663 -0.43281115]",
    ("da0", (2, 3)): "-0.095911501954",
    ("dWf", (3, 1)): "-0.0698198561274",
    ("dWi", (1, 2)): "0.102371820249",
    ("dWc", (3, 1)): "-0.0624983794927",
    ("dWo", (1, 2)): "0.0484389131444",
    ("dbf", (4,)): "[-0.0565788]",
    ("dbi", (4,)): "[-0.06997391]",
    ("dbc", (4,)): "[-0.27441821]",
    ("dbo", (4,)): "[ 0.16532821]",
}
"""The course notebook's "Expected Output" for its lstm_backward snippet."""


def test_lstm_backward_snippet_runs_on_the_steps_da_covers() -> None:
    """The course's loop takes T_x from da (4 steps) although x has 7.

    Its result is the gradient of sum(da * a[:, :, :4]): the bridge accepts that da
    and returns the reference's result, which is also the gradient for da padded
    with zeros (dx then covers the 4 steps, as in the course). A da longer than
    the forward pass is refused.
    """
    x, a0, parameters, da = lstm_backward_snippet()
    _, _, _, caches = course.lstm_forward(x, a0, parameters)
    _, _, _, ref_caches = ref.lstm_forward(x, a0, parameters)
    grads = course.lstm_backward(da, caches)
    assert grads["dx"].shape == (3, 10, 4)
    assert_same_arrays(grads, ref.lstm_backward(da, ref_caches))
    padded = np.concatenate((da, np.zeros((5, 10, 3))), axis=2)
    from_padded = course.lstm_backward(padded, caches)
    np.testing.assert_array_equal(from_padded["dx"][:, :, 4:], 0.0)
    from_padded["dx"] = from_padded["dx"][:, :, :4]
    assert_same_arrays(grads, from_padded)
    with pytest.raises(ValueError, match="8 time steps but the forward pass ran 7"):
        course.lstm_backward(np.zeros((5, 10, 8)), caches)
    with pytest.raises(ValueError, match="0 time steps"):
        course.lstm_backward(np.zeros((5, 10, 0)), caches)


CURRENT_LSTM_BACKWARD = {
    ("dx", (1, 2)): "[0.00218254  0.28205375 -0.48292508 -0.43281115]",
    ("da0", (2, 3)): "0.312770310257",
    ("dWf", (3, 1)): "-0.0809802310938",
    ("dWi", (1, 2)): "0.40512433093",
    ("dWc", (3, 1)): "-0.0793746735512",
    ("dWo", (1, 2)): "0.038948775763",
    ("dbf", (4,)): "[-0.15745657]",
    ("dbi", (4,)): "[-0.50848333]",
    ("dbc", (4,)): "[-0.42510818]",
    ("dbo", (4,)): "[ -0.17958196]",
}
"""The "Expected Output" of lstm_backward in the course's current edition."""


def test_course_current_lstm_backward_table_is_the_zero_padded_gradient() -> None:
    x, a0, parameters, da = lstm_backward_snippet()
    _, _, _, caches = course.lstm_forward(x, a0, parameters)
    grads = course.lstm_backward(da, caches)
    for (key, index), printed in CURRENT_LSTM_BACKWARD.items():
        assert printed_match(grads[key][index], printed), key


COURSE_SNIPPETS = {
    "lstm_backward": """
np.random.seed(1)
x_tmp = np.random.randn(3, 10, 7)
a0_tmp = np.random.randn(5, 10)
parameters_tmp = {}
for name in ("f", "i", "o", "c"):
    parameters_tmp["W" + name] = np.random.randn(5, 5 + 3)
    parameters_tmp["b" + name] = np.random.randn(5, 1)
parameters_tmp["Wy"] = np.zeros((2, 5))
parameters_tmp["by"] = np.zeros((2, 1))
a_tmp, y_tmp, c_tmp, caches_tmp = lstm_forward(x_tmp, a0_tmp, parameters_tmp)
da_tmp = np.random.randn(5, 10, 4)
gradients_tmp = lstm_backward(da_tmp, caches_tmp)
result = gradients_tmp["dbo"][4], gradients_tmp["dx"].shape
""",
}
"""The course's own test code, in its style (global seed, names, star import)."""


def test_the_course_snippet_runs_unchanged_through_the_bridge() -> None:
    namespace: dict[str, Any] = {}
    exec("import numpy as np\nfrom lstm_book.course import *", namespace)  # noqa: S102
    exec(COURSE_SNIPPETS["lstm_backward"], namespace)  # noqa: S102
    dbo, dx_shape = namespace["result"]
    assert printed_match(dbo, CURRENT_LSTM_BACKWARD["dbo", (4,)])
    assert dx_shape == (3, 10, 4)


def test_course_lstm_backward_table_is_not_the_gradient() -> None:
    """The course's printed lstm_backward values: what they are and are not.

    Seven of the ten (dx, da0, dWf, dWi, dWc, dWo, dbf) are those of a loop that
    never passes da_prev and dc_prev back to the earlier step; dbi, dbc and dbo
    match neither that loop nor the gradient. The gradient (reference and bridge)
    differs from the table, e.g. in da0.
    """
    x, a0, parameters, da = lstm_backward_snippet()
    _, _, _, ref_caches = ref.lstm_forward(x, a0, parameters)
    gradient = ref.lstm_backward(da, ref_caches)
    dropped = ref.lstm_backward_dropping_recurrence(da, ref_caches)
    unexplained = {"dbi", "dbc", "dbo"}
    for (key, index), printed in PUBLISHED_LSTM_BACKWARD.items():
        assert not printed_match(gradient[key][index], printed), key
        assert printed_match(dropped[key][index], printed) == (key not in unexplained)
    # dx[1][2][3] belongs to the last step, where nothing comes from a later one.
    assert printed_match(gradient["dx"][1][2][3], "-0.43281115")
    assert not printed_match(
        gradient["dx"][1][2], PUBLISHED_LSTM_BACKWARD["dx", (1, 2)]
    )


# --- central differences ------------------------------------------------------------

STENCIL = {1: 45 / 60, 2: -9 / 60, 3: 1 / 60}  # sixth order, as in gradcheck


def central_difference(
    loss: Callable[[Params], float], arrays: Params, name: str, index: tuple[int, ...]
) -> float:
    """Sixth-order central difference of ``loss`` in one entry of one array."""
    step = gradcheck.STEP
    probe = {k: v.copy() for k, v in arrays.items()}
    original = probe[name][index]
    total = 0.0
    for k, weight in STENCIL.items():
        probe[name][index] = original + k * step
        ahead = loss(probe)
        probe[name][index] = original - k * step
        total += weight * (ahead - loss(probe))
    return total / step


def worst_relative_error(
    loss: Callable[[Params], float], arrays: Params, grads: dict[str, Array]
) -> float:
    """The largest relative error over all entries; the gradients are keyed d<name>."""
    worst = 0.0
    for name, value in arrays.items():
        assert grads[f"d{name}"].shape == value.shape, name
        for index in np.ndindex(value.shape):
            numeric = central_difference(loss, arrays, name, index)
            error = gradcheck.relative_error(numeric, float(grads[f"d{name}"][index]))
            worst = max(worst, error)
    return worst


def small_rnn(seed: int) -> tuple[Params, Params, Array]:
    """A small RNN: checked arrays (x, a0, Waa, Wax, ba), the head, a loss weight."""
    rng = np.random.default_rng(seed)
    n_x, n_a, m, steps = 2, 3, 2, 3
    arrays = {
        "x": rng.standard_normal((n_x, m, steps)),
        "a0": 0.5 * rng.standard_normal((n_a, m)),
        "Waa": 0.5 * rng.standard_normal((n_a, n_a)),
        "Wax": 0.5 * rng.standard_normal((n_a, n_x)),
        "ba": 0.5 * rng.standard_normal((n_a, 1)),
    }
    head = {"Wya": rng.standard_normal((2, n_a)), "by": rng.standard_normal((2, 1))}
    return arrays, head, rng.standard_normal((n_a, m, steps))


def small_lstm(seed: int) -> tuple[Params, Params, Array]:
    """A small LSTM: checked arrays (x, a0, W*, b*), the head, a loss weight."""
    rng = np.random.default_rng(seed)
    n_x, n_a, m, steps = 2, 3, 2, 3
    arrays = {
        "x": rng.standard_normal((n_x, m, steps)),
        "a0": 0.5 * rng.standard_normal((n_a, m)),
    }
    for gate in "fico":
        arrays[f"W{gate}"] = 0.5 * rng.standard_normal((n_a, n_a + n_x))
        arrays[f"b{gate}"] = 0.5 * rng.standard_normal((n_a, 1))
    head = {"Wy": rng.standard_normal((2, n_a)), "by": rng.standard_normal((2, 1))}
    return arrays, head, rng.standard_normal((n_a, m, steps))


@pytest.mark.parametrize("seed", [0, 1])
def test_rnn_backward_against_central_differences(seed: int) -> None:
    arrays, head, weight = small_rnn(seed)

    def loss(probe: Params) -> float:
        a, _, _ = course.rnn_forward(probe["x"], probe["a0"], probe | head)
        return float(np.sum(weight * a))

    _, _, caches = course.rnn_forward(arrays["x"], arrays["a0"], arrays | head)
    grads = course.rnn_backward(weight, caches)
    assert worst_relative_error(loss, arrays, grads) <= gradcheck.TOLERANCE


@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_backward_against_central_differences(seed: int) -> None:
    arrays, head, weight = small_lstm(seed)

    def loss(probe: Params) -> float:
        a, _, _, _ = course.lstm_forward(probe["x"], probe["a0"], probe | head)
        return float(np.sum(weight * a))

    _, _, _, caches = course.lstm_forward(arrays["x"], arrays["a0"], arrays | head)
    grads = course.lstm_backward(weight, caches)
    assert worst_relative_error(loss, arrays, grads) <= gradcheck.TOLERANCE


def test_lstm_cell_backward_against_central_differences() -> None:
    """One step, with gradients arriving at both a_next and c_next."""
    sequence, head, _ = small_lstm(2)
    rng = np.random.default_rng(3)
    arrays = {k: v for k, v in sequence.items() if k[0] in "Wb"}
    arrays |= {
        "xt": sequence["x"][:, :, 0],
        "a_prev": sequence["a0"],
        "c_prev": rng.standard_normal(sequence["a0"].shape),
    }
    da_next, dc_next = rng.standard_normal((2, *sequence["a0"].shape))

    def loss(probe: Params) -> float:
        a_next, c_next, _, _ = course.lstm_cell_forward(
            probe["xt"], probe["a_prev"], probe["c_prev"], probe | head
        )
        return float(np.sum(da_next * a_next) + np.sum(dc_next * c_next))

    _, _, _, cache = course.lstm_cell_forward(
        arrays["xt"], arrays["a_prev"], arrays["c_prev"], arrays | head
    )
    grads = course.lstm_cell_backward(da_next, dc_next, cache)
    assert worst_relative_error(loss, arrays, grads) <= gradcheck.TOLERANCE


# --- the bridge is the generated code -----------------------------------------------


def in_course_layout(
    generated: dict[str, Any], split: Callable[[Any, Any, int], Params]
) -> Params:
    """The generated gradients, transposed and split into the course's names."""
    return {
        "dx": generated["d_x"].transpose(2, 0, 1),
        "da0": generated["d_h0"].T,
        **split(generated["d_weight"], generated["d_bias"], 3),
    }


class StackedSequence:
    """A cell over a whole sequence through the driver, on the course's stacked weight."""

    def __init__(self, name: str) -> None:
        self.cell = bptt.Cell.of(generated.load(name))

    def forward(self, x: Array, *args: Array) -> tuple[Any, ...]:
        *states, weight, bias = args
        hidden = states[0].shape[1]
        params = {"W_h": weight[:hidden], "W_x": weight[hidden:], "b_x": bias}
        initial = dict(zip(self.cell.states, states, strict=True))
        hs, finals, cache = self.cell.forward(x, initial, params)
        return hs, tuple(finals[s] for s in self.cell.states), cache

    def backward(self, d_hs: Array, cache: bptt.Cache) -> dict[str, Array]:
        grads = self.cell.backward(d_hs, cache)
        result = {f"d_{k}": v for k, v in grads.items()}
        result["d_weight"] = np.concatenate((grads["W_h"], grads["W_x"]))
        result["d_bias"] = grads["b_x"]
        return result


generated_lstm = StackedSequence("lstm")
generated_rnn = StackedSequence("rnn")


def test_lstm_bridge_equals_the_generated_sequence_code() -> None:
    """Transposed, the bridge's a, c and gradients are generated.lstm's own."""
    arrays, head, da = small_lstm(4)
    x, a0 = arrays["x"], arrays["a0"]
    a, _, c, caches = course.lstm_forward(x, a0, arrays | head)
    grads = course.lstm_backward(da, caches)
    weight, bias = layout.lstm_weights(arrays)
    batch_first = x.transpose(1, 2, 0)
    hs, (_, c_last), cache = generated_lstm.forward(
        batch_first, a0.T, np.zeros_like(a0.T), weight, bias
    )
    assert_close(a, hs.transpose(2, 0, 1))
    assert_close(c[:, :, -1], c_last.T)
    generated = generated_lstm.backward(da.transpose(1, 2, 0), cache)
    assert_same_arrays(grads, in_course_layout(generated, layout.lstm_gradients))


def test_rnn_bridge_equals_the_generated_sequence_code() -> None:
    arrays, head, da = small_rnn(5)
    x, a0 = arrays["x"], arrays["a0"]
    a, _, caches = course.rnn_forward(x, a0, arrays | head)
    grads = course.rnn_backward(da, caches)
    weight, bias = layout.rnn_weights(arrays)
    hs, _, cache = generated_rnn.forward(x.transpose(1, 2, 0), a0.T, weight, bias)
    assert_close(a, hs.transpose(2, 0, 1))
    generated = generated_rnn.backward(da.transpose(1, 2, 0), cache)
    assert_same_arrays(grads, in_course_layout(generated, layout.rnn_gradients))


def test_backward_accepts_plain_course_tuples() -> None:
    """Caches from another implementation (plain tuples): the same gradients."""
    x, a0, parameters = lstm_sequence_snippet()
    _, _, _, caches = course.lstm_forward(x, a0, parameters)
    _, _, _, ref_caches = ref.lstm_forward(x, a0, parameters)
    da = np.random.RandomState(2).randn(5, 10, 7)
    assert_same_arrays(
        course.lstm_backward(da, ref_caches), course.lstm_backward(da, caches)
    )
    x, a0, parameters = rnn_sequence_snippet()
    _, _, caches = course.rnn_forward(x, a0, parameters)
    _, _, ref_caches = ref.rnn_forward(x, a0, parameters)
    da = np.random.RandomState(3).randn(5, 10, 4)
    assert_same_arrays(
        course.rnn_backward(da, ref_caches), course.rnn_backward(da, caches)
    )


def test_rnn_backward_takes_a_shorter_da_and_refuses_a_longer_one() -> None:
    x, a0, parameters = rnn_sequence_snippet()
    _, _, caches = course.rnn_forward(x, a0, parameters)
    da = np.random.RandomState(4).randn(5, 10, 3)
    padded = np.concatenate((da, np.zeros((5, 10, 1))), axis=2)
    short, full = course.rnn_backward(da, caches), course.rnn_backward(padded, caches)
    np.testing.assert_array_equal(full["dx"][:, :, 3], 0.0)
    full["dx"] = full["dx"][:, :, :3]
    assert_same_arrays(short, full)
    with pytest.raises(ValueError, match="5 time steps but the forward pass ran 4"):
        course.rnn_backward(np.zeros((5, 10, 5)), caches)


# --- layout and head ------------------------------------------------------------------


def test_stacked_weights_split_back_into_the_course_matrices() -> None:
    """lstm_gradients undoes lstm_weights (and likewise for the RNN), block by block."""
    arrays, _, _ = small_lstm(6)
    weight, bias = layout.lstm_weights(arrays)
    assert weight.shape == (3 + 2, 4 * 3)
    split = layout.lstm_gradients(weight, bias, 3)
    for gate in "fico":
        np.testing.assert_array_equal(split[f"dW{gate}"], arrays[f"W{gate}"])
        np.testing.assert_array_equal(split[f"db{gate}"], arrays[f"b{gate}"])
    rnn_arrays, _, _ = small_rnn(6)
    weight, bias = layout.rnn_weights(rnn_arrays)
    split = layout.rnn_gradients(weight, bias, 3)
    for name in ("Waa", "Wax", "ba"):
        np.testing.assert_array_equal(split[f"d{name}"], rnn_arrays[name])


def test_softmax_is_stable_for_large_logits() -> None:
    z = np.array([[1000.0, -1000.0], [999.0, -1001.0], [0.0, 5.0]])
    p = course.softmax(z)  # an overflow would raise: warnings are errors
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p[:2, 0], [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))])
    np.testing.assert_allclose(course.softmax(z[:, 1:] - 3), p[:, 1:], rtol=1e-14)
