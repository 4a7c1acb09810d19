"""What the built pages say: the gradient-check tables, and maths that follows the engine."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_derive import gradcheck

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
LANGUAGES = ("en", "zh_CN")
ROW = re.compile(r"<tr[^>]*><td>([^<]+)</td>.*?<td>(\[OK\]|\[FAIL\])</td></tr>")


def table_rows(page: str, table_id: str) -> list[tuple[str, str]]:
    """(entry, verdict) of every row of the table with ``table_id``."""
    start = page.index(f'id="{table_id}"')
    table = page[start : page.index("</table>", start)]
    return ROW.findall(table)


def built_page(language: str, page: str) -> str:
    path = SITE / language / page
    if not path.is_file():
        message = f"{path} is not built: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_gradient_check_table_has_every_lstm_entry_all_ok(language: str) -> None:
    rows = table_rows(
        built_page(language, "derive/gradient_check.html"), "gradcheck-lstm"
    )
    expected = [row.line().split(" numeric")[0] for row in gradcheck.check("lstm")]
    assert [entry for entry, _ in rows] == expected
    parameters = [entry for entry in expected if entry.startswith("parameter")]
    assert len(parameters) == (4 + 3) * 16 + 16  # W [(H+I), 4H] and b [4H], H=4, I=3
    assert {verdict for _, verdict in rows} == {"[OK]"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_wrong_backward_table_has_failures(language: str) -> None:
    rows = table_rows(
        built_page(language, "appendix/wrong_backward.html"), "gradcheck-wrong"
    )
    failed = {entry.split(" (")[0] for entry, verdict in rows if verdict == "[FAIL]"}
    assert "parameter" in failed
    assert sum(verdict == "[FAIL]" for _, verdict in rows) > len(rows) // 2


def test_derivation_chapter_follows_an_edited_spec(tmp_path: Path) -> None:
    """Edit the LSTM spec in a copy (candidate g = σ instead of tanh), regenerate,
    build the gate chapter: its equations and code lines change with the spec."""
    for name in ("conf.py", "index.md", "glossary.md", "api.md"):
        shutil.copy(ROOT / "docs" / name, tmp_path / name)
    for folder in ("_templates", "_static", "_ext"):
        shutil.copytree(ROOT / "docs" / folder, tmp_path / folder)
    (tmp_path / "derive").mkdir()
    shutil.copy(ROOT / "docs/derive/engine.md", tmp_path / "derive")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src", source)
    spec = source / "lstm_derive" / "cells" / "lstm.py"
    original = spec.read_text(encoding="utf-8")
    assert "g: tanh(z_g)" in original
    spec.write_text(
        original.replace("g: tanh(z_g)", "g: sigmoid(z_g)"), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(source)}
    subprocess.run(
        [sys.executable, "-m", "lstm_derive.cli", "regen"], env=env, check=True
    )
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "text", str(tmp_path),
         str(tmp_path / "out")],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    edited = (tmp_path / "out" / "derive" / "engine.txt").read_text(encoding="utf-8")
    page = (SITE / "en" / "derive" / "engine.html").read_text(encoding="utf-8")
    built = html.unescape(re.sub(r"<[^>]+>", "", page))
    # the edited page: g is a sigmoid, its partial g(1 - g), its code line sigmoid
    assert r"g_t = \sigma\left(z_{g,t}\right)" in edited
    assert "g = sigmoid(z_g)" in edited
    assert "d_z_g = d_g * g * (1 - g)" in edited
    # the published page (the committed spec): tanh, 1 - g²
    assert "g = sigmoid(z_g)" not in built
    assert "g = np.tanh(z_g)" in built
