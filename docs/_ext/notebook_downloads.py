"""Sphinx extension: each chapter's download button gives a clean notebook.

The notebook a reader downloads (``_sources/<page>.ipynb``, where the theme's
``.ipynb`` button points) is the executed chapter, rewritten for plain Jupyter or
Colab in the page's language:

- every markdown cell translated with the page's gettext catalog, its roles, glued
  values, labelled equations and LaTeX macros written out (:mod:`myst_markdown`);
- the outputs of the build's execution kept, myst-nb's hidden glue records dropped;
- ``from myst_nb import glue`` replaced by a small ``glue`` of the notebook's own,
  so that it runs in a fresh kernel after ``pip install "lstm-book[notebooks]"``,
  which its first cell says.
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from babel.messages.pofile import read_po
from jupyter_cache import get_cache
from myst_markdown import Page, plain_markdown
from myst_nb.ext.glue import extract_glue_data_cell
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util.i18n import docname_to_domain

INSTALL = 'pip install "lstm-book[notebooks]"'
PREAMBLE = {
    "en": (
        "*lstm-derive* · this chapter as a notebook, with the outputs of the site's"
        " build. To run it yourself, install the package and what the chapters use"
        f" (Python 3.11 or newer):\n\n```\n{INSTALL}\n```\n\n"
        '(or `pip install . "./src/lstm_book[notebooks]"` in a clone of the project), then run the'
        " cells from the top."
    ),
    "zh_CN": (
        "*lstm-derive* · 本章的笔记本版本，附有构建网站时得到的输出。"
        "若要自己运行，请先安装本项目及各章用到的库（需要 Python 3.11 或更高版本）：\n\n"
        f"```\n{INSTALL}\n```\n\n"
        '（或在项目的克隆目录中运行 `pip install . "./src/lstm_book[notebooks]"`），'
        "然后从头依次运行各个代码单元格。"
    ),
}
SETUP_CODE = {
    "en": "# On the site, glue() pastes a value into the text; here the text already\n"
    "# holds it, so glue() only shows the value when asked to.",
    "zh_CN": "# 在网站上，glue() 把数值填入正文；本笔记本的正文已含这些数值，\n"
    "# 因此这里的 glue() 只在需要时显示数值。",
}
GLUE_FALLBACK = '''

def glue(name, value, display=True):
    """Show ``value`` if ``display`` (myst-nb's glue without the site)."""
    if display:
        from IPython.display import display as show

        show(value)'''
MYST_NB_IMPORT = re.compile(r"^[ \t]*from myst_nb import glue[ \t]*\n?", re.MULTILINE)


def catalog(app: Sphinx, docname: str) -> dict[str, str]:
    """The translated messages of a page (none for the source language)."""
    language = str(app.config.language)
    domain = docname_to_domain(docname, app.config.gettext_compact)
    for locale_dir in app.config.locale_dirs:
        po = Path(app.srcdir, locale_dir, language, "LC_MESSAGES", f"{domain}.po")
        if po.is_file():
            with po.open("rb") as file:
                messages = read_po(file, locale=language)
            return {
                str(message.id): str(message.string)
                for message in messages
                if message.id and message.string and not message.fuzzy
            }
    return {}


def executed_notebook(app: Sphinx, pagename: str) -> nbformat.NotebookNode:
    """The chapter with its outputs, as the build executed it.

    myst-nb writes ``<page>.ipynb`` to its output folder, but without outputs when
    they came from the jupyter-cache; those are merged back from the cache.
    """
    config = app.env.mystnb_config  # type: ignore[attr-defined]
    notebook = nbformat.read(Path(config.output_folder, f"{pagename}.ipynb"), 4)
    if config.execution_mode != "cache":
        return notebook
    cache = get_cache(config.execution_cache_path or ".jupyter_cache")
    return cache.merge_match_into_notebook(notebook, nb_meta=("language_info",))[1]


def glue_data(
    notebook: nbformat.NotebookNode, store: Path
) -> dict[str, Mapping[str, Any]]:
    """Every glued value of an executed chapter (key -> mime bundle).

    They are outputs of the executed notebook; myst-nb also keeps them in
    ``<page>.glue.json`` beside the notebook it writes.
    """
    data: dict[str, Mapping[str, Any]] = {}
    if store.is_file():
        for key, output in json.loads(store.read_text(encoding="utf-8")).items():
            data[key] = output["data"]
    for cell in copy.deepcopy(notebook.cells):
        if cell.cell_type == "code":
            for key, output in extract_glue_data_cell(cell):
                data[key] = output["data"]
    return data


def equation_numbers(app: Sphinx) -> dict[str, str]:
    """Label -> number of every display equation, as the site numbers it."""
    labels: dict[str, str] = {}
    for label, (doc, number) in app.env.domains.math_domain.equations.items():
        numbers = app.env.toc_fignumbers.get(doc, {}).get("displaymath", {})
        figure = numbers.get(f"equation-{label}")
        labels[label] = ".".join(map(str, figure)) if figure else str(number)
    return labels


def doc_title(app: Sphinx, docname: str, target: str) -> str:
    """The (translated) title of the document a ``{doc}`` role names."""
    name = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
    title = app.env.titles.get(name.lstrip("/"))
    return title.astext() if title is not None else target


def ref_title(app: Sphinx, label: str) -> str:
    """The (translated) title of the section a ``{ref}`` role names."""
    labels = app.env.domains.standard_domain.labels
    return str(labels[label][2]) if label in labels else label


def clean_code_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A code cell without myst-nb: glue import gone, hidden glue records dropped."""
    clean = copy.deepcopy(cell)
    clean.source = MYST_NB_IMPORT.sub("", clean.source).lstrip("\n")
    outputs = []
    for output in clean.get("outputs", []):
        scrapbook = output.get("metadata", {}).pop("scrapbook", None)
        if scrapbook is not None and scrapbook.get("mime_prefix"):
            continue  # glue(..., display=False): the value lives in the text
        outputs.append(output)
    clean.outputs = outputs
    return clean


def clean_notebook(
    notebook: nbformat.NotebookNode, page: Page
) -> nbformat.NotebookNode:
    """The downloadable notebook of an executed chapter."""
    language = page.language if page.language in PREAMBLE else "en"
    cells = [
        nbformat.v4.new_markdown_cell(PREAMBLE[language]),
        nbformat.v4.new_code_cell(SETUP_CODE[language] + GLUE_FALLBACK),
    ]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            page.attachments.clear()
            markdown = nbformat.v4.new_markdown_cell(plain_markdown(cell.source, page))
            if page.attachments:
                markdown.attachments = dict(page.attachments)
            cells.append(markdown)
        elif cell.cell_type == "code":
            cells.append(clean_code_cell(cell))
        else:
            cells.append(copy.deepcopy(cell))
    metadata = {k: v for k, v in notebook.metadata.items() if k != "jupytext"}
    metadata["language"] = page.language
    clean = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(clean)
    return clean


def write_clean_notebook(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """Write the chapter's clean notebook where the download button points."""
    if app.builder.name != "html":
        return
    if NbMetadataCollector.get_exec_data(app.env, pagename) is None:  # type: ignore[arg-type]
        return
    notebook = executed_notebook(app, pagename)
    output_folder = app.env.mystnb_config.output_folder  # type: ignore[attr-defined]
    tex = (
        app.config.mathjax4_config.get("tex", {}) if app.config.mathjax4_config else {}
    )
    page = Page(
        language=str(app.config.language),
        messages=catalog(app, pagename),
        glue=glue_data(notebook, Path(output_folder, f"{pagename}.glue.json")),
        equations=equation_numbers(app),
        doc_title=lambda target: doc_title(app, pagename, target),
        ref_title=lambda label: ref_title(app, label),
        folder=Path(app.env.doc2path(pagename)).parent,
        macros=tex.get("macros", {}),
    )
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(clean_notebook(notebook, page), target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    """After conf.py's copy of the executed notebook, before the theme's buttons."""
    app.connect("html-page-context", write_clean_notebook, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
