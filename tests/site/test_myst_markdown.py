"""A chapter's MyST Markdown becomes plain Markdown (docs/_ext/myst_markdown.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from conftest import require

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
# Needs the docs group (myst-parser, myst-nb): `nox -s site` installs it.
myst_markdown = require("myst_markdown")

MACROS = {"hadamard": r"\odot", "pd": [r"\frac{\partial #1}{\partial #2}", 2]}


def page(**kwargs: object) -> Any:
    """A page with two glued values, one labelled equation and the site's macros."""
    defaults: dict[str, object] = {
        "language": "zh_CN",
        "glue": {"count": {"text/plain": "5"}, "eq": {"text/latex": "$$a = b$$"}},
        "equations": {"hidden": "3"},
        "macros": MACROS,
        "doc_title": lambda target: {"../glossary": "术语表"}.get(target, target),
        "ref_title": lambda label: {"sec-bptt": "随时间反向传播"}.get(label, label),
    }
    return myst_markdown.Page(**(defaults | kwargs))


def test_roles_become_text() -> None:
    source = (
        "A {term}`gate <forget gate>` and a {term}`loss`, see {eq}`hidden` and the "
        "{doc}`../glossary`, {ref}`sec-bptt`; {glue:text}`count` cells, "
        "{glue:text}`count:.2f`."
    )
    assert myst_markdown.plain_markdown(source, page()) == (
        "A gate and a loss, see (3) and the 术语表, 随时间反向传播; 5 cells, 5.00."
    )


def test_code_spans_keep_their_roles() -> None:
    source = "Write ``{term}`gate` `` in MyST, `{x}` in code; {term}`gate` here."
    assert myst_markdown.plain_markdown(source, page()) == (
        "Write ``{term}`gate` `` in MyST, `{x}` in code; gate here."
    )


def test_paragraphs_list_items_and_headings_are_translated() -> None:
    source = (
        "## Forget gate\n\nThe gate reads\nits input.\n\n- one {term}`gate`\n  scales\n"
    )
    messages = {
        "Forget gate": "遗忘门",
        "The gate reads its input.": "门读取它的输入。",
        "one {term}`gate` scales": "一个{term}`门 <gate>`缩放",
    }
    assert myst_markdown.plain_markdown(source, page(messages=messages)) == (
        "## 遗忘门\n\n门读取它的输入。\n\n- 一个门缩放"
    )


def test_labelled_and_glued_equations_are_numbered_and_expanded() -> None:
    source = (
        "(target)=\n$$\nh = o \\hadamard \\pd{L}{z}\n$$ (hidden)\n\n"
        "```{glue:math} eq\n:label: hidden\n```\n"
    )
    assert myst_markdown.plain_markdown(source, page()).split("\n") == [
        "$$",
        "h = o \\odot \\frac{\\partial L}{\\partial z}",
        "\\tag{3}",
        "$$",
        "",
        "$$",
        "a = b",
        "\\tag{3}",
        "$$",
    ]


def test_an_admonition_becomes_a_block_quote() -> None:
    source = "```{note}\nThe {term}`gate` is {glue:text}`count` wide.\n```\n"
    messages = {
        "The {term}`gate` is {glue:text}`count` wide.": "门宽 {glue:text}`count`。"
    }
    assert myst_markdown.plain_markdown(source, page(messages=messages)) == (
        "> **备注**\n>\n> 门宽 5。"
    )


def test_a_colon_fence_dropdown_is_folded_under_its_translated_title() -> None:
    source = (
        ":::{admonition} Solution\n:class: dropdown\n\nRun {glue:text}`count`.\n:::\n"
    )
    messages = {
        "Solution": "解答",
        "Run {glue:text}`count`.": "运行 {glue:text}`count`。",
    }
    # an exercise's solution: folded in plain Jupyter too, as on the site
    assert myst_markdown.plain_markdown(source, page(messages=messages)) == (
        "<details>\n<summary>解答</summary>\n\n运行 5。\n\n</details>"
    )


def test_a_local_image_travels_inside_the_notebook(tmp_path: Path) -> None:
    (tmp_path / "cell.png").write_bytes(b"\x89PNG not really")
    target = page(folder=tmp_path)
    source = "![the cell](cell.png) and ![remote](https://example.org/x.png)"
    assert myst_markdown.plain_markdown(source, target) == (
        "![the cell](attachment:cell.png) and ![remote](https://example.org/x.png)"
    )
    assert list(target.attachments) == ["cell.png"]


def test_a_dropdown_admonition_becomes_a_details_element() -> None:
    source = ":::{admonition} Solution\n:class: dropdown\nThe gate is {glue:text}`count`.\n:::\n"
    messages = {
        "Solution": "解答",
        "The gate is {glue:text}`count`.": "门是 {glue:text}`count`。",
    }
    assert myst_markdown.plain_markdown(source, page(messages=messages)) == (
        "<details>\n<summary>解答</summary>\n\n门是 5。\n\n</details>"
    )
    plain = source.replace(":class: dropdown\n", "")
    assert myst_markdown.plain_markdown(plain, page(language="en")) == (
        "> **Solution**\n>\n> The gate is 5."
    )
