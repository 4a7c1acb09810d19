"""`lstm-derive export` and `lstm-derive cells`: one NumPy file per cell, and the list."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_derive import generated
from lstm_derive.cli import main
from lstm_derive.nn import bptt

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
module = __import__(sys.argv[2] + "_numpy")
rng = np.random.default_rng(0)
params = module.init_params(3, 4, rng)
x = rng.standard_normal((2, 5, 3))
states = {s: rng.standard_normal((2, 4)) for s in module.STATES}
hs, finals, cache = module.cell_forward(x, states, params)
grads = module.cell_backward(np.cos(hs), cache)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("lstm_derive", "sympy"))
print(json.dumps({"hs": hs.tolist(), "grads": {k: v.tolist() for k, v in grads.items()},
                  "loaded": loaded}))
"""


@pytest.mark.parametrize("cell", ["lstm", "gru_cho", "greff_fgr"])
def test_exported_file_runs_alone_and_matches_the_package(
    cell: str, tmp_path: Path
) -> None:
    assert main(["export", cell, "--output", str(tmp_path)]) == 0
    result = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT, str(tmp_path), cell],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    exported = json.loads(result.stdout)
    assert exported["loaded"] == []  # neither lstm_derive nor SymPy
    runner = bptt.Cell.of(generated.load(cell))
    rng = np.random.default_rng(0)
    bound = 1 / np.sqrt(4)
    params = {n: rng.uniform(-bound, bound, s) for n, s in runner.shapes(3, 4).items()}
    x = rng.standard_normal((2, 5, 3))
    states = {s: rng.standard_normal((2, 4)) for s in runner.states}
    hs, _, cache = runner.forward(x, states, params)
    grads = runner.backward(np.cos(hs), cache)
    np.testing.assert_array_equal(np.array(exported["hs"]), hs)
    assert set(exported["grads"]) == set(grads)
    for name, value in grads.items():
        np.testing.assert_array_equal(np.array(exported["grads"][name]), value)


def test_export_to_a_missing_folder_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "lstm", "--output", str(tmp_path / "no" / "x.py")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lstm-derive: error: cannot write")
    assert "\n" not in err


def test_cells_lists_every_cell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cells"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["cell", "gates", "states"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(generated.names())
    assert rows["lstm"].endswith("4*H^2 + 4*H*I + 4*H")
    assert rows["gru"].split()[1:4] == ["r", "u", "n"]
    assert " 2 " in rows["gru_cho"]  # two stages
