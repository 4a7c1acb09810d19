"""The built site without a browser: every chapter in both languages, no broken link."""

from __future__ import annotations

import functools
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_pages import chapter_names

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
LANGUAGES = ("en", "zh_CN")
CHAPTERS = chapter_names()


@pytest.fixture(scope="module")
def site() -> Path:
    """The built site (docs/_build/html): skipped locally if missing, failed in CI."""
    if not all((SITE / language / "index.html").is_file() for language in LANGUAGES):
        message = f"no built site in {SITE}: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return SITE


class LinkParser(HTMLParser):
    """The links (href, src) and the element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record ids and the targets of a, link, script, img and iframe."""
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("name"):
            self.ids.add(str(found["name"]))
        for attribute in ("href", "src"):
            value = found.get(attribute)
            if value and tag in {"a", "link", "script", "img", "iframe", "source"}:
                self.links.append(value)


@functools.cache
def parse(page: Path) -> LinkParser:
    """Parse one page (once per test session)."""
    parser = LinkParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_the_chapters_exist() -> None:
    assert CHAPTERS, "the index lists no chapter"
    assert all((ROOT / "docs" / f"{name}.md").is_file() for name in CHAPTERS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_is_built_in_every_language(
    site: Path, language: str, chapter: str
) -> None:
    page = site / language / f"{chapter}.html"
    assert page.is_file(), f"{page} is missing"
    assert f'lang="{language.replace("_", "-")}"' in page.read_text(encoding="utf-8")


def broken_links(site: Path, page: Path) -> list[str]:
    """The links of ``page`` whose file or #anchor does not exist in the site."""
    broken = []
    for link in parse(page).links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            continue  # another site: not ours to check (the browser test blocks it)
        target = page if not parts.path else (page.parent / unquote(parts.path))
        if parts.path.endswith("/"):
            target = target / "index.html"
        target = target.resolve()
        if not target.is_relative_to(site.resolve()) or not target.exists():
            broken.append(f"{link} (no file {target})")
        elif (
            parts.fragment
            and target.suffix == ".html"
            and unquote(parts.fragment) not in parse(target).ids
        ):
            broken.append(f"{link} (no anchor in {target.name})")
    return broken


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_broken_internal_link(site: Path, language: str) -> None:
    # _static/ holds the theme's template files, copied as they are: not pages.
    pages = sorted(
        page
        for page in (site / language).rglob("*.html")
        if "_static" not in page.relative_to(site).parts
    )
    assert pages
    broken = {
        str(page.relative_to(site)): links
        for page in pages
        if (links := broken_links(site, page))
    }
    assert broken == {}


def test_the_root_page_links_to_both_languages(site: Path) -> None:
    root = site / "index.html"
    assert broken_links(site, root) == []
    assert {f"{language}/index.html" for language in LANGUAGES} <= set(
        parse(root).links
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_chapter_offers_its_notebook(site: Path, language: str) -> None:
    for chapter in CHAPTERS:
        notebook = site / language / "_sources" / f"{chapter}.ipynb"
        assert notebook.is_file(), f"{notebook} is missing"
        page = site / language / f"{chapter}.html"
        assert f"{notebook.name}" in page.read_text(encoding="utf-8")
