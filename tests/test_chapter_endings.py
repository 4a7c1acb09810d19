"""Every chapter ends the same way: a summary, then exercises with hidden solutions.

The shape, read from each chapter's MyST source (docs/chapters/*.md and
docs/experiments/*.md):

- ``## Summary`` (3 to 5 bullets) and then ``## Exercises``, the last two H2
  sections of the page;
- under Exercises, 2 to 4 ``### Exercise N: title`` headings numbered from 1,
  each followed by its solution in a collapsed admonition
  (``:::{admonition} Solution`` with ``:class: dropdown``);
- (a convention the build enforces, not this test: a solution that computes
  something asserts it in a code cell tagged ``hide-cell``, which the build
  executes, so a solution that stops being true fails the build);
- somewhere on the site an exercise asks the reader to edit a formula and
  regenerate (``regen``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "docs" / "chapters").glob("*.md")) + sorted(
    (ROOT / "docs" / "experiments").glob("*.md")
)
EXERCISE = re.compile(r"^### Exercise (?P<number>\d+): \S")
SOLUTION = re.compile(r"^:::+\{admonition\} Solution\s*$")


@dataclass(frozen=True)
class Section:
    """One heading of a chapter and the lines up to the next heading of its level."""

    level: int
    title: str
    lines: tuple[str, ...]


def prose_lines(text: str) -> list[str]:
    """The chapter's lines outside its backtick fences (code cells, consoles)."""
    lines, fence = [], ""
    for line in text.splitlines():
        marker = re.match(r"^(`{3,})", line)
        if fence:
            if marker and line.strip() == fence:
                fence = ""
            lines.append("")  # keep no code, but keep the line count honest
        elif marker:
            fence = marker[1]
            lines.append(line)  # the fence's opening line: a code cell starts here
        else:
            lines.append(line)
    return lines


def sections(lines: list[str], level: int) -> list[Section]:
    """The sections of ``level`` (2 for ``##``), each with its lines."""
    found: list[Section] = []
    prefix = "#" * level + " "
    for index, line in enumerate(lines):
        if not line.startswith(prefix):
            continue
        end = next(
            (
                k
                for k in range(index + 1, len(lines))
                if re.match(rf"^#{{1,{level}}} ", lines[k])
            ),
            len(lines),
        )
        found.append(
            Section(level, line[len(prefix) :].strip(), tuple(lines[index:end]))
        )
    return found


def ending_problems(name: str, text: str) -> list[str]:
    """What the end of one chapter lacks, each naming the chapter; empty if none."""
    lines = prose_lines(text)
    h2 = sections(lines, 2)
    titles = [section.title for section in h2]
    if titles[-2:] != ["Summary", "Exercises"]:
        found = titles[-2:]
        return [
            f"{name}: the last two H2 headings must be '## Summary' then "
            + f"'## Exercises' (found {found})"
        ]
    problems: list[str] = []
    summary, exercises = h2[-2], h2[-1]
    bullets = [line for line in summary.lines if re.match(r"^[-*] ", line)]
    if not 3 <= len(bullets) <= 5:
        problems.append(f"{name}: the Summary has {len(bullets)} bullets, not 3 to 5")
    items = sections(list(exercises.lines), 3)
    numbers = [
        int(match["number"])
        for item in items
        if (match := EXERCISE.match(f"### {item.title}"))
    ]
    if len(numbers) != len(items):
        problems.append(
            f"{name}: every H3 under Exercises must read '### Exercise N: title'"
        )
    if not 2 <= len(items) <= 4:
        problems.append(f"{name}: {len(items)} exercises, not 2 to 4")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"{name}: the exercises are numbered {numbers}, not 1, 2, ...")
    for item in items:
        problems += solution_problems(name, item)
    return problems


def solution_problems(name: str, item: Section) -> list[str]:
    """What one exercise lacks: a question, then a collapsed Solution admonition."""
    body = list(item.lines[1:])
    starts = [k for k, line in enumerate(body) if SOLUTION.match(line)]
    where = f"{name}, '{item.title}'"
    if not starts:
        return [f"{where}: no ':::{{admonition}} Solution' after the question"]
    question = [line for line in body[: starts[0]] if line.strip()]
    problems = [] if question else [f"{where}: the question is missing"]
    options = body[starts[0] + 1 : starts[0] + 3]
    if ":class: dropdown" not in [line.strip() for line in options]:
        problems.append(f"{where}: the Solution is not a dropdown (':class: dropdown')")
    return problems


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_ends_with_summary_and_exercises(chapter: Path) -> None:
    problems = ending_problems(chapter.stem, chapter.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_an_exercise_edits_a_formula_and_regenerates() -> None:
    last_sections = [
        sections(prose_lines(path.read_text(encoding="utf-8")), 2)[-1]
        for path in CHAPTERS
    ]
    exercises = [
        "\n".join(section.lines)
        for section in last_sections
        if section.title == "Exercises"
    ]
    assert any("regen" in text for text in exercises), (
        "no chapter's Exercises section asks the reader to run `lstm-derive regen`"
    )


def test_the_checker_names_what_is_missing() -> None:
    good = """# T

## Body

```{code-cell} ipython3
# a comment, not a heading
```

## Summary

- one
- two
- three

## Exercises

### Exercise 1: First

Change a size.

:::{admonition} Solution
:class: dropdown
It works.
:::

### Exercise 2: Second

Break it.

:::{admonition} Solution
:class: dropdown
It fails.
:::
"""
    assert ending_problems("99_good", good) == []
    no_dropdown = good.replace(":class: dropdown\nIt fails.", "It fails.")
    assert ending_problems("99_x", no_dropdown) == [
        "99_x, 'Exercise 2: Second': the Solution is not a dropdown (':class: dropdown')"
    ]
    one_exercise = good.split("### Exercise 2", maxsplit=1)[0]
    assert ending_problems("99_y", one_exercise) == ["99_y: 1 exercises, not 2 to 4"]
    no_summary = good.replace("## Summary", "## Recap")
    assert "99_z: the last two H2" in ending_problems("99_z", no_summary)[0]
    two_bullets = good.replace("- three\n", "")
    assert ending_problems("99_w", two_bullets) == [
        "99_w: the Summary has 2 bullets, not 3 to 5"
    ]
