"""The built Chinese pages are in Chinese: no English paragraph is left in prose.

``tests/test_translations.py`` checks the catalogs; this checks that the build used
them. Code, executed outputs and maths stay as they are in both languages.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "docs" / "_build" / "html" / "zh_CN"
PAGES = [
    *(f"chapters/{p.stem}.html" for p in sorted((ROOT / "docs/chapters").glob("*.md"))),
    "index.html",
    "glossary.html",
]
VERBATIM_TAGS = {"pre", "code", "script", "style"}
VERBATIM_CLASSES = {"cell_output", "math", "notranslate"}
VOID_TAGS = {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


class ProseParagraphs(HTMLParser):
    """The text of every ``<p>`` in the article, outside code, outputs and maths."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []  # (tag, verbatim)
        self.paragraphs: list[str] = []
        self.current: list[str] | None = None
        self.in_article = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Track verbatim regions and paragraph starts."""
        if tag in VOID_TAGS:
            return
        self.in_article |= tag == "article"
        classes = set((dict(attrs).get("class") or "").split())
        verbatim = (
            tag in VERBATIM_TAGS
            or bool(classes & VERBATIM_CLASSES)
            or bool(self.open and self.open[-1][1])
        )
        self.open.append((tag, verbatim))
        if tag == "p" and self.in_article and not verbatim:
            self.current = []

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost matching element; finish a paragraph."""
        while self.open and self.open.pop()[0] != tag:
            pass
        if tag == "p" and self.current is not None:
            self.paragraphs.append("".join(self.current))
            self.current = None
        if tag == "article":
            self.in_article = False

    def handle_data(self, data: str) -> None:
        """Collect prose text."""
        if self.current is not None and not (self.open and self.open[-1][1]):
            self.current.append(data)


def untranslated(paragraph: str) -> bool:
    """Four or more English words and not one Chinese character."""
    return len(ENGLISH_WORD.findall(paragraph)) >= 4 and not CJK.search(paragraph)


def test_the_detector_flags_english_and_passes_chinese() -> None:
    parser = ProseParagraphs()
    parser.feed(
        "<article><p>The forget gate scales the cell state.</p>"
        "<p>遗忘门缩放细胞状态 (forget gate, cell state, hidden state)。</p>"
        '<div class="cell_output"><p>printed by the code in English</p></div>'
        "<pre>some code stays as it is</pre></article>"
    )
    assert [untranslated(p) for p in parser.paragraphs] == [True, False]


@pytest.mark.parametrize("page", PAGES)
def test_chinese_page_has_no_english_paragraph(page: str) -> None:
    path = ZH / page
    if not path.is_file():
        message = f"{path} is not built: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    parser = ProseParagraphs()
    parser.feed(path.read_text(encoding="utf-8"))
    assert len(parser.paragraphs) >= 3, "no prose found: has the page layout changed?"
    english = [p.strip()[:120] for p in parser.paragraphs if untranslated(p)]
    assert not english, english
