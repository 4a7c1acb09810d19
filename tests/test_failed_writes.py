"""Writes that fail part-way leave every file as it was; new files follow the umask.

A write can fail after some files are written: a full disk or a file-size limit
(``RLIMIT_FSIZE``, which stops root too), a read-only folder, Ctrl-C. ``regen``
writes many files and must replace all of them or none; ``export`` and weights
replace one file in one rename.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstm_derive
from lstm_derive import cells, files, nn
from lstm_derive.codegen.regen import render_all
from lstm_derive.export import export_text

PACKAGE = Path(lstm_derive.__file__).parent


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package under tmp_path/src; returns that src folder."""
    shutil.copytree(
        PACKAGE,
        tmp_path / "src" / "lstm_derive",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path / "src"


def digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (temporary files included) and its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def limit_file_size(size: int) -> Callable[[], None]:
    """A preexec_fn: no file the child writes may grow beyond ``size`` bytes."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


def run_cli(
    src: Path | None, *args: str, cwd: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "error"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return subprocess.run(
        [sys.executable, "-m", "lstm_derive.cli", *args],
        capture_output=True, text=True, check=False, cwd=cwd, env=env,
        preexec_fn=preexec, timeout=600,
    )  # fmt: skip


def assert_one_line(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert says in result.stderr, result.stderr


def edit_lstm(src: Path) -> None:
    """An edit that changes the LSTM's NumPy module and its compiled kernels."""
    spec = src / "lstm_derive" / "cells" / "lstm.py"
    text = spec.read_text()
    spec.write_text(text.replace("g: tanh(z_g),", "g: tanh(2 * z_g),"))


# --- regen: all or nothing ---------------------------------------------------------


def test_regen_refuses_to_delete_when_no_spec_loads(
    package_copy: Path, tmp_path: Path
) -> None:
    cells = package_copy / "lstm_derive" / "cells"
    for spec in cells.glob("*.py"):
        if spec.stem not in {"__init__", "functions", "spec"}:
            spec.unlink()
    generated = package_copy / "lstm_derive" / "generated"
    before = digests(generated)
    for args in (["regen"], ["regen", "--check"]):
        result = run_cli(package_copy, *args, cwd=tmp_path)
        assert_one_line(result, "no cell spec found")
    assert digests(generated) == before


def test_regen_stopped_by_a_file_size_limit_changes_nothing(
    package_copy: Path, tmp_path: Path
) -> None:
    """The NumPy module fits under the limit, its compiled kernels do not."""
    edit_lstm(package_copy)
    generated = package_copy / "lstm_derive" / "generated"
    numpy_size = (generated / "lstm.py").stat().st_size
    compiled_size = (generated / "compiled" / "lstm.py").stat().st_size
    assert numpy_size + 500 < compiled_size
    before = digests(generated)
    result = run_cli(
        package_copy, "regen", cwd=tmp_path, preexec=limit_file_size(numpy_size + 500)
    )
    assert_one_line(result, "File too large; no file was changed")
    assert digests(generated) == before  # no module replaced, no temporary left


def test_regen_with_a_read_only_folder_changes_nothing(
    package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder that refuses new files (read-only; root ignores mode bits, so the
    refusal is simulated where the temporary file is made)."""
    edit_lstm(package_copy)
    generated = package_copy / "lstm_derive" / "generated"
    compiled = generated / "compiled"
    make_temporary = tempfile.mkstemp

    def read_only_compiled(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs["dir"]) == compiled:
            raise PermissionError(13, "Read-only file system", str(compiled))
        return make_temporary(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only_compiled)
    before = digests(generated)
    specs = [cells.load_file(package_copy / "lstm_derive/cells/lstm.py")]
    rendered = render_all(generated, specs)
    stale = {item.path: item.text for item in rendered if not item.is_current()}
    assert {p.parent for p in stale} == {generated, compiled}
    with pytest.raises(files.WriteError, match="Read-only file system"):
        files.replace_files(stale)
    assert digests(generated) == before


@pytest.mark.parametrize(
    "failure", [OSError(28, "No space left on device"), KeyboardInterrupt()]
)
def test_a_failure_while_files_are_replaced_puts_every_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    """Ctrl-C or an error after some targets were replaced: all are restored."""
    targets = [tmp_path / f"module_{k}.py" for k in range(4)]
    for k, path in enumerate(targets[:3]):
        path.write_text(f"old {k}\n")
    gone = tmp_path / "orphan.py"
    gone.write_text("orphan\n")
    before = digests(tmp_path)
    rename = os.replace
    calls = {"count": 0}

    def failing_replace(source: Any, target: Any) -> None:
        calls["count"] += 1
        if calls["count"] == 5:  # two targets already replaced
            raise failure
        rename(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    changes: dict[Path, str | None] = {path: f"new {path.name}\n" for path in targets}
    changes[gone] = None
    expected = files.WriteError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        files.replace_files(changes)
    monkeypatch.setattr(os, "replace", rename)
    assert digests(tmp_path) == before
    files.replace_files(changes)  # and without the failure, every change is made
    assert not gone.exists()
    assert [p.read_text() for p in targets] == [f"new {p.name}\n" for p in targets]


# --- export ------------------------------------------------------------------------


def test_a_failed_export_leaves_the_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "lstm_numpy.py"
    existing.write_text("# my own file\n")
    limit = len(export_text("lstm").encode()) // 2
    result = run_cli(
        None, "export", "lstm", "--output", str(existing), cwd=tmp_path,
        preexec=limit_file_size(limit),
    )  # fmt: skip
    assert_one_line(result, "File too large")
    assert existing.read_text() == "# my own file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lstm_numpy.py"]


def test_export_to_a_missing_folder_named_with_a_slash_writes_nothing(
    tmp_path: Path,
) -> None:
    result = run_cli(None, "export", "gru", "--output", "newdir/", cwd=tmp_path)
    assert_one_line(result, "no directory newdir/")
    assert list(tmp_path.iterdir()) == []


# --- the mode of new files ---------------------------------------------------------


@pytest.fixture
def umask_022() -> Any:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_written_files_follow_the_umask(package_copy: Path, tmp_path: Path) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    edit_lstm(package_copy)
    assert run_cli(package_copy, "regen", cwd=tmp_path).returncode == 0
    generated = package_copy / "lstm_derive" / "generated"
    assert mode(generated / "lstm.py") == 0o644
    assert mode(generated / "compiled" / "lstm.py") == 0o644
    written = files.write_atomic(tmp_path / "new.py", "x = 1\n")
    assert mode(written) == 0o644
    (tmp_path / "kept.py").write_text("x = 0\n")
    (tmp_path / "kept.py").chmod(0o600)  # a replaced file keeps its own mode
    assert mode(files.write_atomic(tmp_path / "kept.py", "x = 1\n")) == 0o600
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Dense(2, 1, rng=rng))
    assert mode(model.save(tmp_path / "weights")) == 0o644
    assert run_cli(None, "export", "rnn", cwd=tmp_path).returncode == 0
    assert mode(tmp_path / "rnn_numpy.py") == 0o644
