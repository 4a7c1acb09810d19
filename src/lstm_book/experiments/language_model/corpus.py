"""The language model's text: the prose of this book's own English chapters.

:func:`book_prose` reads the chapters' MyST sources and keeps their prose only:
no code, no display maths, no tables, no markup (a role keeps its text, a glued
number becomes ``N``). The snapshot the site's records were made on ships beside
this module (:data:`CORPUS`), so the chapters can change without changing the
records: ``python -m lstm_book.experiments.language_model.corpus --docs docs``
takes a new one. The text is the project's own, under its MIT licence.

The snapshot is cut into paragraphs; every twentieth paragraph (from the
nineteenth) goes to the validation text and every twentieth (from the twentieth)
to the test text, so all three texts come from every chapter.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm_derive.files import write_atomic
from lstm_derive.nn.layer import Array

CORPUS = Path(__file__).with_name("corpus.txt")
"""The snapshot of the chapters' prose that the records were made on."""
SOURCES = ("chapters/*.md", "glossary.md")
"""The pages of docs/ whose prose makes the corpus."""
GLUED = "N"
"""What a glued number becomes (its value is only known when the page runs)."""
PERIOD = 20
"""One paragraph in PERIOD goes to validation, one to test."""

FENCE = re.compile(r"^(`{3,}|~{3,})")
ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<body>[^`]*)`")
TARGET = re.compile(r"\s*<[^>]*>$")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"\*{1,2}([^*]+)\*{1,2}")
CODE = re.compile(r"`([^`]*)`")


def role_text(match: re.Match[str]) -> str:
    """What a role shows in plain text: its words, or N for a glued value."""
    role, body = match["role"], match["body"]
    if role.startswith("glue"):
        return GLUED
    if role in ("eq", "numref", "ref", "doc"):
        shown = TARGET.sub("", body)
        if shown != body:
            return shown
        if role == "doc":  # a bare page name: "chapters/02_lstm_cell" -> "lstm cell"
            return re.sub(r"^\d+_", "", body.rsplit("/")[-1]).replace("_", " ")
        return "(1)"
    return TARGET.sub("", body)


def inline_text(line: str) -> str:
    """A line of MyST prose without its inline markup."""
    line = ROLE.sub(role_text, line)
    line = LINK.sub(r"\1", line)
    line = EMPHASIS.sub(r"\1", line)
    return CODE.sub(r"\1", line)


def prose(markdown: str) -> list[str]:
    """The paragraphs of one MyST page, each on one line, markup removed."""
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":  # the front matter
        end = next(k for k in range(1, len(lines)) if lines[k].strip() == "---")
        lines = lines[end + 1 :]
    paragraphs: list[str] = []
    current: list[str] = []
    fence = ""
    in_maths = False

    def close() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in lines:
        line = raw.strip()
        if fence:
            if line == fence:
                fence = ""
            continue
        if in_maths:
            in_maths = not line.startswith("$$")
            continue
        if marker := FENCE.match(line):
            close()
            fence = marker[1]
            continue
        if line.startswith("$$"):
            close()
            in_maths = not (len(line) > 2 and line.rstrip().endswith("$$"))
            continue
        if not line or line.startswith((":::", "|", "<", ":class:", ":tags:")):
            close()
            continue
        if line.startswith(("#", "- ", "* ")) or re.match(r"^\d+\. ", line):
            close()  # a heading or a list item starts a paragraph of its own
            line = line.lstrip("#").strip()
        current.append(inline_text(line))
    close()
    return [p for p in paragraphs if p.strip()]


def book_prose(docs: Path) -> str:
    """The prose of every source page under ``docs``, one paragraph per line."""
    pages = sorted(path for pattern in SOURCES for path in docs.glob(pattern))
    if not pages:
        msg = f"{docs}: no chapters found ({', '.join(SOURCES)})"
        raise FileNotFoundError(msg)
    paragraphs = [p for page in pages for p in prose(page.read_text("utf-8"))]
    return "\n".join(paragraphs) + "\n"


def load_corpus(path: Path = CORPUS) -> str:
    """The shipped snapshot (or another corpus file)."""
    return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Texts:
    """The corpus split into training, validation and test text."""

    train: str
    validation: str
    test: str


def split(corpus: str) -> Texts:
    """Every PERIOD-th paragraph to validation and the next to test, the rest to train."""
    paragraphs = corpus.splitlines()
    parts: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for index, paragraph in enumerate(paragraphs):
        position = index % PERIOD
        part = 1 if position == PERIOD - 2 else 2 if position == PERIOD - 1 else 0
        parts[part].append(paragraph)
    train, validation, test = ("\n".join(parts[k]) + "\n" for k in range(3))
    return Texts(train, validation, test)


@dataclass(frozen=True)
class Vocabulary:
    """The characters of the corpus, each with its index."""

    characters: str

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        """Every character that occurs in ``text``, in code-point order."""
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.characters)

    def encode(self, text: str) -> Array:
        """The index of each character of ``text``: [len(text)] int64."""
        index = {c: k for k, c in enumerate(self.characters)}
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, indices: Sequence[int] | Array) -> str:
        """The characters of the indices."""
        return "".join(self.characters[int(k)] for k in indices)


def main(argv: Sequence[str] | None = None) -> int:
    """Take a new snapshot of the chapters' prose."""
    parser = argparse.ArgumentParser(description="Snapshot the chapters' prose.")
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    parser.add_argument("--output", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    write_atomic(args.output, book_prose(args.docs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
