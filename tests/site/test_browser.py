"""The built site in headless Chromium: maths, fonts, language switcher, search.

Every test also fails on a console error or on a request to any host but 127.0.0.1
(see the ``watched`` fixture).

The site must be built first (`nox -s docs site`). A missing site or browser skips
these tests locally with a clear message and fails them in CI (``CI`` or
``LSTM_DERIVE_REQUIRE_ALL`` set).
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
LANGUAGES = ("en", "zh_CN")
CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOST = "127.0.0.1"


def skip_or_fail(message: str) -> None:
    """Skip on a developer's machine; fail in CI, where everything must be there."""
    if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder (docs/_build/html)."""
    if not all((SITE / language / "index.html").is_file() for language in LANGUAGES):
        skip_or_fail(f"no built site in {SITE}: run `nox -s docs site`")
    return SITE


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing."""


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 at a free port, for the whole session."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, driven by Playwright."""
    if not CHROMIUM.is_file():
        skip_or_fail(f"{CHROMIUM} is missing: run `nox -s system-deps`")
    try:
        sync_api = importlib.import_module("playwright.sync_api")
    except ImportError as error:
        skip_or_fail(f"playwright is not installed ({error}): run `nox -s site`")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A browser page with what it did wrong: console errors and foreign requests."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser: Any, site_url: str) -> Iterator[Watched]:
    """A fresh page that blocks every request not to 127.0.0.1 and records errors.

    The test fails afterwards if the page logged a console error, threw, or asked
    for anything from another host.
    """
    context = browser.new_context(locale="en-US", base_url=site_url)
    page = context.new_page()
    result = Watched(page)

    def route(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            result.foreign_requests.append(url)
            route.abort()

    context.route("**/*", route)
    page.on(
        "console",
        lambda message: (
            result.console_errors.append(message.text)
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: result.console_errors.append(str(error)))
    try:
        yield result
    finally:
        context.close()
    assert result.foreign_requests == [], "requests to other hosts"
    assert result.console_errors == [], "console errors"


START = "chapters/01_start_here.html"
# A page per depth: the root page, a chapter one folder down, a reference page.
PAGES = ("index.html", START, "glossary.html")


def test_maths_is_typeset_with_the_sites_own_fonts(watched: Any) -> None:
    page = watched.page
    page.goto(f"/en/{START}")
    page.wait_for_selector("mjx-container", timeout=20_000)
    assert "$$" not in page.inner_text("main")
    assert page.locator("mjx-container[display='true']").count() >= 1
    # MathJax's CHTML fonts are web fonts named MJX-...: they must have loaded (from
    # _static/, the watched page blocks any other host).
    page.wait_for_function(
        """() => document.fonts.ready.then(() => [...document.fonts].some(
               (face) => face.status === "loaded" && /mjx/i.test(face.family)))""",
        timeout=20_000,
    )
    equation_number = page.locator("span.eqno").first.inner_text()
    assert equation_number.startswith("(1")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("language", "other", "label"),
    [("en", "zh_CN", "简体中文"), ("zh_CN", "en", "English")],
)
def test_language_switcher_lands_on_the_same_page(
    watched: Any, path: str, language: str, other: str, label: str
) -> None:
    page = watched.page
    page.goto(f"/{language}/{path}")
    page.locator(".lstm-language-switcher").get_by_text(label, exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{other}/{path}")
    assert page.locator("html").get_attribute("lang") == other.replace("_", "-")


def pages_about(site: Path, word: str) -> set[str]:
    """The zh_CN pages whose article text (not the navigation) contains ``word``."""
    found = set()
    for page in (site / "zh_CN").rglob("*.html"):
        path = page.relative_to(site / "zh_CN").as_posix()
        if path.split("/")[0].startswith("_") or path in {
            "search.html",
            "genindex.html",
        }:
            continue
        html = page.read_text(encoding="utf-8")
        article = html.partition('<article class="bd-article"')[2].partition(
            "</article>"
        )[0]
        if word in article:
            found.add(path)
    return found


def test_chinese_search_finds_every_page_about_the_forget_gate(
    watched: Any, site: Path
) -> None:
    expected = pages_about(site, "遗忘门")
    assert "glossary.html" in expected
    assert expected <= search_results(watched.page, "遗忘门")


def search_results(page: Any, query: str) -> set[str]:
    """The pages the Chinese site's search lists for ``query``."""
    page.goto(f"/zh_CN/search.html?q={query}")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=20_000)
    page.wait_for_selector("#search-results .search-summary", timeout=20_000)
    return {
        (results.nth(i).get_attribute("href") or "").split("#")[0].split("?")[0]
        for i in range(results.count())
    }


def test_d2l_zh_terms_find_the_pages_that_use_the_sites_terms(
    watched: Any, site: Path
) -> None:
    # d2l-zh says 记忆元 where this site says 细胞状态 (docs/conf.py SEARCH_ALIASES).
    expected = pages_about(site, "细胞状态")
    assert len(expected) >= 3
    assert expected <= search_results(watched.page, "记忆元")


def test_root_page_sends_a_chinese_browser_to_chinese(
    browser: Any, site_url: str
) -> None:
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{site_url}/index.html")
        page.wait_for_url("**/zh_CN/index.html")
    finally:
        context.close()


Box = dict[str, float]
WIDTHS = (1280, 390)  # a desktop and a phone
SEARCH = ".search-button-field, .search-button, input[type='search']"


def overlap(a: Box, b: Box) -> bool:
    """Whether two bounding boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def inside(inner: Box, outer: Box) -> bool:
    """Whether ``inner`` lies within ``outer`` (to half a pixel)."""
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def visible_boxes(page: Any, selector: str) -> list[Box]:
    """The bounding boxes of the visible elements that match ``selector``."""
    found = page.locator(selector)
    boxes = (found.nth(i).bounding_box() for i in range(found.count()))
    return [box for box in boxes if box and box["width"] > 0 and box["height"] > 0]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_one_search_and_the_switcher_sits_in_the_header(
    browser: Any, site_url: str, language: str, width: int
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, base_url=site_url
    )
    try:
        page = context.new_page()
        page.goto(f"/{language}/{START}")
        page.wait_for_load_state("load")
        assert len(visible_boxes(page, SEARCH)) == 1, "exactly one search"
        (switcher,) = visible_boxes(page, ".lstm-language-switcher")
        (header,) = visible_boxes(page, ".bd-header-article")
        (title,) = visible_boxes(page, "article h1")
        assert inside(switcher, header)
        assert not overlap(switcher, title)
        buttons = visible_boxes(page, ".article-header-buttons > *")
        assert buttons
        assert not any(overlap(switcher, button) for button in buttons)
        # Scrolled down: the switcher stays in the header, over no paragraph.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        page.wait_for_timeout(300)
        boxes = visible_boxes(page, ".lstm-language-switcher")
        header_boxes = visible_boxes(page, ".bd-header-article")
        paragraphs = visible_boxes(page, "article p")
        for box in boxes:
            assert any(inside(box, h) for h in header_boxes)
            assert not any(
                overlap(box, p)
                for p in paragraphs
                if not any(overlap(p, h) for h in header_boxes)
            )
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_is_wider_than_a_phone(
    browser: Any, site_url: str, site: Path, language: str
) -> None:
    pages = ["index.html", "glossary.html"] + [
        f"{folder}/{path.name}"
        for folder in ("chapters", "experiments")
        for path in sorted((site / language / folder).glob("*.html"))
    ]
    context = browser.new_context(
        viewport={"width": 390, "height": 800}, base_url=site_url
    )
    try:
        page = context.new_page()
        wide = {}
        for path in pages:
            page.goto(f"/{language}/{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[path] = width
        assert wide == {}, "pages that scroll sideways on a phone"
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_exercise_solution_opens_on_click_and_prints_open(
    watched: Any, language: str
) -> None:
    # Every chapter's exercises fold their solutions (sphinx-togglebutton's
    # dropdown admonition); tests/site/test_endings_built.py checks every page.
    page = watched.page
    page.goto(f"/{language}/chapters/05_deriving_gates.html")
    folded = ".admonition.dropdown.toggle-hidden"
    page.wait_for_selector(folded, state="attached")
    solution = page.locator(".admonition.dropdown").first
    body = solution.locator("p:not(.admonition-title)").first
    assert not body.is_visible(), "a solution shows before the reader asks for it"
    solution.locator(".admonition-title").click()
    page.wait_for_function(
        "() => !document.querySelector('.admonition.dropdown')"
        ".classList.contains('toggle-hidden')"
    )
    assert body.is_visible()
    solution.locator(".admonition-title").click()  # folded again, then printed
    page.wait_for_selector(folded, state="attached")
    page.emulate_media(media="print")
    assert body.is_visible(), "a folded solution is missing from the printout"
