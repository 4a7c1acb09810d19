"""A table as HTML, for a chapter to glue in each language.

A table glued as Markdown (``{glue:md}``) is parsed into the page, so Sphinx's
gettext builder extracts every cell as a message to translate, though the Chinese
page shows its own glued table. Glued as HTML it is output, like a figure, and the
catalogs stay free of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Html:
    """HTML that a notebook (and so myst-nb's glue) displays as HTML."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The rows under the header, every cell escaped; it scrolls sideways on a phone."""
    width = len(header)
    if any(len(row) != width for row in rows):
        msg = f"every row needs {width} cells, as the header has"
        raise ValueError(msg)
    head = "".join(f"<th>{escape(str(cell))}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        '<div style="overflow-x: auto"><table class="table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
