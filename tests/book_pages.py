"""The book's chapters, in the order of the index's tables of contents."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PARTS = ("learn", "derive", "experiments", "appendix")
"""The folders of Part I, Part II, Part III and the appendix."""


def chapter_names() -> list[str]:
    """Every chapter the index lists (``learn/rnn``, ...), in order."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    return re.findall(r"^(?:" + "|".join(PARTS) + r")/[\w-]+$", index, re.MULTILINE)


CHAPTERS = [DOCS / f"{name}.md" for name in chapter_names()]
"""The chapters' MyST sources."""
