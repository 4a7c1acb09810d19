"""The lstm-derive command line."""

from __future__ import annotations

import pytest

from lstm_derive.cli import main


def test_gradcheck_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["gradcheck", "lstm", "--batch", "1", "--steps", "2", "--hidden", "2"])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("# parameter k: 0 = W_x, 1 = b_x, 2 = W_h")
    rows = [line for line in lines if not line.startswith("#")][:-1]
    assert len(rows) == (2 + 3) * 8 + 8 + 1 * 2 * 3 + 2 * 2
    assert all(line.endswith("[OK]") for line in rows)
    assert lines[-1].endswith("all OK")


def test_regen_check_passes_on_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regen", "--check"]) == 0
    assert "matches" in capsys.readouterr().out


def test_unknown_cell_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["gradcheck", "no_such_cell"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'no_such_cell'" in capsys.readouterr().err


def test_sizes_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["gradcheck", "lstm", "--hidden", "0"])
    assert "must be a whole number >= 1" in capsys.readouterr().err
