"""Each language's whole site as one PDF: printed, typeset, linked from every page.

``nox -s docs`` (or ``nox -s pdf``) prints the singlehtml build with headless
Chromium; this reads the PDFs back with ``pdftotext`` (Debian ``poppler-utils``).
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from book_pages import chapter_names

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
LANGUAGES = ("en", "zh_CN")
CHAPTERS = chapter_names()
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)


def pdf_path(language: str) -> Path:
    """Where docs/_ext/site_pdf.py links the language's PDF."""
    return SITE / language / "_downloads" / f"lstm-derive-{language}.pdf"


def missing(message: str) -> None:
    """Fail in CI and under nox, skip on a developer's machine."""
    if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
        pytest.fail(message)
    pytest.skip(message)


@functools.cache
def pdf_text(language: str) -> str:
    """The PDF's text, whitespace removed (lines break anywhere in Chinese)."""
    path = pdf_path(language)
    if not path.is_file():
        missing(f"{path} is not built: run `nox -s docs site`")
    if shutil.which("pdftotext") is None:
        missing("pdftotext is missing: run `nox -s system-deps` (poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\s+", "", text)


def chapter_title(language: str, chapter: str) -> str:
    """The chapter's title as its built page shows it."""
    page = SITE / language / f"{chapter}.html"
    if not page.is_file():
        missing(f"{page} is not built: run `nox -s docs site`")
    heading = H1.search(page.read_text(encoding="utf-8"))
    assert heading, f"no <h1> in {page}"
    text = html.unescape(re.sub(r"<[^>]+>", "", heading[1]))
    return re.sub(r"\s+", "", text.replace("#", ""))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_pdf_holds_every_chapter(language: str, chapter: str) -> None:
    title = chapter_title(language, chapter)
    assert title in pdf_text(language), title


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_shows_typeset_maths_not_tex(language: str) -> None:
    text = pdf_text(language)
    # TeX the pages' maths is written in (the API reference quotes some \frac).
    for source in ("$$", r"\hadamard", r"\pd{", r"\left(", r"\mathcal"):
        assert source not in text, f"untypeset TeX {source!r} in the PDF"


def test_the_chinese_pdf_is_chinese() -> None:
    text = pdf_text("zh_CN")
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 5000


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_links_its_pdf(language: str) -> None:
    pages = [
        page
        for page in sorted((SITE / language).glob("**/*.html"))
        if "_static" not in page.relative_to(SITE).parts  # the theme's templates
    ]
    if not pages:
        missing(f"no pages in {SITE / language}: run `nox -s docs site`")
    target = pdf_path(language).resolve()
    unlinked = []
    for page in pages:
        links = re.findall(
            r'href="([^"]*lstm-derive-[\w]+\.pdf)"', page.read_text("utf-8")
        )
        if not any((page.parent / link).resolve() == target for link in links):
            unlinked.append(str(page.relative_to(SITE)))
    assert not unlinked, unlinked
