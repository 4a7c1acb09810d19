"""Every built chapter, in both languages, ends with its summary and its exercises,
and every exercise's solution is collapsed (a sphinx-togglebutton dropdown).

``tests/test_chapter_endings.py`` checks the Markdown sources; this checks what a
reader gets: the headings in the page's language, the solutions folded on screen
and printed open in the PDFs (``tests/site/test_browser.py`` opens one with a
click in headless Chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from book_pages import chapter_names

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
CHAPTERS = chapter_names()
WORDS = {
    "en": {"summary": "Summary", "exercises": "Exercises", "exercise": "Exercise ",
           "solution": "Solution", "hint": "Click to show"},
    "zh_CN": {"summary": "小结", "exercises": "练习", "exercise": "练习 ",
              "solution": "解答", "hint": "点击显示"},
}  # fmt: skip


def built(language: str, chapter: str) -> str:
    """A built chapter's HTML: skipped locally if missing, failed in CI."""
    path = SITE / language / f"{chapter}.html"
    if not path.is_file():
        message = f"{path} is not built: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


def text(fragment: str) -> str:
    """The text of an HTML fragment, without the heading's link sign."""
    return re.sub(r"<[^>]+>", "", fragment).replace("#", "").strip()


def article(html: str) -> str:
    """The article of a page (not the navigation)."""
    return html.partition('<article class="bd-article"')[2].partition("</article>")[0]


@pytest.mark.parametrize("language", WORDS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_ends_with_summary_and_collapsed_exercises(
    language: str, chapter: str
) -> None:
    words = WORDS[language]
    page = article(built(language, chapter))
    h2 = [text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.DOTALL)]
    assert h2[-2:] == [words["summary"], words["exercises"]], f"{chapter}: {h2[-2:]}"
    exercises = page.rpartition("<h2")[2]  # the last H2 section, Exercises
    h3 = [text(h) for h in re.findall(r"<h3[^>]*>(.*?)</h3>", exercises, re.DOTALL)]
    assert 2 <= len(h3) <= 4, f"{chapter}: {h3}"
    assert all(title.startswith(words["exercise"]) for title in h3), h3
    admonitions = re.findall(
        r'<div class="([^"]*)"[^>]*>\s*<p class="admonition-title">(.*?)</p>',
        exercises,
        re.DOTALL,
    )
    dropdowns = [
        title
        for classes, title in admonitions
        if {"admonition", "dropdown"} <= set(classes.split())
    ]
    assert [text(t) for t in dropdowns] == [words["solution"]] * len(h3), chapter


@pytest.mark.parametrize("language", WORDS)
def test_the_toggle_hint_is_in_the_page_language(language: str) -> None:
    page = built(language, CHAPTERS[0])
    assert f"let toggleHintShow = '{WORDS[language]['hint']}';" in page


# A phrase of the first solution of derive/engine, as pdftotext reads it (spaces removed).
SOLUTION_PHRASES = {
    "en": "Theinputgateentersthelossonlythrough",
    "zh_CN": "输入门只通过",
}


@pytest.mark.parametrize("language", WORDS)
def test_the_pdf_prints_the_solutions(language: str) -> None:
    pdf = SITE / language / "_downloads" / f"lstm-derive-{language}.pdf"
    if not pdf.is_file() or shutil.which("pdftotext") is None:
        message = f"{pdf} or pdftotext is missing: run `nox -s system-deps docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert SOLUTION_PHRASES[language] in re.sub(r"\s+", "", text)
