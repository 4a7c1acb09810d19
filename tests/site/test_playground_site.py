"""The built site's playground outside the browser: one copy of its assets, and the
PDF and the downloaded notebooks without it (tests/site/playground_checks.py drives it
in Chromium, from test_browser.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "docs" / "_build" / "html"


@pytest.fixture
def site() -> Path:
    """The built site (fails in CI, skips elsewhere, when it is not built)."""
    if not (SITE / "_playground" / "manifest.json").is_file():
        message = f"no playground in {SITE}: run `nox -s docs site`"
        if os.environ.get("CI") or os.environ.get("LSTM_DERIVE_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)
    return SITE


def test_one_copy_of_python_for_both_languages(site: Path) -> None:
    folders = [site / "_playground"] + [
        site / language / "_static" / "playground" for language in ("en", "zh_CN")
    ]
    size = sum(p.stat().st_size for f in folders for p in f.rglob("*") if p.is_file())
    assert size <= 40_000_000, f"the playground adds {size / 1e6:.1f} MB to the site"
    for language in ("en", "zh_CN"):
        assert not list((site / language).rglob("*.wasm"))
        assert not list((site / language).rglob("*.whl"))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_pdf_and_the_notebook_say_the_playground_is_online_only(
    site: Path, language: str
) -> None:
    singlehtml = site.parent / "singlehtml" / language / "index.html"
    notebook = site / language / "_sources" / "derive" / "edit.ipynb"
    for path in (singlehtml, notebook):
        if not path.is_file():
            pytest.fail(f"{path} is not built: run `nox -s docs`")
    printed = singlehtml.read_text(encoding="utf-8")
    assert 'class="playground-offline"' in printed
    assert "lstm-playground" not in printed
    assert "playground-edit" not in printed
    downloaded = notebook.read_text(encoding="utf-8")
    assert "{playground}" not in downloaded
    assert "playground-offline" not in downloaded
