"""The chapters' downloadable notebooks read cleanly in plain Jupyter, in the page's language.

``docs/_ext/notebook_downloads.py`` writes them during the html build; ``nox -s
notebooks`` runs them in a fresh venv. This checks what they contain: no MyST
left (roles, directives, labels, the ``myst_nb`` import), the install line at the
top, the build's outputs, and on the Chinese site Chinese prose.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from book_pages import chapter_names
from test_translated import untranslated

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
CHAPTERS = chapter_names()
LANGUAGES = ("en", "zh_CN")
INSTALL = 'pip install "lstm-book[notebooks]"'
MYST_LEFTOVERS = {
    "role": re.compile(r"\{[a-z][\w:-]*\}`"),
    "directive": re.compile(r"^(```|:::)\s*\{", re.MULTILINE),
    "label": re.compile(r"^\([^()\s]+\)=\s*$|^\$\$\s*\(", re.MULTILINE),
    "macro": re.compile(r"\\(sigmoid|hadamard|pd|loss|transpose)(?![A-Za-z])"),
}
FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.MULTILINE | re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
VERBATIM_INLINE = re.compile(r"`[^`]*`|\$[^$]+\$|\]\([^)]*\)|<[^>]+>")


def notebook(language: str, chapter: str) -> nbformat.NotebookNode:
    """The downloaded notebook of a chapter (fails or skips when not built)."""
    path = SITE / language / "_sources" / f"{chapter}.ipynb"
    if not path.is_file():
        message = f"{path} is not built: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return nbformat.read(path, as_version=4)


def prose_paragraphs(markdown: str) -> list[str]:
    """The paragraphs of a markdown cell outside code and maths."""
    text = DISPLAY_MATH.sub("", FENCE.sub("", markdown))
    paragraphs = (VERBATIM_INLINE.sub("", p) for p in re.split(r"\n\s*\n", text))
    return [p.strip() for p in paragraphs if p.strip()]


def test_prose_paragraphs_leave_code_and_maths_out() -> None:
    markdown = (
        "The forget gate scales the state.\n\n```python\nprint('so much English')\n```"
        "\n\n$$\n\\text{and a formula in English words}\n$$\n\n门 `with inline code here`"
    )
    assert prose_paragraphs(markdown) == ["The forget gate scales the state.", "门"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_is_plain_jupyter(language: str, chapter: str) -> None:
    cells = notebook(language, chapter).cells
    assert cells[0].cell_type == "markdown"
    assert INSTALL in cells[0].source
    markdown = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    for what, pattern in MYST_LEFTOVERS.items():
        assert not pattern.search(markdown), f"{what}: {pattern.search(markdown)}"
    code = [c for c in cells if c.cell_type == "code"]
    assert not any("myst_nb" in c.source for c in code)
    # the build's results: code outputs, or glued figures and tables in the text
    shown = sum(bool(c.outputs) for c in code) + sum(
        bool(c.get("attachments")) or "<table" in c.source or "| --- |" in c.source
        for c in cells
        if c.cell_type == "markdown"
    )
    assert shown >= 1, "the build's outputs are missing"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chinese_notebook_is_in_chinese(chapter: str) -> None:
    english = [
        paragraph[:120]
        for cell in notebook("zh_CN", chapter).cells
        if cell.cell_type == "markdown"
        for paragraph in prose_paragraphs(cell.source)
        if untranslated(paragraph)
    ]
    assert not english, english


def code_without_comments(source: str) -> str:
    """A code cell's source without its comment lines (those are translated)."""
    return "\n".join(
        line for line in source.split("\n") if not line.lstrip().startswith("#")
    )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_both_languages_run_the_same_code(chapter: str) -> None:
    sources = [
        [
            code_without_comments(cell.source)
            for cell in notebook(language, chapter).cells
            if cell.cell_type == "code"
        ]
        for language in LANGUAGES
    ]
    assert sources[0] == sources[1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_download_button_gives_the_clean_notebook(language: str) -> None:
    page = SITE / language / f"{CHAPTERS[0]}.html"
    if not page.is_file():
        pytest.skip(f"{page} is not built")
    links = re.findall(r'href="([^"]+\.ipynb)"', page.read_text(encoding="utf-8"))
    assert links, "no .ipynb download link on the page"
    target = (page.parent / links[0]).resolve()
    assert target == (SITE / language / "_sources" / f"{CHAPTERS[0]}.ipynb")
    assert INSTALL in nbformat.read(target, as_version=4).cells[0].source
