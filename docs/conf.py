"""Sphinx configuration of the lstm-derive site (English source, Simplified Chinese by gettext).

Build it with ``nox -s docs``: that session installs MathJax (npm) into
``docs/_build/mathjax/`` and runs ``sphinx-build -W`` once per language into
``docs/_build/html/<language>/``. Both languages share one jupyter-cache, so every
chapter notebook runs once.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import sphinx
from docutils import nodes
from myst_nb.core.variables import RetrievalError
from myst_nb.ext.glue import directives as glue_directives
from myst_nb.ext.glue import roles as glue_roles
from myst_nb.ext.glue import utils as glue_utils
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.search.zh import SearchChinese

DOCS = Path(__file__).resolve().parent
BUILD = DOCS / "_build"
sys.path.insert(0, str(DOCS / "_ext"))  # the project's own extensions

# -- Project -----------------------------------------------------------------------
project = "lstm-derive"
author = "lstm-derive developers"
copyright = "2026, lstm-derive developers"
language = "en"  # the source language; `-D language=zh_CN` builds the translation

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_book_theme",
    "sphinx_togglebutton",  # `:class: dropdown`: the exercises' solutions collapse
    "notebook_downloads",  # _ext/: the download button's clean notebook
    "site_pdf",  # _ext/: every page links its language's PDF
    "site_playground",  # _ext/: a cell edited and derived in the browser (chapter 7)
]
root_doc = "index"
# myst-nb reads every .md under docs/ as a page: keep build output, venvs and
# node_modules out (and the templates, whose .html are not pages anyway).
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "locale",
    "_templates",
    "_static",
    "**/.nox",
    "**/node_modules",
    "**.ipynb_checkpoints",
    "README.md",
]
nitpicky = False

# -- Translation (gettext) -----------------------------------------------------------
locale_dirs = ["locale/"]
gettext_compact = False  # one catalog per page: locale/zh_CN/LC_MESSAGES/<page>.po
gettext_uuid = False
# No "#: file:line" comments in the catalogs: they named the build machine's folders
# and changed with every edited line (`nox -s gettext` also drops the
# python-brace-format flags that Babel guesses for text with braces, such as LaTeX).
gettext_location = False

# -- MyST and myst-nb ----------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
# The chapters' models are small: one BLAS thread trains them fastest, and two
# OpenBLAS threads competing for a busy 2-core machine are up to 10x slower. The
# notebook kernels inherit this environment.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
nb_execution_mode = "cache"
# One cache for every builder (en, zh_CN, gettext): each notebook runs once.
nb_execution_cache_path = str(BUILD / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600  # chapter 8 trains for a minute on a quiet 2-core machine
nb_merge_streams = True
# Executed notebooks (and the images their cells make) go here, shared by the
# languages and outside the published site (myst-nb's default is <outdir>/..).
NOTEBOOK_OUTPUT = BUILD / "jupyter_execute"

# -- Autodoc -------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = True

# -- Maths: MathJax 4 served from the site, numbered equations, notation macros -------
numfig = True
math_numfig = True
math_eqref_format = "({number})"
# The notation, defined once: write \sigmoid, \pd{L}{z}, \hadamard, \R in any page.
LATEX_MACROS: dict[str, str | list[Any]] = {
    "sigmoid": r"\sigma",
    "hadamard": r"\odot",
    "pd": [r"\frac{\partial #1}{\partial #2}", 2],
    "R": r"\mathbb{R}",
    "transpose": r"^{\mathsf{T}}",
    "loss": r"\mathcal{L}",
}
# `nox -s docs` stages MathJax (npm: mathjax, @mathjax/mathjax-newcm-font) here;
# html_static_path copies it to _static/mathjax/ and _static/mathjax-newcm-font/.
MATHJAX_STAGE = BUILD / "mathjax"
mathjax_path = "mathjax/tex-chtml.js"  # relative: served from _static/
mathjax4_config = {
    # [fonts]/mathjax-newcm-font is where MathJax looks for its font: point [fonts]
    # at our own _static/ (the default is a CDN).
    "loader": {"paths": {"fonts": "[mathjax]/.."}},
    "tex": {
        "macros": LATEX_MACROS,
        "tags": "ams",
    },
}

# -- HTML: sphinx-book-theme, offline ------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "lstm-derive"
html_static_path = ["_static", str(MATHJAX_STAGE)]
html_templates_path = ["_templates"]
templates_path = ["_templates"]
html_css_files = ["lstm-derive.css"]
html_copy_source = True
html_show_sourcelink = False
html_last_updated_fmt = None
# Light or dark as the reader's system says (unset, the theme logs a console error).
html_context = {"default_mode": "auto"}
html_theme_options = {
    # The header: language switcher, then the theme's buttons (download .ipynb/.md,
    # print to PDF, full screen, dark mode).
    "article_header_end": ["language-switcher.html", "article-header-buttons.html"],
    # One search: the sidebar's field (the header's button when the sidebar is
    # folded away, on a phone), not a second field in a top bar.
    "navbar_persistent": [],
    "use_download_button": True,
    "use_fullscreen_button": True,
    "use_repository_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_source_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # Nothing from another host: no analytics, no icon links, no launch buttons.
    "analytics": {},
    "icon_links": [],
    "launch_buttons": {},
}
# Chinese search: jieba segments the pages; the glossary's Chinese terms and their
# d2l-zh aliases are its user dictionary so that 遗忘门 or 记忆元 are indexed as
# whole words.
JIEBA_DICT = BUILD / "jieba_userdict.txt"
html_search_options = {"dict": str(JIEBA_DICT)}
GLOSSARY_CATALOG = DOCS / "locale" / "zh_CN" / "LC_MESSAGES" / "glossary.po"
# The site uses d2l-zh's terms (the Chinese edition of Dive into Deep Learning).
# Other books say otherwise; their term is a search alias, so that a search for it
# finds every page that uses the site's term.
SEARCH_ALIASES = {
    "记忆元": ("细胞状态",),
    "隐状态": ("隐藏状态",),
    "候选记忆元": ("候选值",),
    "通过时间反向传播": ("随时间反向传播",),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def glossary_pairs() -> dict[str, str]:
    """The glossary's terms: English (glossary.md) to Chinese (its catalog)."""
    terms: set[str] = set()
    in_glossary = False
    for line in (DOCS / "glossary.md").read_text(encoding="utf-8").splitlines():
        if re.match(r"^(:::|```)\{glossary\}", line):
            in_glossary = True
        elif in_glossary and re.match(r"^(:::|```)\s*$", line):
            in_glossary = False
        elif in_glossary and line.strip() and not line[0].isspace():
            terms.add(line.strip())
    catalog = GLOSSARY_CATALOG
    text = catalog.read_text(encoding="utf-8") if catalog.exists() else ""
    pairs = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, flags=re.MULTILINE)
    return {english: chinese for english, chinese in pairs if english in terms}


def write_jieba_dictionary() -> None:
    """Write the glossary's Chinese terms and their aliases as a jieba dictionary."""
    chinese = {term for term in glossary_pairs().values() if CJK.search(term)}
    chinese |= {alias for aliases in SEARCH_ALIASES.values() for alias in aliases}
    JIEBA_DICT.parent.mkdir(parents=True, exist_ok=True)
    words = "".join(f"{term} 100000 n\n" for term in sorted(chinese))
    if not JIEBA_DICT.exists() or JIEBA_DICT.read_text(encoding="utf-8") != words:
        JIEBA_DICT.write_text(words, encoding="utf-8")


write_jieba_dictionary()


# Sphinx 9.0 names a stemmer that its Chinese search never defines
# (`window.Stemmer = ChineseStemmer;`, a ReferenceError that stops the search page;
# sphinx-doc/sphinx#14229, fixed in 9.1). The code it loads is the English stemmer,
# so name that one.
if sphinx.version_info[:2] == (9, 0):
    SearchChinese.language_name = "English"


def index_search_aliases() -> None:
    """Index a page under d2l-zh's term wherever it uses the site's (SEARCH_ALIASES)."""
    split = SearchChinese.split

    def split_with_aliases(self: SearchChinese, text: str) -> list[str]:
        words = split(self, text)
        return words + [
            alias for word in words for alias in SEARCH_ALIASES.get(word, ())
        ]

    SearchChinese.split = split_with_aliases  # type: ignore[method-assign]


index_search_aliases()


def glue_roles_work_in_translations() -> None:
    """Let a translated paragraph keep the English ``{glue}`` and ``{glue:text}`` roles.

    Sphinx parses each translated message as a document of its own, without the
    notebook's glue data, so ``{glue:text}`key``` would find nothing. Rewritten to
    myst-nb's cross-document form (``<this page>.md::key:format``) it is resolved
    after parsing, from the same executed notebook as the English page.
    """

    def on_this_page(role: Any, default_format: str | None) -> None:
        if "nb_renderer" in role.document or "::" in role.text:
            return  # the notebook's own parse, or already cross-document
        env = role.document.settings.env
        page = Path(env.doc2path(env.docname)).name
        if default_format is not None and ":" not in role.text:
            role.text = f"{role.text}:{default_format}"
        role.text = f"{page}::{role.text}"

    for role_class, default_format in (
        (glue_roles.PasteRoleAny, None),
        (glue_roles.PasteTextRole, "s"),
    ):
        run = role_class.run

        def patched(
            self: Any, _run: Any = run, _fmt: str | None = default_format
        ) -> Any:
            on_this_page(self, _fmt)
            return _run(self)

        role_class.run = patched


glue_roles_work_in_translations()


def glue_in_the_page_language() -> None:
    """Paste a figure or table in the page's language.

    A chapter glues each figure and table twice, as ``name`` and ``name-zh``
    (``lstm_book.site.language``); on a Chinese page a glue directive
    naming ``name`` pastes ``name-zh`` when the chapter glued one.
    """

    def retrieve(document: nodes.document, key: str) -> Any:
        if str(document.settings.env.config.language).startswith("zh"):
            try:
                return glue_utils.retrieve_glue_data(document, f"{key}-zh")
            except RetrievalError:
                pass
        return glue_utils.retrieve_glue_data(document, key)

    glue_directives.retrieve_glue_data = retrieve


glue_in_the_page_language()


def translate_cell_toggles(_app: Sphinx, config: Any) -> None:
    """Label the show/hide buttons of code cells and solutions in the page's language."""
    if str(config.language).startswith("zh"):
        config.nb_code_prompt_show = "显示代码单元格"
        config.nb_code_prompt_hide = "隐藏代码单元格"
        # sphinx-togglebutton's hint beside an exercise's collapsed solution
        config.togglebutton_hint = "点击显示"
        config.togglebutton_hint_hide = "点击隐藏"


def require_mathjax(app: Sphinx) -> None:
    """Stop an HTML build early when MathJax has not been staged by `nox -s docs`."""
    if app.builder.format == "html" and not (MATHJAX_STAGE / mathjax_path).is_file():
        msg = f"MathJax is missing from {MATHJAX_STAGE}: build with `nox -s docs`"
        raise ConfigError(msg)


def relocate_notebook_output(app: Sphinx) -> None:
    """Keep myst-nb's executed notebooks outside the published site."""
    app.env.mystnb_config = app.env.mystnb_config.copy(  # type: ignore[attr-defined]
        output_folder=str(NOTEBOOK_OUTPUT)
    )


def offer_notebook_download(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """Put each executed chapter in _sources/ as .ipynb for the download button."""
    if NbMetadataCollector.get_exec_data(app.env, pagename) is None:  # type: ignore[arg-type]
        return
    notebook = NOTEBOOK_OUTPUT / f"{pagename}.ipynb"
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def keep_out_of_catalogs(_app: Sphinx, doctree: nodes.document) -> None:
    """Leave what is not prose out of the translation catalogs.

    Display maths reads the same in every language, the API reference is the
    code's own English (pages wrap autodoc's output in a ``container`` of class
    ``api-reference``), and a glued output made in both languages (the page wraps
    it in a ``container`` of class ``glued-output``) is pasted in the page's
    language already; its numbers change with the code, so they stay out.
    """
    for block in doctree.findall(nodes.math_block):
        block["translatable"] = False
    for container in doctree.findall(nodes.container):
        if {"api-reference", "glued-output"} & set(container["classes"]):
            for node in container.findall(nodes.TextElement):
                node["translatable"] = False


def glossary_terms_in_both_languages(
    app: Sphinx, doctree: nodes.document, _docname: str
) -> None:
    """Follow each glossary term with its other-language term, in brackets.

    The English page shows "forget gate (遗忘门)" and the Chinese one
    "遗忘门（forget gate）". Only the displayed text changes: the term a ``{term}``
    role points at stays the one the glossary defines, in either language.
    """
    if app.builder.format != "html":
        return
    pairs = glossary_pairs()
    chinese = str(app.config.language).startswith("zh")
    other = {zh: en for en, zh in pairs.items()} if chinese else pairs
    for glossary in doctree.findall(addnodes.glossary):
        for term in glossary.findall(nodes.term):
            shown = other.get(term.astext())
            if not shown or shown == term.astext():
                continue
            text = f"（{shown}）" if chinese else f" ({shown})"
            # docutils writes a "language-<tag>" class as the span's lang attribute.
            lang = "language-en" if chinese else "language-zh-CN"
            term.append(
                nodes.inline(text, text, classes=["glossary-other-language", lang])
            )


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the project's build hooks."""
    app.connect("doctree-read", keep_out_of_catalogs)
    app.connect("doctree-resolved", glossary_terms_in_both_languages)
    # Before sphinx-togglebutton writes its hints into the page (priority 500).
    app.connect("config-inited", translate_cell_toggles, priority=400)
    app.connect("builder-inited", require_mathjax)
    app.connect("builder-inited", relocate_notebook_output, priority=900)
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", offer_notebook_download, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
