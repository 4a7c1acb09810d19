"""The book as a reader meets it: its parts, its words, its sentences, its terms.

- the index lists three parts and an appendix, and every page of the parts;
- no page, catalog, docstring or command-line help shows an internal label
  ("seed 002"): sources are named ("a student's lab report");
- no English sentence of a page runs past 40 words;
- the Chinese catalogs use one rendering per term (d2l-zh's where it has one),
  step a derivation as 步骤一, 步骤二, keep paper titles in English, and gloss
  an English term at most once per page.
"""

from __future__ import annotations

import ast
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import polib
import pytest
from book_pages import DOCS, PARTS, ROOT, chapter_names

from lstm_book import cli as book_cli
from lstm_derive import cli

LABEL = re.compile(r"\bseed 0\d\d\b|\bseed documents?\b", re.IGNORECASE)
CATALOGS = sorted((DOCS / "locale" / "zh_CN" / "LC_MESSAGES").rglob("*.po"))
PAGES = sorted(
    p
    for p in DOCS.rglob("*.md")
    if "_build" not in p.parts and "jupyter_execute" not in p.parts
)


def test_the_index_shows_three_parts_and_the_appendix() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    captions = re.findall(r"^:caption: (.+)$", index, re.MULTILINE)
    assert captions[:4] == [
        "Part I, Learn",
        "Part II, Derive and verify",
        "Part III, Experiments",
        "Appendix, reproductions and errata",
    ]
    listed = set(chapter_names())
    on_disk = {f"{part}/{p.stem}" for part in PARTS for p in (DOCS / part).glob("*.md")}
    assert on_disk == listed  # every page of the parts is in a table of contents
    assert chapter_names()[:5] == [
        "learn/rnn", "learn/gradients", "learn/lstm", "learn/backward", "learn/gru"
    ]  # fmt: skip


def docstrings(path: Path) -> list[str]:
    """Every module, class and function docstring of a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [
        tree,
        *(
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        ),
    ]
    return [doc for node in nodes if (doc := ast.get_docstring(node))]


def help_texts() -> list[str]:
    """``--help`` of both commands and every subcommand."""
    texts = []
    for main, commands in (
        (cli.main, ["regen", "gradcheck", "cells", "export"]),
        (book_cli.main, ["add", "study", "train", "train binary-addition"]),
    ):
        for argv in ([], *(c.split() for c in commands)):
            out = io.StringIO()
            with redirect_stdout(out), pytest.raises(SystemExit):
                main([*argv, "--help"])
            texts.append(out.getvalue())
    return texts


def test_no_reader_sees_an_internal_label() -> None:
    found = []
    for page in PAGES:
        found += [
            f"{page.relative_to(ROOT)}: {m}"
            for m in LABEL.findall(page.read_text(encoding="utf-8"))
        ]
    for catalog in CATALOGS:
        for entry in polib.pofile(str(catalog)):
            found += [f"{catalog.name}: {m}" for m in LABEL.findall(entry.msgstr)]
    for source in (*(ROOT / "src").rglob("*.py"), ROOT / "README.md"):
        texts = (
            docstrings(source)
            if source.suffix == ".py"
            else [source.read_text(encoding="utf-8")]
        )
        found += [
            f"{source.relative_to(ROOT)}: {m}" for t in texts for m in LABEL.findall(t)
        ]
    found += [f"--help: {m}" for text in help_texts() for m in LABEL.findall(text)]
    assert found == []


def prose(text: str) -> str:
    """A page's text without its front matter, code fences, directives and maths."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
    text = re.sub(r"^(`{3,}|:{3,}).*?^\1\s*$", "", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"\$\$.*?\$\$", " MATHS ", text, flags=re.DOTALL)
    text = re.sub(r"\$[^$\n]+\$", " MATHS ", text)
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", " REF ", text)  # roles: {glue:text}`...`
    text = re.sub(r"`[^`]*`", " CODE ", text)
    text = re.sub(r"^\s*\|.*\|\s*$", "", text, flags=re.MULTILINE)  # tables
    return re.sub(r"^#+ .*$", "", text, flags=re.MULTILINE)  # headings


def sentences(text: str) -> list[str]:
    """The sentences of a prose text (split at . ? ! followed by a capital)."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.?!:])\s+(?=[A-Z(*\"])|(?<=\.)\s+(?=-)|\n\n", flat)
    return [p for p in parts if p.strip()]


def test_no_english_sentence_runs_past_40_words() -> None:
    long = []
    for page in PAGES:
        if page.name == "README.md":
            continue
        for paragraph in re.split(r"\n\s*\n", prose(page.read_text(encoding="utf-8"))):
            for item in re.split(
                r"^\s*(?:[-*]|\d+\.)\s+", paragraph, flags=re.MULTILINE
            ):
                for sentence in sentences(item):
                    words = len(sentence.split())
                    if words > 40:
                        long.append(
                            f"{page.relative_to(DOCS)} ({words} words): {sentence[:90]}..."
                        )
    assert long == []


def test_no_stacked_possessives() -> None:
    # "the cell's gate's bias" reads better as "the bias of the cell's gate"
    stacked = re.compile(r"\b[\w-]+'s [\w-]+'s\b")
    found = [
        f"{page.relative_to(DOCS)}: {match[0]}"
        for page in PAGES
        if page.name != "README.md"
        for match in stacked.finditer(prose(page.read_text(encoding="utf-8")))
    ]
    assert found == []


TERMS: dict[str, str | tuple[str, ...]] = {
    # English term (as the English text writes it) -> its one Chinese rendering
    "hidden state": "隐状态",
    "cell state": "记忆元",
    "candidate": ("候选记忆元", "候选隐状态"),  # the LSTM's; the GRU's and the MGU's
    "backpropagation through time": "通过时间反向传播",
    "gradient clipping": "梯度裁剪",
    "peephole": "窥视孔",
    "random seed": "随机种子",
    "batch size": "批量大小",
    "hidden units": "隐藏单元",
    "perplexity": "困惑度",
    "forget gate": "遗忘门",
    "input gate": "输入门",
    "output gate": "输出门",
    "update gate": "更新门",
    "reset gate": "重置门",
    "gradient check": "梯度检验",
}
"""d2l-zh's terms where it has one (隐状态, 记忆元, 候选记忆元, 通过时间反向传播,
梯度裁剪, 困惑度, 批量大小); the project's own otherwise."""
FORBIDDEN = {
    "细胞状态": "记忆元", "隐藏状态": "隐状态", "窥孔": "窥视孔", "批次": "批量",
    "批大小": "批量大小", "隐藏大小": "隐藏单元数", "基础 LSTM": "标准 LSTM",
    "候选值": "候选记忆元", "梯度检查": "梯度检验", "梯度截断": "梯度裁剪",
}  # fmt: skip
"""Renderings the catalogs drifted between, and the one they use now."""


def renderings(term: str) -> tuple[str, ...]:
    """The Chinese renderings allowed for ``term``."""
    chinese = TERMS[term]
    return (chinese,) if isinstance(chinese, str) else chinese


def entries() -> list[tuple[Path, polib.POEntry]]:
    return [(c, e) for c in CATALOGS for e in polib.pofile(str(c)) if e.msgstr]


@pytest.mark.parametrize("term", sorted(TERMS))
def test_each_term_has_one_chinese_rendering(term: str) -> None:
    wrong = [
        f"{catalog.relative_to(DOCS)}: {entry.msgid[:60]!r}"
        for catalog, entry in entries()
        if re.search(rf"\b{re.escape(term)}", entry.msgid, re.IGNORECASE)
        and "{term}" not in entry.msgid  # a glossary link renders the glossary's term
        and not any(chinese in entry.msgstr for chinese in renderings(term))
        and term not in entry.msgstr  # code or a name kept in English
    ]
    assert wrong == []


def test_no_drifting_rendering_is_left() -> None:
    found = [
        f"{catalog.relative_to(DOCS)}: {word} (use {better})"
        for catalog, entry in entries()
        for word, better in FORBIDDEN.items()
        if word in entry.msgstr
    ]
    assert found == []


def test_a_derivation_steps_as_bu_zhou_and_seeds_are_random_seeds() -> None:
    numbers = "一二三四五六七八九"
    for catalog, entry in entries():
        step = re.match(r"\*\*Step (\d)", entry.msgid)
        if step:
            assert entry.msgstr.startswith(f"**步骤{numbers[int(step[1]) - 1]}"), (
                entry.msgstr
            )
        # 种子 alone would read as a source document: a seed is a 随机种子
        assert not re.search(r"(?<!随机)种子", entry.msgstr), (
            catalog.name,
            entry.msgstr,
        )


def test_paper_titles_stay_in_english() -> None:
    for catalog, entry in entries():
        for title in re.findall(
            r'"([A-Z][^"]{8,}: [^"]+|An [A-Z][^"]{20,})"', entry.msgid
        ):
            assert title in entry.msgstr, (catalog.name, title)


def test_an_english_gloss_appears_once_per_page() -> None:
    for catalog in CATALOGS:
        glosses: dict[str, int] = {}
        for entry in polib.pofile(str(catalog)):
            for gloss in re.findall(r"（([a-z][a-z\- ]{3,})）", entry.msgstr):
                glosses[gloss] = glosses.get(gloss, 0) + 1
        repeated = {g: n for g, n in glosses.items() if n > 1}
        assert repeated == {}, catalog.name
