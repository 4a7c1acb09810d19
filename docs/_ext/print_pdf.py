"""Print a ``singlehtml`` build of the site to PDF with headless Chromium.

``python docs/_ext/print_pdf.py <singlehtml folder> <output.pdf>`` (``nox -s pdf``)
serves the folder on a local port (MathJax loads its fonts over HTTP), waits until
MathJax has typeset every formula and the fonts and images have loaded, and prints
A4 pages with page numbers.
"""

from __future__ import annotations

import functools
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

# Debian's Chromium (`nox -s system-deps`); GitHub's Ubuntu runners have Chrome.
BROWSERS = ("/usr/bin/chromium", "/usr/bin/google-chrome")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    await document.fonts.ready;
    await Promise.all([...document.images].map((image) => image.decode().catch(() => {})));
    return document.querySelectorAll("mjx-container").length;
}"""
# Each chapter (a page the singlehtml build inlined after a "document-" anchor) starts
# a new sheet; a formula, figure or code block is never cut in two.
PRINT_CSS = """
span[id^="document-"] + section { break-before: page; }
pre, img, figure, mjx-container[display="true"], table { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
"""
FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #666;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging every request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


def browser_path() -> str:
    """The first Chromium or Chrome found."""
    for path in BROWSERS:
        if Path(path).exists():
            return path
    found = shutil.which("chromium") or shutil.which("google-chrome")
    if found is None:
        sys.exit("print_pdf: no Chromium found (run `nox -s system-deps`)")
    return found


def print_pdf(folder: Path, output: Path) -> int:
    """Print ``folder/index.html`` to ``output``; return the number of formulas."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=browser_path(), args=CHROMIUM_FLAGS
            )
            page = browser.new_page()
            page.emulate_media(media="print", color_scheme="light")
            page.goto(url, wait_until="load", timeout=120_000)
            page.add_style_tag(content=PRINT_CSS)
            formulas = int(page.evaluate(READY))
            page.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={
                    "top": "15mm",
                    "bottom": "15mm",
                    "left": "12mm",
                    "right": "12mm",
                },
            )
            browser.close()
    finally:
        server.shutdown()
    return formulas


def main(argv: list[str]) -> None:
    """Command line: the singlehtml folder, the PDF to write, and optionally
    ``--digest DIGEST STAMP``: write DIGEST to the file STAMP once the PDF is printed
    (noxfile.py prints a language again only when its singlehtml's digest changed)."""
    stamp: tuple[str, Path] | None = None
    if len(argv) == 5 and argv[2] == "--digest":
        stamp = (argv[3], Path(argv[4]))
        argv = argv[:2]
    if len(argv) != 2 or not (Path(argv[0]) / "index.html").is_file():
        sys.exit(
            "usage: print_pdf.py <singlehtml folder with index.html> <output.pdf>"
            " [--digest DIGEST STAMP]"
        )
    formulas = print_pdf(Path(argv[0]), Path(argv[1]))
    size = Path(argv[1]).stat().st_size / 1e6
    print(f"{argv[1]}: {size:.1f} MB, {formulas} formulas typeset")
    if stamp is not None:
        stamp[1].parent.mkdir(parents=True, exist_ok=True)
        stamp[1].write_text(stamp[0])


if __name__ == "__main__":
    main(sys.argv[1:])
