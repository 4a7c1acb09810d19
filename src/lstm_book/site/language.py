"""The languages the site's figures and tables are made in, and where each is glued.

A chapter makes every figure and table once per language and glues them under two
keys: ``name`` (English) and ``name-zh`` (Simplified Chinese). The site's Chinese
build pastes ``name-zh`` wherever a page pastes ``name`` (``docs/conf.py``), so both
languages come from one execution of the chapter.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

from lstm_derive.diagram import Words

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")
# Latin letters and digits in the usual font; Chinese characters fall back to Noto
# Sans CJK (Debian's fonts-noto-cjk, installed by `nox -s system-deps`).
FONT_FAMILY = ["DejaVu Sans", "Noto Sans CJK SC"]
# PNG text chunks of a FigureImage: the site's tests read them back.
LANGUAGE_KEY = "lstm-derive:language"
WORDS_KEY = "lstm-derive:words"
# Names written alike in both languages (the Chinese text of the site keeps them).
SHARED_NAMES = frozenset(
    {
        "sigmoid",
        "tanh",
        "ReLU",
        "LSTM",
        "RNN",
        "GRU",
        "MGU",
        "Reber",
        "sin",
        "MSE",
        "Adam",
        "NumPy",
        "Numba",
        "oneDNN",
        "PyTorch",
        "torch",
        "GEMM",
        "MiB",
        "float",
    }
)
# A spec's note (shown beside its equation and in the cell diagram) reads "what,
# detail, ...": the "what" in Chinese with the glossary's terms, then the details.
NOTE_WORDS = {
    "forget gate": "遗忘门",
    "input gate": "输入门",
    "output gate": "输出门",
    "candidate": "候选记忆元",
    "candidate hidden state": "候选隐状态",
    "cell state": "记忆元",
    "hidden state": "隐状态",
    "reset gate": "重置门",
    "update gate": "更新门",
    "the gated previous state": "门控后的上一隐状态",
    "the reset previous state": "重置后的上一隐状态",
}
NOTE_DETAILS = {
    "rectified": "经 ReLU 整流",
    "peeking at the previous cell state": "经窥视孔读取上一步的记忆元",
    "peeking at the new cell state": "经窥视孔读取新的记忆元",
    "reading the previous gates and cell state": "读取上一步的各个门和记忆元",
    "reading the previous gates and the new cell state": "读取上一步的各个门和新的记忆元",
    "the cell state unsquashed": "记忆元不经 tanh 压缩",
    "multiplied by W_fh": "再乘以 W_fh",
    "multiplied by W_rh": "再乘以 W_rh",
}
MATHS = re.compile(r"\$[^$]*\$")
WORD = re.compile(r"[A-Za-z]{3,}")
# snake_case identifiers are code, not prose: the names of cells and functions
CODE_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CELL_NAMES = frozenset({"rnn", "lstm", "gru", "mgu"})


def glue_key(name: str, language: Language) -> str:
    """The glue key of ``name`` made in ``language``: ``name`` or ``name-zh``."""
    return name if language == "en" else f"{name}-{language}"


def english_words(text: str) -> list[str]:
    """The English words in ``text``: maths (``$...$``), SHARED_NAMES and code names
    (a cell's name such as ``lstm`` or ``greff_nig``) left out."""
    text = CODE_NAME.sub(" ", MATHS.sub(" ", text))
    return [
        word
        for word in WORD.findall(text)
        if word not in SHARED_NAMES and word not in CELL_NAMES
    ]


def note_in(note: str, language: Language) -> str:
    """A spec's note in ``language``; '' when a part of it has no Chinese yet.

    An untranslated note is left out rather than shown in English on a Chinese
    page (``tests/test_note_language.py`` checks that every shipped spec's notes
    translate).
    """
    if language == "en" or not note:
        return note
    what, *details = (part.strip() for part in note.split(","))
    parts = [NOTE_WORDS.get(what), *(NOTE_DETAILS.get(d) for d in details)]
    if any(part is None for part in parts):
        return ""
    return "，".join(part for part in parts if part)


@contextmanager
def figure_fonts() -> Iterator[None]:
    """Create figures inside this block so that their text can hold Chinese."""
    with mpl.rc_context({"font.family": FONT_FAMILY}):
        yield


def drawn_words(figure: Figure) -> list[str]:
    """Every non-empty text drawn on ``figure``: titles, labels, legends, ticks."""
    texts = (text.get_text() for text in figure.findobj(Text))
    return [text for text in texts if text.strip()]


class FigureImage:
    """A figure shown as a PNG that records its language and the words drawn on it.

    Glue one of these instead of the bare figure: the PNG's text chunks name the
    language and list every text of the figure, so a test of the built site can
    check that a Chinese page shows no English axis label.
    """

    def __init__(self, figure: Figure, language: Language) -> None:
        """Wrap ``figure``, drawn in ``language``."""
        self.figure = figure
        self.language = language

    def _repr_png_(self) -> bytes:
        """The PNG that IPython (and so myst-nb's glue) displays."""
        buffer = io.BytesIO()
        metadata = {
            LANGUAGE_KEY: self.language,
            WORDS_KEY: "\n".join(drawn_words(self.figure)),
        }
        self.figure.savefig(
            buffer, format="png", bbox_inches="tight", metadata=metadata
        )
        return buffer.getvalue()


def diagram_words(language: Language) -> Words:
    """The cell diagram's words in ``language`` (:func:`lstm_derive.diagram.cell_diagram`)."""
    if language == "en":
        return Words(fonts=tuple(FONT_FAMILY))
    return Words(
        input="输入",
        previous="上一状态",
        legend="红色边框：新状态，传给下一步",
        notes=NOTE_WORDS,
        fonts=tuple(FONT_FAMILY),
    )
