"""The built Chinese pages are in Chinese: no English paragraph is left in prose, no
English table header or figure label; the glossary shows both languages' terms.

``tests/test_translations.py`` checks the catalogs; this checks that the build used
them. Code, executed outputs and maths stay as they are in both languages.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from book_pages import chapter_names
from PIL import Image

from lstm_book.site.language import LANGUAGE_KEY, WORDS_KEY, english_words

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "docs" / "_build" / "html" / "zh_CN"
PAGES = [
    *(f"{name}.html" for name in chapter_names()),
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


def built(path: Path) -> str:
    """A built page's HTML: skipped locally if missing, failed in CI."""
    if not path.is_file():
        message = f"{path} is not built: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


def article(html: str) -> str:
    """The article of a page (not the navigation)."""
    return html.partition('<article class="bd-article"')[2].partition("</article>")[0]


def header_cells(html: str) -> list[str]:
    """The text of every table header cell in the article."""
    cells = re.findall(r"<th[^>]*>(.*?)</th>", article(html), flags=re.DOTALL)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


@pytest.mark.parametrize("page", PAGES)
def test_chinese_table_headers_are_chinese(page: str) -> None:
    english = [
        cell
        for cell in header_cells(built(ZH / page))
        if english_words(cell) and not CJK.search(cell)
    ]
    assert english == []


def test_the_gradient_check_table_has_chinese_headers() -> None:
    # The detector above needs tables to look at: the gradient check of the LSTM,
    # and of the blog's wrong backward pass in the appendix.
    pages = ("derive/gradient_check.html", "appendix/wrong_backward.html")
    cells = [cell for page in pages for cell in header_cells(built(ZH / page))]
    assert len(cells) == 10
    assert all(CJK.search(cell) for cell in cells)


def article_images(page: Path) -> list[Path]:
    """The image files the article of a built page shows."""
    sources = re.findall(r'<img[^>]+src="([^"]+)"', article(built(page)))
    return [(page.parent / unquote(src)).resolve() for src in sources]


def figure_text(image: Path) -> dict[str, str]:
    """The PNG text chunks of one image."""
    with Image.open(image) as png:
        return dict(getattr(png, "text", {}))


@pytest.mark.parametrize("page", PAGES)
def test_chinese_figures_are_drawn_in_chinese(page: str) -> None:
    for image in article_images(ZH / page):
        text = figure_text(image)
        assert text.get(LANGUAGE_KEY) == "zh", f"{image.name}: not a Chinese figure"
        english = [w for w in text[WORDS_KEY].splitlines() if english_words(w)]
        assert english == [], f"{image.name} has English labels"


def test_the_figures_of_both_languages_differ() -> None:
    chapter = "derive/activations.html"
    zh = article_images(ZH / chapter)
    en = article_images(ZH.parent / "en" / chapter)
    assert len(zh) == len(en) == 1
    assert figure_text(en[0])[LANGUAGE_KEY] == "en"
    assert "导数" in figure_text(zh[0])[WORDS_KEY]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_glossary_terms_show_both_languages(language: str) -> None:
    html = built(ZH.parent / language / "glossary.html")
    terms = [
        re.sub(r"<[^>]+>", "", term).rstrip("#¶ ")  # without the header link
        for term in re.findall(r"<dt[^>]*>(.*?)</dt>", article(html), flags=re.DOTALL)
    ]
    assert len(terms) >= 20
    shared = {"sigmoid", "tanh", "ReLU"}
    bilingual = [t for t in terms if CJK.search(t) and re.search(r"[A-Za-z]{3,}", t)]
    assert len(bilingual) == len([t for t in terms if t not in shared])
    expected = "forget gate (遗忘门)" if language == "en" else "遗忘门（forget gate）"
    assert any(expected in term for term in terms)


TEXT_IN_MATHS = re.compile(r"\\text\{([^{}]*)\}")


def display_maths_words(html: str) -> list[str]:
    r"""The ``\text{...}`` of every display formula of the article (glued ones too)."""
    blocks = re.findall(
        r'<div class="math[^"]*"[^>]*>(.*?)</div>', article(html), flags=re.DOTALL
    )
    return [word for block in blocks for word in TEXT_IN_MATHS.findall(block)]


@pytest.mark.parametrize("page", PAGES)
def test_chinese_display_maths_has_no_english_words(page: str) -> None:
    # Display maths stays out of the catalogs: words inside it, such as the spec's
    # notes beside the LSTM's equations, must be made in Chinese by the page.
    english = [w for w in display_maths_words(built(ZH / page)) if english_words(w)]
    assert english == [], english


def test_the_lstm_equations_carry_chinese_notes() -> None:
    # The detector above needs notes to look at: one beside each of six equations.
    notes = display_maths_words(built(ZH / "learn" / "lstm.html"))
    assert "（遗忘门）" in notes
    assert len([note for note in notes if CJK.search(note)]) >= 6, notes
    english = display_maths_words(built(ZH.parent / "en/learn/lstm.html"))
    assert "(forget gate)" in english
