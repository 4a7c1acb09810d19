"""The data flows one way: specs -> derivation -> codegen -> generated -> nn -> the book.

The generated code and the runtime import NumPy, never SymPy or the stages before
the generated code; the library (``lstm_derive``) never imports the book
(``lstm_book``: experiments, study, course bridge, site helpers, records), and
neither imports the site.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "lstm_derive"
BOOK = SRC / "lstm_book"
UPSTREAM = ("sympy", "lstm_derive.cells", "lstm_derive.derive", "lstm_derive.codegen")
RUNTIME_FOLDERS = ("generated", "nn")
BOOK_RUNTIME_FOLDERS = ("course", "experiments", "study")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in ``path`` names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "folder",
    [PACKAGE / f for f in RUNTIME_FOLDERS] + [BOOK / f for f in BOOK_RUNTIME_FOLDERS],
    ids=lambda folder: f"{folder.parent.name}/{folder.name}",
)
def test_runtime_stages_never_import_upstream_stages(folder: Path) -> None:
    files = sorted(folder.rglob("*.py"))
    assert files
    for path in files:
        upstream = [
            name
            for name in imported_modules(path)
            if any(name == u or name.startswith(u + ".") for u in UPSTREAM)
        ]
        assert not upstream, f"{path.relative_to(SRC)} imports {upstream}"


def test_the_library_never_imports_the_book() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    for path in files:
        book = [n for n in imported_modules(path) if n.split(".")[0] == "lstm_book"]
        assert not book, f"{path.relative_to(SRC)} imports {book}"
        assert "lstm_book" not in path.read_text(encoding="utf-8"), path


def test_neither_package_imports_the_site() -> None:
    for path in [*PACKAGE.rglob("*.py"), *BOOK.rglob("*.py")]:
        site = [
            n for n in imported_modules(path) if n.split(".")[0] in {"docs", "conf"}
        ]
        assert not site, f"{path.relative_to(SRC)} imports {site}"


def test_the_library_wheel_holds_no_experiment_and_no_record(tmp_path: Path) -> None:
    """Build the library's wheel: lstm_derive only, no book, no JSON record."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(SRC.parent)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("lstm_derive-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    packages = {name.split("/")[0] for name in names}
    assert packages == {"lstm_derive", "lstm_derive-0.1.0.dist-info"}
    assert not [n for n in names if n.endswith(".json")]
    assert not [n for n in names if "experiment" in n or "study" in n]
    assert "lstm_derive/generated/lstm.py" in names


def test_training_runs_without_sympy_loaded() -> None:
    """Train the bit-serial adder and a Recurrent layer; SymPy is never imported."""
    script = (
        "import sys\n"
        "from lstm_book.experiments.binary_addition import bit_serial\n"
        "run = bit_serial.train_serial(bit_serial.SerialConfig(max_updates=50))\n"
        "assert run.updates > 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sympy'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
