"""Sphinx extension: every page's download menu links the whole site as one PDF.

``nox -s pdf`` (and ``nox -s docs``) prints the ``singlehtml`` build of each
language to ``_downloads/`` of that language's site (:func:`pdf_name`).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

LABELS = {
    "en": ("PDF (whole site)", "Download the whole site as one PDF"),
    "zh_CN": ("PDF（全站）", "下载整个网站的 PDF"),
}


def pdf_name(language: str) -> str:
    """The PDF's path inside a language's site."""
    return f"_downloads/lstm-derive-{language}.pdf"


def link_site_pdf(
    app: Sphinx, _pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """Add the language's PDF to the theme's download menu (or make one)."""
    if "header_buttons" not in context:
        return
    language = str(app.config.language)
    text, tooltip = LABELS.get(language, LABELS["en"])
    link = {
        "type": "link",
        "url": context["pathto"](pdf_name(language), 1),
        "text": text,
        "tooltip": tooltip,
        "icon": "fas fa-book",
        "label": "download-site-pdf-button",
    }
    for button in context["header_buttons"]:
        if button.get("label") == "download-buttons":
            button["buttons"].append(link)
            return
    # A page without a source (the index, search): a download menu of its own.
    context["header_buttons"].insert(
        0,
        {
            "type": "group",
            "tooltip": tooltip,
            "icon": "fas fa-download",
            "buttons": [link],
            "label": "download-buttons",
        },
    )


def setup(app: Sphinx) -> dict[str, Any]:
    """After sphinx-book-theme has built the header buttons (priority 501)."""
    app.connect("html-page-context", link_site_pdf, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
