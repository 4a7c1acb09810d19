"""The site's playground, in CPython: the scalar gradient check and what the page shows.

The page runs the same functions in Pyodide without NumPy
(tests/site/test_playground_in_browser.py drives it in Chromium).
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import re
import subprocess
import sys
import tokenize
import zipfile
from pathlib import Path

import pytest
import sympy

from lstm_derive import cells, cli, derive, playground
from lstm_derive.cells.functions import ACTIVATIONS, FUNCTIONS
from lstm_derive.codegen import scalar_check
from lstm_derive.codegen.printer import code
from lstm_derive.codegen.regen import GENERATED, ruff_format
from lstm_derive.derive.model import Derivation

LSTM_TEXT = (cells.FOLDER / "lstm.py").read_text(encoding="utf-8")
SOFTSIGN = LSTM_TEXT.replace("g: tanh(z_g),", "g: softsign(z_g),").replace(
    "import sigmoid, tanh", "import sigmoid, softsign, tanh"
)


@pytest.mark.parametrize("name", cells.names())
def test_every_committed_cell_passes_the_scalar_check(name: str) -> None:
    rows = scalar_check.check(derive.derive(cells.load(name)))
    derivation = derive.derive(cells.load(name))
    assert {row.name for row in rows} == {str(a.target) for a in derivation.backward}
    assert max(row.worst for row in rows) <= scalar_check.TOLERANCE
    assert all(row.ok for row in rows)


def with_adjoint(derivation: Derivation, name: str, expr: sympy.Expr) -> Derivation:
    """The derivation with the adjoint ``name``'s expression replaced."""
    stages = tuple(
        dataclasses.replace(
            stage,
            backward=tuple(
                dataclasses.replace(a, expr=expr) if str(a.target) == name else a
                for a in stage.backward
            ),
        )
        for stage in derivation.stages
    )
    return dataclasses.replace(derivation, stages=stages)


def test_a_wrong_adjoint_fails() -> None:
    lstm = derive.derive(cells.load("lstm"))
    d_g, g = sympy.symbols("d_g g")
    # tanh's derivative written as a sigmoid's: 1 - g² is the right one
    wrong = with_adjoint(lstm, "d_z_g", d_g * g * (1 - g))
    rows = {row.name: row for row in scalar_check.check(wrong)}
    assert not rows["d_z_g"].ok
    assert rows["d_z_g"].worst > 0.01
    # what reads it inherits the error; what comes before it does not
    assert not rows["d_zx_g"].ok
    assert rows["d_c"].ok
    assert rows["d_z_f"].ok


def test_a_dropped_term_fails() -> None:
    peephole = derive.derive(cells.load("peephole_lstm"))
    adjoint = peephole.adjoint("c_prev")
    wrong = with_adjoint(peephole, "d_c_prev", adjoint.terms[0].partial.expr)
    rows = {row.name: row for row in scalar_check.check(wrong)}
    assert not rows["d_c_prev"].ok


def test_the_scalar_namespace_has_every_activation() -> None:
    z = sympy.Symbol("z")
    for name, entry in ACTIVATIONS.items():
        assert set(entry.imports) <= set(scalar_check.SCALARS), name
        printed = code(FUNCTIONS[name](z), "math")
        value = eval(printed, scalar_check.NAMESPACE, {"z": 0.7})
        expected = float(entry.definition(sympy.Float(0.7)))
        assert value == pytest.approx(expected, rel=1e-12), name


def test_the_check_finds_a_point_where_a_logarithm_is_defined() -> None:
    text = LSTM_TEXT.replace("g: tanh(z_g),", "g: log(z_g),").replace(
        "import sigmoid, tanh", "import log, sigmoid, tanh"
    )
    result = playground.run(text, "lstm")
    assert result["ok"], result
    assert all(row["ok"] for row in result["check"]["rows"])


@pytest.mark.parametrize("preset", playground.PRESETS, ids=lambda p: p.key)
def test_presets(preset: playground.Preset) -> None:
    offered = {p["key"]: p for p in playground.presets()["presets"]}[preset.key]
    result = playground.run(offered["text"], offered["cell"], ruff_format)
    if preset.edits:  # broken on purpose: the line regen prints
        assert not result["ok"]
        assert result["error"].startswith(f"lstm-derive: error: cell '{preset.cell}'")
        return
    assert result["ok"], result
    # an unedited spec generates its committed module exactly
    committed = (GENERATED / f"{preset.cell}.py").read_text(encoding="utf-8")
    assert result["module"] == committed
    assert {state for state, _ in result["lines"]} == {"same"}
    assert all(row["ok"] for row in result["check"]["rows"])
    assert len(result["adjoints"]) == len(
        derive.derive(cells.load(preset.cell)).backward
    )


def test_an_edit_shows_the_changed_lines() -> None:
    result = playground.run(SOFTSIGN, "lstm", ruff_format)
    assert result["ok"]
    added = [line for state, line in result["lines"] if state == "added"]
    removed = [line for state, line in result["lines"] if state == "removed"]
    assert "    d_z_g = d_g * (1 - np.abs(g)) ** 2" in added
    assert "    d_z_g = d_g * (1 - g**2)" in removed
    new = [line for state, line in result["lines"] if state != "removed"]
    assert "\n".join(new) + "\n" == result["module"]


def regen_spec_text(text: str, folder: Path) -> tuple[int, str, str]:
    """``lstm-derive regen --spec cells/lstm.py --out generated`` in ``folder``:
    status, module, stderr."""
    (folder / "cells").mkdir()
    (folder / "cells" / "lstm.py").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "lstm_derive.cli", "regen", "--spec", "cells/lstm.py",
         "--out", "generated"],
        capture_output=True, text=True, check=False, cwd=folder,
    )  # fmt: skip
    module = folder / "generated" / "lstm.py"
    return (
        result.returncode,
        module.read_text(encoding="utf-8") if module.exists() else "",
        result.stderr,
    )


def test_an_edit_generates_what_regen_writes(tmp_path: Path) -> None:
    status, written, _ = regen_spec_text(SOFTSIGN, tmp_path)
    assert status == 0
    shown = playground.run(SOFTSIGN, "lstm", ruff_format)["module"]
    # regen --spec names the spec by its file name; the page by the package's path
    source = "lstm_derive/cells/lstm.py"
    assert shown == written.replace("from lstm.py;", f"from {source};", 1)


@pytest.mark.parametrize(
    "edit",
    [
        ("f: sigmoid(z_f),", "f: sigmoid(z_f, z_i),"),
        ("g: tanh(z_g),", "g: softsign(z_g),"),  # not imported
        ("h: o * tanh(c),", "h: o * tanh(c"),  # not Python
    ],
)
def test_a_bad_spec_shows_regens_one_line(
    tmp_path: Path, edit: tuple[str, str]
) -> None:
    text = LSTM_TEXT.replace(*edit)
    status, _, stderr = regen_spec_text(text, tmp_path)
    assert status == 2
    result = playground.run(text, "lstm")
    # the same line, but for the folder of the spec file (a SyntaxError names it)
    folder = re.compile(r"'/[^']*/cells/lstm\.py'")
    assert result["ok"] is False
    assert folder.sub("cells/lstm.py", result["error"]) == folder.sub(
        "cells/lstm.py", stderr.strip()
    )
    assert "\n" not in result["error"]


def test_the_error_line_is_the_commands() -> None:
    assert (
        cli.error_line("cell 'lstm': x\nmore") == "lstm-derive: error: cell 'lstm': x"
    )


def normalised(text: str) -> tuple[str, list[str]]:
    """A module's code (its AST) and its comments, whatever the layout."""
    tree = ast.dump(ast.parse(text))
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return tree, [t.string for t in tokens if t.type == tokenize.COMMENT]


@pytest.mark.parametrize("name", cells.names())
def test_unformatted_text_is_the_committed_module_but_for_layout(name: str) -> None:
    """Without ruff (the page's fallback) the code and comments are still regen's."""
    derivation = derive.derive(cells.load(name))
    text = playground.generate(derivation, None)
    committed = (GENERATED / f"{name}.py").read_text(encoding="utf-8")
    assert normalised(text) == normalised(committed)


def test_the_bundle_runs_without_numpy_or_ruff(tmp_path: Path) -> None:
    """The zip the site serves holds all the page imports and reads, and no NumPy."""
    names = playground.bundle(tmp_path / "bundle.zip")
    assert "lstm_derive/playground.py" in names
    assert "lstm_derive/generated/lstm.py" in names
    assert not any(
        "/compiled/" in name or name.startswith("lstm_book") for name in names
    )
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        archive.extractall(tmp_path / "engine")
    script = f"""
import json, sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "ruff", "numba", "tqdm", "matplotlib"):
            raise ImportError(name)
sys.meta_path.insert(0, Blocked())
sys.path.insert(0, {str(tmp_path / "engine")!r})
from lstm_derive import playground
assert playground.__file__.startswith({str(tmp_path)!r}), playground.__file__
text = open({str(tmp_path / "engine" / "lstm_derive" / "cells" / "gru.py")!r}).read()
print(json.dumps(playground.run(text, "gru")))
"""
    result = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True
    )
    shown = json.loads(result.stdout)
    assert shown["ok"]
    assert normalised(shown["module"]) == normalised(
        (GENERATED / "gru.py").read_text(encoding="utf-8")
    )


def test_presets_hold_every_cell() -> None:
    offered = playground.presets()
    assert sorted(offered["cells"]) == cells.names()
    assert [p["key"] for p in offered["presets"]] == [p.key for p in playground.PRESETS]
