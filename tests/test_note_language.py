"""Every note of a shipped spec has its Chinese, for the equations of chapter 2."""

from __future__ import annotations

import re

import pytest

from lstm_book.site.language import english_words, note_in
from lstm_derive import cells

CJK = re.compile(r"[\u4e00-\u9fff]")

NOTES = sorted(
    {note for name in cells.names() for note in cells.load(name).notes.values()}
)


@pytest.mark.parametrize("note", NOTES)
def test_every_spec_note_reads_in_chinese(note: str) -> None:
    chinese = note_in(note, "zh")
    assert CJK.search(chinese), f"no Chinese for the note {note!r}"
    assert english_words(chinese) == [], chinese


def test_notes_keep_english_on_english_pages() -> None:
    assert note_in("forget gate", "en") == "forget gate"
    assert note_in("forget gate, peeking at the previous cell state", "zh") == (
        "遗忘门，经窥视孔读取上一步的记忆元"
    )


def test_an_unknown_note_is_left_out_not_shown_in_english() -> None:
    assert note_in("forget gate, a detail nobody translated", "zh") == ""
    assert note_in("a new gate", "zh") == ""
