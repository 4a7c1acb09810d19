"""Turn a chapter's MyST Markdown into plain Markdown that Jupyter and Colab show as is.

A markdown cell of a chapter is written for Sphinx: ``{term}`` and ``{eq}`` roles,
glued values (``{glue:text}``, ``{glue:math}``), labelled equations
(``$$ ... $$ (label)``), the site's LaTeX macros and, on the Chinese site, the
English source text that Sphinx replaces message by message from the gettext
catalog. :func:`plain_markdown` does the same replacement on the Markdown itself
(each paragraph, heading, list item or table cell whose text is a catalog message
takes its translation) and then writes every role, glue and label out as plain
Markdown and LaTeX.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_nb.core.render import strip_latex_delimiters
from myst_nb.core.variables import format_plain_text
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from site_playground import ONLINE_ONLY

MYST_EXTENSIONS = {"dollarmath", "amsmath", "colon_fence", "deflist"}
ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<content>[^`]*)`")
# Scanned left to right, so that a role's backticks are never read as a code span.
ROLE_OR_CODE = re.compile(ROLE.pattern + r"|``(?:[^`]|`(?!`))+?``|`[^`]+`")
TITLE_TARGET = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
TARGET_LINE = re.compile(r"^\s*\([^()\s]+\)=\s*$")
COMMENT_LINE = re.compile(r"^\s*%")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)\)")
# Admonition titles Sphinx supplies itself (it translates them with its own catalog).
ADMONITION_TITLES = {
    "en": {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
           "warning": "Warning", "caution": "Caution", "attention": "Attention",
           "danger": "Danger", "error": "Error", "seealso": "See also"},
    "zh_CN": {"note": "备注", "tip": "小技巧", "hint": "提示", "important": "重要",
              "warning": "警告", "caution": "小心", "attention": "注意",
              "danger": "危险", "error": "错误", "seealso": "参见"},
}  # fmt: skip


@dataclass(frozen=True)
class Page:
    """What a chapter's Markdown refers to, as the built page resolved it."""

    language: str
    #: msgid -> msgstr of the page's catalog (empty for the source language)
    messages: Mapping[str, str] = field(default_factory=dict)
    #: glue key -> the glued output's data (mime type -> value)
    glue: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: equation label -> its number on the site
    equations: Mapping[str, str] = field(default_factory=dict)
    #: the title of a document named by a ``{doc}`` role (path as written)
    doc_title: Callable[[str], str] = str
    #: the title of a section named by a ``{ref}`` role (label)
    ref_title: Callable[[str], str] = str
    #: LaTeX macros of the site (name -> body, or [body, argument count])
    macros: Mapping[str, str | list[Any]] = field(default_factory=dict)
    #: images of ``{glue}`` outputs, collected as cell attachments (name -> bundle)
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the folder of the page's source, for the images it names by path
    folder: Path | None = None


def parser() -> Any:
    """The MyST block parser of the site (only the block structure is used)."""
    config = MdParserConfig(enable_extensions=MYST_EXTENSIONS, dmath_double_inline=True)
    return create_md_parser(config, RendererHTML)


def message_id(text: str) -> str:
    """The catalog form of a paragraph: its lines joined by single spaces."""
    return re.sub(r"\s*\n\s*", " ", text.strip())


def translate_blocks(source: str, page: Page, tokens: list[Token]) -> list[str | None]:
    """The source's lines with every translatable block replaced by its translation.

    Deleted lines (the continuation lines of a translated paragraph) are ``None``.
    """
    lines: list[str | None] = list(source.split("\n"))
    for token in tokens:
        if token.type != "inline" or token.map is None or not token.content:
            continue
        translation = page.messages.get(message_id(token.content))
        if not translation:
            continue
        start, end = token.map
        first = token.content.split("\n")[0]
        line = lines[start]
        if line is None or first not in line:
            continue
        if end - start <= 1:  # a heading, a table row's cell, a one-line paragraph
            lines[start] = line.replace(token.content, translation, 1)
            continue
        lines[start] = line[: line.index(first)] + translation
        for index in range(start + 1, end):
            lines[index] = None
    return lines


def expand_macros(latex: str, macros: Mapping[str, str | list[Any]]) -> str:
    r"""Write the site's macros out (plain Jupyter's MathJax does not know ``\pd``)."""
    for name, definition in macros.items():
        body, arguments = (
            (definition, 0) if isinstance(definition, str) else definition[:2]
        )
        pattern = re.compile(r"\\" + name + r"(?![A-Za-z])")
        while match := pattern.search(latex):
            rest, values = latex[match.end() :], []
            for _ in range(int(arguments)):
                value, rest = braced_argument(rest)
                values.append(value)
            expanded = str(body)
            for number, value in enumerate(values, start=1):
                expanded = expanded.replace(f"#{number}", value)
            if rest[:1].isalpha() and expanded[-1:].isalpha():
                expanded += " "
            latex = latex[: match.start()] + expanded + rest
    return latex


def braced_argument(text: str) -> tuple[str, str]:
    """Split ``{argument}rest`` (or a single token) into the argument and the rest."""
    text = text.lstrip()
    if not text.startswith("{"):
        return text[:1], text[1:]
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return text[1:index], text[index + 1 :]
    return text[1:], ""


def glued_text(page: Page, content: str) -> str:
    """The text a ``{glue:text}`key:format``` role shows."""
    key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "s")
    key = key.split("::")[-1]
    data = page.glue.get(key)
    if data is None or "text/plain" not in data:
        return content
    return format_plain_text(str(data["text/plain"]), fmt or "s")


def glued_inline(page: Page, key: str) -> str:
    """The inline form of ``{glue}`key```: its maths, else its text."""
    key = in_language(page, key.rsplit("::", maxsplit=1)[-1])
    data = page.glue.get(key, {})
    if "text/latex" in data:
        return f"${strip_latex_delimiters(str(data['text/latex']))}$"
    return glued_text(page, key)


def equation_reference(page: Page, label: str) -> str:
    """``{eq}`label``` as the site shows it: the equation's number in brackets."""
    number = page.equations.get(label)
    return f"({number})" if number is not None else f"({label})"


def replace_role(page: Page, match: re.Match[str]) -> str:
    """One role as plain Markdown."""
    name, content = match["name"], match["content"]
    titled = TITLE_TARGET.match(content)
    if name in {"glue:text", "glue:"} or (name == "glue" and ":" in content):
        return glued_text(page, content)
    if name in {"glue", "glue:any"}:
        return glued_inline(page, content)
    if name == "glue:md":
        return str(page.glue.get(content, {}).get("text/markdown", content)).strip()
    if name == "eq":
        return equation_reference(page, content)
    if name == "math":
        return f"${content}$"
    if titled:  # {term}`text <target>`, {doc}`text <target>`, {ref}`...`
        return titled["title"]
    if name == "doc":
        return page.doc_title(content)
    if name == "ref":
        return page.ref_title(content)
    return content


def replace_roles(text: str, page: Page) -> str:
    """Every role of ``text`` (not those quoted in code spans) as plain Markdown."""
    return ROLE_OR_CODE.sub(
        lambda m: replace_role(page, m) if m["name"] else m[0], text
    )


def display_math(latex: str, label: str | None, page: Page) -> list[str]:
    """A display equation, numbered as on the site when it has a label."""
    body = latex.strip("\n")
    number = page.equations.get(label) if label else None
    tag = [rf"\tag{{{number}}}"] if number is not None else []
    return ["$$", body, *tag, "$$"]


def directive_parts(token: Token) -> tuple[str, str, dict[str, str], str]:
    """A fenced directive's name, argument, options and body."""
    name, _, argument = token.info.strip()[1:].partition("}")
    lines = token.content.split("\n")
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---":  # YAML options block
        end = lines.index("---", 1) if "---" in lines[1:] else 0
        for line in lines[1:end]:
            key, _, value = line.partition(":")
            options[key.strip()] = value.strip()
        lines = lines[end + 1 :]
    while lines and (option := re.match(r"^:([\w-]+):\s*(.*)$", lines[0])):
        options[option[1]] = option[2]
        lines = lines[1:]
    return name, argument.strip(), options, "\n".join(lines)


def in_language(page: Page, key: str) -> str:
    """The glue key of the page's language: ``key-zh`` on a Chinese page, if glued.

    A chapter glues each figure and table as ``key`` and ``key-zh``; the site pastes
    the Chinese one on Chinese pages (docs/conf.py), and so does the notebook.
    """
    if page.language.startswith("zh") and f"{key}-zh" in page.glue:
        return f"{key}-zh"
    return key


def glued_block(page: Page, key: str) -> list[str]:
    """A ``{glue}`` directive: the glued output as Markdown (image as attachment)."""
    key = in_language(page, key)
    data = page.glue.get(key, {})
    if "text/markdown" in data:
        return plain_markdown(str(data["text/markdown"]).strip("\n"), page).split("\n")
    if "text/latex" in data:
        latex = strip_latex_delimiters(str(data["text/latex"]))
        return display_math(expand_macros(latex, page.macros), None, page)
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            name = f"{key}.{mime.split('/')[1]}"
            page.attachments[name] = {mime: str(data[mime])}
            alt = "图" if page.language.startswith("zh") else key  # a figure's alt text
            return [f"![{alt}](attachment:{name})"]
    if "text/html" in data:
        return str(data["text/html"]).strip("\n").split("\n")
    return ["```", str(data.get("text/plain", key)), "```"]


def attach_image(page: Page, path: str) -> str | None:
    """Put an image file the page names into the cell; its ``attachment:`` URL."""
    if page.folder is None or ":" in path:
        return None
    file = page.folder / path.lstrip("/")
    mime = mimetypes.guess_type(file.name)[0]
    if not file.is_file() or mime is None or not mime.startswith("image/"):
        return None
    page.attachments[file.name] = {mime: base64.b64encode(file.read_bytes()).decode()}
    return f"attachment:{file.name}"


def attached_images(line: str, page: Page) -> str:
    """A line's Markdown images of local files, as cell attachments."""

    def attach(match: re.Match[str]) -> str:
        url = attach_image(page, match["path"])
        return f"![{match['alt']}]({url})" if url else match[0]

    return IMAGE.sub(attach, line)


def directive_block(token: Token, page: Page) -> list[str]:
    """A fenced ``{directive}`` as plain Markdown."""
    name, argument, options, body = directive_parts(token)
    label = options.get("label") or options.get("name")
    if name == "glue:math":
        latex = strip_latex_delimiters(
            str(page.glue.get(in_language(page, argument), {}).get("text/latex", ""))
        )
        return display_math(expand_macros(latex, page.macros), label, page)
    if name in {"glue", "glue:", "glue:any", "glue:md", "glue:figure"}:
        return glued_block(page, argument) + (
            ["", *plain_markdown(body, page).split("\n")] if body.strip() else []
        )
    if name == "math":
        return display_math(expand_macros(body, page.macros), label, page)
    if name in {"code-block", "code", "sourcecode"}:
        return [f"```{argument}", body, "```"]
    if name in {"figure", "image"}:
        url = attach_image(page, argument) or argument
        alt = options.get("alt", "")
        caption = plain_markdown(body, page).split("\n") if body.strip() else []
        return [f"![{alt}]({url})", *(["", *caption] if caption else [])]
    if name == "playground":  # the site's playground needs a browser: a line
        return [ONLINE_ONLY.get(page.language, ONLINE_ONLY["en"])]
    if name == "edit-cell":  # a link to that playground: nothing
        return []
    if name == "container":  # a wrapper for the site's styling: only its content
        return plain_markdown(body, page).split("\n")
    # An admonition (or any other directive with Markdown inside): a block quote.
    titles = ADMONITION_TITLES.get(page.language, ADMONITION_TITLES["en"])
    title = page.messages.get(argument, argument) if argument else titles.get(name, "")
    inner = plain_markdown(body, page).split("\n")
    if "dropdown" in options.get("class", "").split():
        # A collapsed admonition (an exercise's solution): folded in Jupyter too.
        summary = replace_roles(title, page) or titles.get("note", "")
        return [
            "<details>",
            f"<summary>{summary}</summary>",
            "",
            *inner,
            "",
            "</details>",
        ]
    heading = [f"**{replace_roles(title, page)}**", ""] if title else []
    return [f"> {line}".rstrip() for line in heading + inner]


def plain_markdown(source: str, page: Page) -> str:
    """A MyST markdown cell in the page's language, as plain Markdown and LaTeX."""
    tokens = parser().parse(source)
    lines = translate_blocks(source, page, tokens)
    verbatim: set[int] = set()
    for token in tokens:
        if token.map is None or token.level != 0:
            continue
        start, end = token.map
        replacement: list[str] | None = None
        directive = token.info.strip().startswith("{")
        if token.type in {"fence", "colon_fence"} and directive:
            replacement = directive_block(token, page)
        elif token.type in {"fence", "colon_fence", "code_block"}:
            verbatim.update(range(start, end))
        elif token.type in {"math_block", "math_block_label"}:
            latex = expand_macros(token.content, page.macros)
            replacement = display_math(latex, token.info or None, page)
        elif token.type == "amsmath":
            replacement = ["$$", expand_macros(token.content, page.macros), "$$"]
        if replacement is not None:
            lines[start] = "\n".join(replacement)
            verbatim.add(start)
            for index in range(start + 1, end):
                lines[index] = None
    out: list[str] = []
    for index, line in enumerate(lines):
        if line is None:
            continue
        if index in verbatim:
            out.append(line)
        elif not (TARGET_LINE.match(line) or COMMENT_LINE.match(line)):
            plain = attached_images(replace_roles(line, page), page)
            out.append(expand_inline_math(plain, page))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def expand_inline_math(line: str, page: Page) -> str:
    """The site's macros written out in the line's ``$...$`` maths."""
    if "\\" not in line:
        return line
    return re.sub(
        r"(?<!\\)\$(?!\s)([^$]+?)(?<!\\)\$",
        lambda m: f"${expand_macros(m[1], page.macros)}$",
        line,
    )
