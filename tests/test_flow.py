"""The data flows one way: specs -> derivation -> codegen -> generated -> nn -> experiments.

The generated code, the runtime, the course bridge and the experiments import NumPy
(and plotting/progress helpers), never SymPy or the stages before the generated code;
nothing in the package imports the site.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "lstm_derive"
UPSTREAM = ("sympy", "lstm_derive.cells", "lstm_derive.derive", "lstm_derive.codegen")
RUNTIME_FOLDERS = ("generated", "nn", "course", "experiments")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in ``path`` names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", RUNTIME_FOLDERS)
def test_runtime_stages_never_import_upstream_stages(folder: str) -> None:
    files = sorted((PACKAGE / folder).rglob("*.py"))
    assert files
    for path in files:
        upstream = [
            name
            for name in imported_modules(path)
            if any(name == u or name.startswith(u + ".") for u in UPSTREAM)
        ]
        assert not upstream, f"{path.relative_to(PACKAGE)} imports {upstream}"


def test_the_package_never_imports_the_site() -> None:
    for path in PACKAGE.rglob("*.py"):
        site = [
            n for n in imported_modules(path) if n.split(".")[0] in {"docs", "conf"}
        ]
        assert not site, f"{path.relative_to(PACKAGE)} imports {site}"


def test_training_runs_without_sympy_loaded() -> None:
    """Train the bit-serial adder and a Recurrent layer; SymPy is never imported."""
    script = (
        "import sys\n"
        "from lstm_derive.experiments.binary_addition import bit_serial\n"
        "run = bit_serial.train_serial(bit_serial.SerialConfig(max_updates=50))\n"
        "assert run.updates > 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sympy'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
