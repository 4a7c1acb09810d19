"""The Chinese catalogs of the site are complete: every page has one, nothing is
untranslated or fuzzy, and the glossary gives the agreed Chinese terms."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
CATALOGS = DOCS / "locale" / "zh_CN" / "LC_MESSAGES"
# Folders under docs/ that hold no pages of the site.
NOT_PAGES = {"_build", "_static", "_templates", "locale", "jupyter_execute"}
# The terms the Chinese edition must use (the glossary).
REQUIRED_TERMS = {
    "gate": "门",
    "forget gate": "遗忘门",
    "input gate": "输入门",
    "output gate": "输出门",
    "candidate": "候选记忆元",
    "cell state": "记忆元",
    "hidden state": "隐状态",
    "backpropagation through time": "通过时间反向传播",
    "gradient check": "梯度检验",
    "chain rule": "链式法则",
    "activation function": "激活函数",
    "pre-activation": "预激活",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "ReLU": "ReLU",
}


def pages() -> list[Path]:
    """Every Markdown page of the site, relative to docs/."""
    return sorted(
        path.relative_to(DOCS)
        for path in DOCS.rglob("*.md")
        if not NOT_PAGES.intersection(path.relative_to(DOCS).parts)
        and not any(part.startswith(".") for part in path.relative_to(DOCS).parts)
    )


def catalogs() -> list[Path]:
    """Every .po file of the Chinese translation."""
    return sorted(CATALOGS.rglob("*.po"))


def test_there_are_pages_and_catalogs() -> None:
    assert pages()
    assert catalogs()


@pytest.mark.parametrize("page", pages(), ids=str)
def test_every_page_has_a_catalog(page: Path) -> None:
    assert (CATALOGS / page.with_suffix(".po")).is_file(), (
        f"{page} has no translation: run `nox -s gettext` and translate "
        f"docs/locale/zh_CN/LC_MESSAGES/{page.with_suffix('.po')}"
    )


@pytest.mark.parametrize(
    "catalog", catalogs(), ids=lambda p: str(p.relative_to(CATALOGS))
)
def test_every_message_is_translated_and_none_is_fuzzy(catalog: Path) -> None:
    po = polib.pofile(str(catalog))
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    live = [entry for entry in po if not entry.obsolete]
    assert live, "an empty catalog"
    untranslated = [entry.msgid for entry in live if not entry.msgstr.strip()]
    fuzzy = [entry.msgid for entry in live if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_glossary_uses_the_agreed_chinese_terms() -> None:
    po = polib.pofile(str(CATALOGS / "glossary.po"))
    # A translated term may carry its English as a classifier: "遗忘门 : forget gate".
    terms = {entry.msgid: entry.msgstr.split(" : ")[0] for entry in po}
    assert {english: terms.get(english) for english in REQUIRED_TERMS} == REQUIRED_TERMS


def test_a_catalog_belongs_to_a_page() -> None:
    expected = {page.with_suffix(".po") for page in pages()}
    stale = [
        c.relative_to(CATALOGS)
        for c in catalogs()
        if c.relative_to(CATALOGS) not in expected
    ]
    assert stale == [], "catalogs of pages that no longer exist"


# d2l-zh's Chinese terms where the site chose others: the glossary names them.
D2L_ALIASES = {
    "cell state": "记忆元",
    "hidden state": "隐状态",
    "candidate": "候选记忆元",
    "backpropagation through time": "通过时间反向传播",
}


def test_the_glossary_names_d2l_zh_terms_where_the_site_chose_others() -> None:
    po = polib.pofile(str(CATALOGS / "glossary.po"))
    definitions = " ".join(entry.msgstr for entry in po if len(entry.msgid) > 40)
    missing = [alias for alias in D2L_ALIASES.values() if alias not in definitions]
    assert missing == []


def test_glossary_terms_carry_no_classifier() -> None:
    # "遗忘门 : forget gate" made Sphinx index the English as a classifier; the
    # pages show the other language's term themselves (docs/conf.py).
    po = polib.pofile(str(CATALOGS / "glossary.po"))
    assert [entry.msgstr for entry in po if " : " in entry.msgstr] == []


@pytest.mark.parametrize(
    "catalog", catalogs(), ids=lambda p: str(p.relative_to(CATALOGS))
)
def test_catalogs_hold_no_build_machine_paths_or_guessed_flags(catalog: Path) -> None:
    po = polib.pofile(str(catalog))
    locations = [path for entry in po for path, _line in entry.occurrences]
    # Locations are off (gettext_location = False); any that come back must be
    # relative to the repository, never absolute or climbing out of it.
    assert [
        p for p in locations if Path(p).is_absolute() or ".." in Path(p).parts
    ] == []
    flagged = [entry.msgid for entry in po if "python-brace-format" in entry.flags]
    assert flagged == []
