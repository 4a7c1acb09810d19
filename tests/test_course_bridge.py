"""The course bridge's helpers: the course's snippets, printed values and errata.

lstm_book.course itself is tested in test_course.py; these tests pin what
chapter 10 of the site shows with the helpers of
``lstm_book.experiments.course_bridge``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_book import course
from lstm_book.experiments.course_bridge import printed, published, snippets


def test_course_snippets_reproduce_the_printed_forward_values() -> None:
    xt, a_prev, c_prev, parameters = snippets.lstm_cell()
    a_next, c_next, yt, cache = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    names = {"a_next": a_next, "c_next": c_next, "yt": yt, "cache": cache}
    assert printed.agreement("lstm_cell_forward", names) == (4, 4)
    table = printed.comparison_html("lstm_cell_forward", names)
    assert table.count("<tr>") == 1 + 4
    assert table.count("✓") == 4


def test_published_rnn_forward_returns_zeros() -> None:
    x, a0, parameters = snippets.rnn_sequence()
    a, y_pred, _ = published.published_rnn_forward(x, a0, parameters)
    assert not a.any()
    np.testing.assert_array_equal(y_pred, course.rnn_forward(x, a0, parameters)[1])


def test_published_gate_gradients_differ_where_the_text_is_wrong() -> None:
    xt, a_prev, c_prev, parameters, da_next, dc_next = snippets.lstm_cell_backward()
    *_, cache = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    text = published.published_gate_gradients(da_next, dc_next, cache)
    derived = published.derived_gate_gradients(da_next, dc_next, cache)
    np.testing.assert_allclose(text["dot"], derived["dot"], rtol=1e-12)
    for name in ("dcct", "dit", "dft"):
        assert np.max(np.abs(text[name] - derived[name])) > 0.1, name


def test_printed_lstm_backward_is_the_loop_without_recurrence() -> None:
    x, a0, parameters, da = snippets.lstm_backward()
    *_, caches = course.lstm_forward(x, a0, parameters)
    names = {"gradients": published.backward_without_recurrence(da, caches)}
    assert printed.agreement("lstm_backward", names) == (7, 10)
    padded = np.concatenate((da, np.zeros((5, 10, 3))), axis=2)
    gradient = course.lstm_backward(padded, caches)
    gradient["dx"] = gradient["dx"][:, :, :4]
    assert printed.agreement("lstm_backward", {"gradients": gradient}) == (0, 10)


def test_evaluate_accepts_indexing_only() -> None:
    assert printed.evaluate('g["a"][1]', {"g": {"a": [5, 6]}}) == 6
    with pytest.raises(ValueError, match="not an indexing expression"):
        printed.evaluate("__import__('os')", {})


def snippet_results(snippet: str) -> dict[str, Any]:
    """Run one of the course's snippets through lstm_book.course, names as printed."""
    if snippet == "rnn_cell_forward":
        a_next, yt_pred, _ = course.rnn_cell_forward(*snippets.rnn_cell())
        return {"a_next": a_next, "yt_pred": yt_pred}
    if snippet == "rnn_forward":
        a, y_pred, caches = course.rnn_forward(*snippets.rnn_sequence())
        return {"a": a, "y_pred": y_pred, "caches": caches}
    if snippet == "lstm_forward":
        a, y, c, lstm_caches = course.lstm_forward(*snippets.lstm_sequence())
        return {"a": a, "y": y, "c": c, "caches": lstm_caches}
    if snippet == "rnn_cell_backward":
        xt, a_prev, parameters, da_next = snippets.rnn_cell_backward()
        *_, cache = course.rnn_cell_forward(xt, a_prev, parameters)
        return {"gradients": course.rnn_cell_backward(da_next, cache)}
    if snippet == "rnn_backward":
        x, a0, parameters, da = snippets.rnn_backward()
        *_, caches = course.rnn_forward(x, a0, parameters)
        return {"gradients": course.rnn_backward(da, caches)}
    xt, a_prev, c_prev, parameters, da_next, dc_next = snippets.lstm_cell_backward()
    *_, lstm_cache = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    return {"gradients": course.lstm_cell_backward(da_next, dc_next, lstm_cache)}


@pytest.mark.parametrize(
    "snippet",
    [
        "rnn_cell_forward",
        "rnn_forward",
        "lstm_forward",
        "rnn_cell_backward",
        "rnn_backward",
        "lstm_cell_backward",
    ],
)
def test_every_printed_value_of_the_other_snippets_agrees(snippet: str) -> None:
    right, total = printed.agreement(snippet, snippet_results(snippet))
    assert right == total == len(printed.PRINTED[snippet])


def test_current_printed_lstm_backward_is_the_gradient_of_the_short_da() -> None:
    """The current edition's table: the gradient for the course's 4-step da, as is."""
    x, a0, parameters, da = snippets.lstm_backward()
    *_, caches = course.lstm_forward(x, a0, parameters)
    gradient = course.lstm_backward(da, caches)
    assert printed.agreement("lstm_backward_current", {"gradients": gradient}) == (
        10,
        10,
    )
    assert printed.agreement("lstm_backward", {"gradients": gradient}) == (0, 10)


NOTEBOOK = {
    "rnn_cell_forward": """
np.random.seed(1)
xt = np.random.randn(3, 10)
a_prev = np.random.randn(5, 10)
Waa = np.random.randn(5, 5)
Wax = np.random.randn(5, 3)
Wya = np.random.randn(2, 5)
ba = np.random.randn(5, 1)
by = np.random.randn(2, 1)
parameters = {"Waa": Waa, "Wax": Wax, "Wya": Wya, "ba": ba, "by": by}
a_next, yt_pred, cache = rnn_cell_forward(xt, a_prev, parameters)
""",
    "rnn_forward": """
np.random.seed(1)
x = np.random.randn(3, 10, 4)
a0 = np.random.randn(5, 10)
Waa = np.random.randn(5, 5)
Wax = np.random.randn(5, 3)
Wya = np.random.randn(2, 5)
ba = np.random.randn(5, 1)
by = np.random.randn(2, 1)
parameters = {"Waa": Waa, "Wax": Wax, "Wya": Wya, "ba": ba, "by": by}
a, y_pred, caches = rnn_forward(x, a0, parameters)
""",
    "lstm_cell_forward": """
np.random.seed(1)
xt = np.random.randn(3, 10)
a_prev = np.random.randn(5, 10)
c_prev = np.random.randn(5, 10)
Wf = np.random.randn(5, 5 + 3)
bf = np.random.randn(5, 1)
Wi = np.random.randn(5, 5 + 3)
bi = np.random.randn(5, 1)
Wo = np.random.randn(5, 5 + 3)
bo = np.random.randn(5, 1)
Wc = np.random.randn(5, 5 + 3)
bc = np.random.randn(5, 1)
Wy = np.random.randn(2, 5)
by = np.random.randn(2, 1)
parameters = {"Wf": Wf, "Wi": Wi, "Wo": Wo, "Wc": Wc, "Wy": Wy,
              "bf": bf, "bi": bi, "bo": bo, "bc": bc, "by": by}
a_next, c_next, yt, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)
""",
    "lstm_forward": """
np.random.seed(1)
x = np.random.randn(3, 10, 7)
a0 = np.random.randn(5, 10)
Wf = np.random.randn(5, 5 + 3)
bf = np.random.randn(5, 1)
Wi = np.random.randn(5, 5 + 3)
bi = np.random.randn(5, 1)
Wo = np.random.randn(5, 5 + 3)
bo = np.random.randn(5, 1)
Wc = np.random.randn(5, 5 + 3)
bc = np.random.randn(5, 1)
Wy = np.random.randn(2, 5)
by = np.random.randn(2, 1)
parameters = {"Wf": Wf, "Wi": Wi, "Wo": Wo, "Wc": Wc, "Wy": Wy,
              "bf": bf, "bi": bi, "bo": bo, "bc": bc, "by": by}
a, y, c, caches = lstm_forward(x, a0, parameters)
""",
    "rnn_cell_backward": """
np.random.seed(1)
xt = np.random.randn(3, 10)
a_prev = np.random.randn(5, 10)
Wax = np.random.randn(5, 3)
Waa = np.random.randn(5, 5)
Wya = np.random.randn(2, 5)
b = np.random.randn(5, 1)
by = np.random.randn(2, 1)
parameters = {"Wax": Wax, "Waa": Waa, "Wya": Wya, "ba": ba, "by": by}
a_next, yt, cache = rnn_cell_forward(xt, a_prev, parameters)
da_next = np.random.randn(5, 10)
gradients = rnn_cell_backward(da_next, cache)
""",
    "rnn_backward": """
np.random.seed(1)
x = np.random.randn(3, 10, 4)
a0 = np.random.randn(5, 10)
Wax = np.random.randn(5, 3)
Waa = np.random.randn(5, 5)
Wya = np.random.randn(2, 5)
ba = np.random.randn(5, 1)
by = np.random.randn(2, 1)
parameters = {"Wax": Wax, "Waa": Waa, "Wya": Wya, "ba": ba, "by": by}
a, y, caches = rnn_forward(x, a0, parameters)
da = np.random.randn(5, 10, 4)
gradients = rnn_backward(da, caches)
""",
    "lstm_cell_backward": """
np.random.seed(1)
xt = np.random.randn(3, 10)
a_prev = np.random.randn(5, 10)
c_prev = np.random.randn(5, 10)
Wf = np.random.randn(5, 5 + 3)
bf = np.random.randn(5, 1)
Wi = np.random.randn(5, 5 + 3)
bi = np.random.randn(5, 1)
Wo = np.random.randn(5, 5 + 3)
bo = np.random.randn(5, 1)
Wc = np.random.randn(5, 5 + 3)
bc = np.random.randn(5, 1)
Wy = np.random.randn(2, 5)
by = np.random.randn(2, 1)
parameters = {"Wf": Wf, "Wi": Wi, "Wo": Wo, "Wc": Wc, "Wy": Wy,
              "bf": bf, "bi": bi, "bo": bo, "bc": bc, "by": by}
a_next, c_next, yt, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)
da_next = np.random.randn(5, 10)
dc_next = np.random.randn(5, 10)
gradients = lstm_cell_backward(da_next, dc_next, cache)
""",
    "lstm_backward_current": """
np.random.seed(1)
x = np.random.randn(3, 10, 7)
a0 = np.random.randn(5, 10)
Wf = np.random.randn(5, 5 + 3)
bf = np.random.randn(5, 1)
Wi = np.random.randn(5, 5 + 3)
bi = np.random.randn(5, 1)
Wo = np.random.randn(5, 5 + 3)
bo = np.random.randn(5, 1)
Wc = np.random.randn(5, 5 + 3)
bc = np.random.randn(5, 1)
parameters = {"Wf": Wf, "Wi": Wi, "Wo": Wo, "Wc": Wc, "Wy": np.zeros((2, 5)),
              "bf": bf, "bi": bi, "bo": bo, "bc": bc, "by": np.zeros((2, 1))}
a, y, c, caches = lstm_forward(x, a0, parameters)
da = np.random.randn(5, 10, 4)
gradients = lstm_backward(da, caches)
""",
}
"""The course's test cells in its own style (global seed, star import), in the
notebook's order: they share one namespace, so ``rnn_cell_backward`` picks up the
``ba`` left over from ``rnn_forward``, as it does in the course."""


def test_the_course_notebook_cells_run_unchanged() -> None:
    notebook: dict[str, Any] = {}
    exec("import numpy as np\nfrom lstm_book.course import *", notebook)  # noqa: S102
    state = np.random.get_state()  # noqa: NPY002 (the course seeds the global one)
    try:
        for snippet, cell in NOTEBOOK.items():
            exec(cell, notebook)  # noqa: S102
            right, total = printed.agreement(snippet, notebook)
            assert right == total == len(printed.PRINTED[snippet]), snippet
    finally:
        np.random.set_state(state)  # noqa: NPY002
