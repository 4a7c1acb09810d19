"""Why gates: the gradient from a late loss vanishes in a plain RNN, not along c."""

from __future__ import annotations

from lstm_book.experiments import vanishing
from lstm_book.site.language import drawn_words, english_words


def test_the_rnn_forgets_and_the_constant_error_carousel_does_not() -> None:
    norms = vanishing.all_norms(steps=60, hidden=16, batch=8)
    rnn = norms["rnn"]
    assert rnn[0] < 1e-8 * rnn[-1]  # vanished over 60 steps
    no_forget = norms["lstm without forget gate (1997)"]
    assert no_forget[0] > 1e-2 * no_forget[-1]  # carried by c_t = c_{t-1} + i g
    open_forget = norms["lstm, forget-gate bias 3"]
    assert open_forget[0] > 1e3 * norms["lstm"][0]  # the forget gate decides


def test_the_figure_speaks_the_page_language() -> None:
    norms = vanishing.all_norms(steps=5, hidden=3, batch=2)
    chinese = vanishing.norms_figure(norms, "zh")
    words = [w for text in drawn_words(chinese.figure) for w in english_words(text)]
    assert words == []
    assert chinese._repr_png_().startswith(b"\x89PNG")
