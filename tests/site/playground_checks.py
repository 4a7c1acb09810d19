"""The checks of chapter 7's playground in headless Chromium, offline (issue #22).

test_browser.py runs them (``test_the_playground_*``) on its ``watched`` page, which
aborts every request to a host but 127.0.0.1 and fails the test on one, or on a
console error: Pyodide, SymPy, ruff's formatter, the editor and the library all
come from the built site's ``_playground/``. (One Playwright per test process: the
browser fixtures stay in test_browser.py, the checks live here.)

The module the page generates is compared with what ``lstm-derive regen`` writes
for the same spec byte for byte, with no normalisation: the page formats it with
ruff's WebAssembly build (0.16.9; no 0.17.6 is published to npm), which gives the
committed modules' bytes. Were the page's formatter missing, its text would equal
regen's only up to layout (tests/test_playground.py checks that case: same code,
as an AST, and the same comments).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lstm_derive import cells
from lstm_derive.codegen.regen import render_all

PAGE = "derive/edit.html"
FAMILY = "derive/family.html"
LSTM = (cells.FOLDER / "lstm.py").read_text(encoding="utf-8")
SOFTSIGN = LSTM.replace("g: tanh(z_g),", "g: softsign(z_g),").replace(
    "import sigmoid, tanh", "import sigmoid, softsign, tanh"
)
TWO_ARGUMENTS = LSTM.replace("f: sigmoid(z_f),", "f: sigmoid(z_f, z_i),")
COLD_SECONDS = 20
"""The budget of the first result on a cold page, from the reader's first click into
the editor (which starts Python) to the result (about 15 s on this 2-core machine
while other jobs kept both cores busy)."""
WARM_SECONDS = 3
"""The budget of each later derivation, its equations typeset (about 0.3 s)."""


def spec_text(page: Any) -> str:
    """The text in the playground's editor."""
    return str(page.evaluate("document.querySelector('#playground').playground.text()"))


def type_spec(page: Any, text: str) -> None:
    """Replace the editor's text as a reader would: select all, then type (paste)."""
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
    assert spec_text(page) == text


def derive(page: Any) -> float:
    """Press Derive and wait for the result; the seconds it took."""
    page.evaluate("document.querySelector('#playground').removeAttribute('data-state')")
    started = time.perf_counter()
    page.click(".pg-derive")
    page.wait_for_selector("#playground[data-state]", timeout=90_000)
    return time.perf_counter() - started


def shown_module(page: Any) -> str:
    """The generated module as the page lists it (the removed lines left out)."""
    return str(
        page.evaluate(
            """() => [...document.querySelectorAll('.pg-module .pg-line')]
                .filter((line) => !line.classList.contains('pg-removed'))
                .map((line) => line.textContent).join('')"""
        )
    )


def regen_text(text: str, folder: Path) -> str:
    """What ``lstm-derive regen`` writes for the spec ``text`` as ``cells/lstm.py``."""
    folder.mkdir()
    spec = folder / "lstm.py"
    spec.write_text(text, encoding="utf-8")
    (rendered, _kernels) = render_all(folder, specs=[cells.load_file(spec)])
    return rendered.text


def regen_error(text: str, folder: Path) -> str:
    """The line ``lstm-derive regen --spec cells/lstm.py`` prints for ``text``."""
    (folder / "cells").mkdir(parents=True)
    (folder / "cells" / "lstm.py").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "lstm_derive.cli", "regen", "--spec", "cells/lstm.py",
         "--out", "generated"],
        capture_output=True, text=True, check=False, cwd=folder,
    )  # fmt: skip
    assert result.returncode == 2, result
    return result.stderr.strip()


def derives_an_edited_cell(page: Any, tmp_path: Path) -> None:
    """Softsign, then two arguments to a sigmoid, then the GRU, then the LSTM again."""
    page.goto(f"/en/{PAGE}")
    page.wait_for_selector(".pg-derive:not([disabled])")
    assert page.locator(".lstm-playground .CodeMirror").count() == 1  # the editor
    assert spec_text(page) == LSTM

    # The candidate's tanh becomes a softsign: its derivative is the line that changes.
    # The first click into the editor starts Python; the first result is timed from it.
    started = time.perf_counter()
    type_spec(page, SOFTSIGN)
    derive(page)
    cold = time.perf_counter() - started
    assert page.get_attribute("#playground", "data-state") == "derived"
    assert cold <= COLD_SECONDS, f"the first result took {cold:.1f} s"
    added = page.locator(".pg-module .pg-added").all_inner_texts()
    removed = page.locator(".pg-module .pg-removed").all_inner_texts()
    assert "    d_z_g = d_g * (1 - np.abs(g)) ** 2" in [
        line.rstrip("\n") for line in added
    ]
    assert "    d_z_g = d_g * (1 - g**2)" in [line.rstrip("\n") for line in removed]
    rows = page.locator(".pg-check tbody tr")
    assert rows.count() >= 20
    assert page.locator(".pg-check tbody tr.pg-fail").count() == 0
    assert page.locator(".pg-check tbody tr.pg-ok").count() == rows.count()
    assert page.locator(".pg-maths mjx-container").count() == 2  # typeset
    # The text the page generated is regen's, byte for byte.
    assert shown_module(page) == regen_text(SOFTSIGN, tmp_path / "softsign")

    # Two arguments to a sigmoid: regen's one line, and nothing else.
    type_spec(page, TWO_ARGUMENTS)
    derive(page)
    assert page.get_attribute("#playground", "data-state") == "error"
    error = page.inner_text(".pg-error")
    assert error == regen_error(TWO_ARGUMENTS, tmp_path / "two")
    assert error.startswith("lstm-derive: error: cell 'lstm', gate 'f': ")
    assert not page.locator(".pg-results").is_visible()

    # The GRU preset, unedited: its committed module exactly, every adjoint OK.
    page.select_option(".pg-preset", "gru")
    assert spec_text(page) == (cells.FOLDER / "gru.py").read_text()
    derive(page)
    assert page.get_attribute("#playground", "data-state") == "derived"
    assert page.locator(".pg-module .pg-added, .pg-module .pg-removed").count() == 0
    assert "generated/gru.py" in page.inner_text(".pg-module-note")
    assert page.locator(".pg-check tbody tr.pg-fail").count() == 0

    # A later derivation of the LSTM, equations typeset: within the budget.
    page.select_option(".pg-preset", "lstm")
    warm = derive(page)
    assert page.get_attribute("#playground", "data-state") == "derived"
    assert warm <= WARM_SECONDS, f"a later derivation took {warm:.1f} s"


def opens_a_family_cell_in_chinese(page: Any) -> None:
    """Chapter 11's link of a cell opens the playground with that cell loaded."""
    page.goto(f"/zh_CN/{FAMILY}")
    links = page.locator(".playground-edit a")
    assert links.count() == len(cells.names())
    page.locator(".playground-edit a[href*='cell=gru_cho']").click()
    page.wait_for_selector(".pg-derive:not([disabled])")
    assert page.url.endswith(f"/zh_CN/{PAGE}?cell=gru_cho#playground")
    assert spec_text(page) == (cells.FOLDER / "gru_cho.py").read_text()
    assert page.input_value(".pg-preset") == "gru_cho"
    assert page.inner_text(".pg-derive") == "推导"
    assert page.inner_text(".pg-file") == "cells/gru_cho.py"
