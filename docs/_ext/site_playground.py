"""Sphinx extension: the playground, where a reader edits a cell and derives it.

Two directives, each on a line of its own in a chapter:

- ``{playground}`` places the playground (``docs/_static/playground/``: the page's
  script starts Python in a worker and shows the results). Its Python, SymPy and
  the library's sources are one copy for both languages, ``_playground/`` beside
  ``en/`` and ``zh_CN/`` (staged by ``stage_playground`` in ``noxfile.py``),
  reached by a relative URL;
- ``{edit-cell} lstm`` links the page that holds the playground, with that cell
  loaded into its editor (``?cell=lstm``), wherever that page is.

The playground needs the website: the PDF (the singlehtml build) shows a line
saying so in place of the playground and no link to it, and a downloaded notebook
the same line (:data:`ONLINE_ONLY`, used by ``myst_markdown``).
"""

from __future__ import annotations

import html
import posixpath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

ASSETS = "_playground"
"""The shared folder of Pyodide, the wheels and the library, beside the languages."""
ANCHOR = "playground"
ONLINE_ONLY = {
    "en": "The playground runs in the web version of this site only: it is not"
    " part of the PDF or of the downloaded notebook.",
    "zh_CN": "练习场只能在本网站的网页版中运行：PDF 和下载的笔记本中没有它。",
}
EDIT_LINK = {
    "en": "Edit this cell in the playground",
    "zh_CN": "在练习场中编辑这个单元",
}
NOSCRIPT = {
    "en": "The playground needs JavaScript.",
    "zh_CN": "练习场需要启用 JavaScript。",
}


class playground_node(nodes.General, nodes.Element):
    """Where the playground (``cell`` unset) or a link to it (``cell`` set) goes."""


def _language(translator: Any) -> str:
    language = str(translator.builder.config.language or "en")
    return "zh_CN" if language.startswith("zh") else "en"


class PlaygroundDirective(SphinxDirective):
    """``{playground}``: the editor, the Derive button and the results."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """A node for the writer; the page is remembered for the links."""
        pages = _pages(self.env)
        pages[self.env.docname] = pages.get(self.env.docname, set()) | {"playground"}
        return [playground_node(cell="")]


class EditCellDirective(SphinxDirective):
    """``{edit-cell} <cell>``: a link to the playground with that cell loaded."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """A node for the writer; the link is resolved when the page is written."""
        pages = _pages(self.env)
        pages[self.env.docname] = pages.get(self.env.docname, set()) | {"link"}
        return [playground_node(cell=self.arguments[0])]


def _pages(env: BuildEnvironment) -> dict[str, set[str]]:
    """Pages with a playground or a link to it: ``{docname: {"playground", "link"}}``."""
    if not hasattr(env, "playground_pages"):
        env.playground_pages = {}  # type: ignore[attr-defined]
    pages: dict[str, set[str]] = env.playground_pages  # type: ignore[attr-defined]
    return pages


def purge(_app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a page that is read again."""
    _pages(env).pop(docname, None)


def merge(
    _app: Sphinx, env: BuildEnvironment, _docnames: set[str], other: BuildEnvironment
) -> None:
    """Gather what parallel readers found."""
    _pages(env).update(_pages(other))


def playground_page(env: BuildEnvironment) -> str | None:
    """The page that holds the playground."""
    found = sorted(d for d, kinds in _pages(env).items() if "playground" in kinds)
    return found[0] if found else None


def visit_html(translator: Any, node: playground_node) -> None:
    """The playground, or a link to it; in the PDF, a line or nothing."""
    language = _language(translator)
    builder = translator.builder
    online = builder.name == "html"
    if not node["cell"]:
        if not online:
            text = html.escape(ONLINE_ONLY[language])
            translator.body.append(f'<p class="playground-offline">{text}</p>\n')
            raise nodes.SkipNode
        depth = builder.current_docname.count("/") + 1
        assets = "../" * depth + f"{ASSETS}/"
        # The results are typeset by the page's MathJax: load it on this page.
        translator._has_maths_elements = True
        translator.body.append(
            f'<div id="{ANCHOR}" class="lstm-playground" data-assets="{assets}"'
            f' data-lang="{language}"><noscript><p>'
            f"{html.escape(NOSCRIPT[language])}</p></noscript></div>\n"
        )
        raise nodes.SkipNode
    target = playground_page(builder.env)
    if not online or target is None:
        raise nodes.SkipNode
    here = builder.get_target_uri(builder.current_docname)
    there = builder.get_target_uri(target)
    href = posixpath.relpath(there, posixpath.dirname(here) or ".")
    cell = html.escape(node["cell"])
    text = html.escape(EDIT_LINK[language])
    translator.body.append(
        f'<p class="playground-edit"><a class="reference internal"'
        f' href="{href}?cell={cell}#{ANCHOR}">{text}</a></p>\n'
    )
    raise nodes.SkipNode


def skip(_translator: Any, _node: playground_node) -> None:
    """Nothing in other formats (the playground needs a browser)."""
    raise nodes.SkipNode


def add_assets(
    app: Sphinx, pagename: str, _template: str, _context: dict[str, Any], _doctree: Any
) -> None:
    """The playground's script and style, on the page that holds it (and its links' style)."""
    kinds = _pages(app.env).get(pagename, set())
    if not kinds:
        return
    app.add_css_file("playground/playground.css")
    if "playground" in kinds and app.builder.name == "html":
        app.add_js_file("playground/playground.js", defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives, the node and the hooks."""
    app.add_node(
        playground_node,
        html=(visit_html, None),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_directive("playground", PlaygroundDirective)
    app.add_directive("edit-cell", EditCellDirective)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
