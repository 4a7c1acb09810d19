"""Every figure and table the chapters show is made in English and in Chinese.

The figure functions take a ``language``; a Chinese figure has Chinese labels and no
English word. A FigureImage's PNG names its language and lists its words, which the
site's tests read back from the built Chinese pages.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from lstm_book import course
from lstm_book.experiments.binary_addition import plots as addition_plots
from lstm_book.experiments.binary_addition.report_setup import History
from lstm_book.experiments.binary_addition.width import WidthAccuracy
from lstm_book.experiments.course_bridge import printed, snippets
from lstm_book.experiments.toy_tasks import plots as toy_plots
from lstm_book.experiments.toy_tasks.copy_reverse import LengthAccuracy
from lstm_book.experiments.toy_tasks.minimal_example import MinimalExampleRun
from lstm_book.experiments.toy_tasks.sine import SineCurves
from lstm_book.site.language import (
    LANGUAGE_KEY,
    WORDS_KEY,
    FigureImage,
    Language,
    drawn_words,
    english_words,
    glue_key,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def every_figure(language: Language) -> dict[str, Figure]:
    """Each figure function of the experiments, drawn from small made-up results."""
    history = History([0.3, 0.2], [0.4, 0.3], [0.1, 0.5], [0.1, 0.4])
    lengths = np.arange(1, 6)
    accuracy = LengthAccuracy(lengths, np.linspace(1, 0.5, 5), np.linspace(1, 0.1, 5))
    widths = np.array([4, 8, 16])
    run = MinimalExampleRun(
        cell="lstm",
        initialisation="default",
        losses=np.array([1.0, 0.5, 0.1]),
        predictions=np.zeros((3, 4)),
        seconds=0.0,
    )
    x = np.linspace(0, 6, 30)
    curves = SineCurves(x, np.sin(x), np.sin(x), np.sin(x), warm_up=10)
    label = {"en": "the original", "zh": "原项目"}[language]
    return {
        "history": addition_plots.history_figure({100: history}, "loss", language),
        "accuracy history": addition_plots.history_figure(
            {100: history}, "accuracy", language
        ),
        "width": addition_plots.width_figure(
            {label: WidthAccuracy(widths, np.ones(3), widths)}, language
        ),
        "minimal example": toy_plots.minimal_example_figure({label: run}, language),
        "sine": toy_plots.sine_figure(curves, language),
        "accuracy": toy_plots.accuracy_figure(
            {"copy": accuracy, "reverse": accuracy}, 3, language
        ),
    }


@pytest.mark.parametrize("name", list(every_figure("zh")))
def test_a_chinese_figure_has_chinese_labels_and_no_english_word(name: str) -> None:
    words = drawn_words(every_figure("zh")[name])
    assert words, "the figure has no text"
    assert [w for w in words if english_words(w)] == []
    assert any(CJK.search(w) for w in words)


@pytest.mark.parametrize("name", list(every_figure("en")))
def test_an_english_figure_has_no_chinese(name: str) -> None:
    words = drawn_words(every_figure("en")[name])
    assert [w for w in words if CJK.search(w)] == []
    assert any(english_words(w) for w in words)


def test_the_english_word_detector_skips_maths_and_shared_names() -> None:
    assert english_words("relative error") == ["relative", "error"]
    assert english_words(r"$\mathtt{weight}$ 生成的 LSTM, sin x") == []
    assert english_words("$x_t$ tolerance") == ["tolerance"]


def test_a_figure_image_records_its_language_and_words() -> None:
    figure = every_figure("zh")["sine"]
    words = drawn_words(figure)  # before drawing adds the tick labels
    png = FigureImage(figure, "zh")._repr_png_()
    with Image.open(io.BytesIO(png)) as image:
        text = dict(image.text)  # type: ignore[attr-defined]
    assert text[LANGUAGE_KEY] == "zh"
    assert text[WORDS_KEY].splitlines() == words
    assert "预测下一步" in words


def test_glue_keys_name_the_chinese_copy() -> None:
    assert glue_key("ch3_slopes", "en") == "ch3_slopes"
    assert glue_key("ch3_slopes", "zh") == "ch3_slopes-zh"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_course_comparison_headers_are_in_the_language(language: Language) -> None:
    xt, a_prev, c_prev, parameters = snippets.lstm_cell()
    a_next, c_next, yt, cache = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    names = {"a_next": a_next, "c_next": c_next, "yt": yt, "cache": cache}
    table = printed.comparison_html("lstm_cell_forward", names, language)
    headers = re.findall(r"<th>(.*?)</th>", table)
    assert len(headers) == 4
    if language == "zh":
        assert all(CJK.search(h) and not english_words(h) for h in headers)
    else:
        assert not any(CJK.search(h) for h in headers)
