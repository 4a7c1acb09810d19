"""The real ``lstm-derive`` command on user errors: one line on stderr, no traceback.

Every probe runs the command in a subprocess (``python -m lstm_derive.cli``) and
checks the exit status and that stderr is one line without "Traceback".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_book import cli as book_cli
from lstm_book.experiments.binary_addition import bit_serial, commands
from lstm_derive import arguments, cli

COMMAND = [sys.executable, "-m", "lstm_derive.cli"]
BOOK = [sys.executable, "-m", "lstm_book.cli"]
BOOK_COMMANDS = {"train", "add", "study"}


def command(*args: str) -> list[str]:
    """The library's command, or the book's for its demo commands."""
    return [*(BOOK if args and args[0] in BOOK_COMMANDS else COMMAND), *args]


ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "error"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), capture_output=True, text=True, check=False,
        timeout=300, cwd=cwd, env=ENV,
    )  # fmt: skip


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], status: int = 2, says: str = ""
) -> None:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(("lstm-derive", "lstm-book"))
    assert says in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["gradcheck", "lstm", "--seed", "-1"], "--seed: must be a whole number"),
        (["gradcheck", "lstm", "--hidden", "100000"], "of memory"),
        (["gradcheck", "lstm", "--hidden", "many"], "--hidden: must be a whole"),
        (["gradcheck", "no_such_cell"], "invalid choice: 'no_such_cell'"),
        (["train", "binary-addition", "--seed", "-1"], "--seed"),
        (["train", "binary-addition", "--updates", "1e3"], "--updates"),
        (["add", "1", "-2"], ""),
        (["add", "1"], "required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_errors_print_one_line(args: list[str], says: str, tmp_path: Path) -> None:
    assert_one_line_error(run(*args, cwd=tmp_path), says=says)


def test_an_unwritable_output_is_refused_before_training(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    result = run(
        "train", "binary-addition", "--output", str(blocker / "w"), cwd=tmp_path
    )
    assert_one_line_error(result, says="cannot save the weights")
    assert result.stdout == ""  # refused before training printed anything
    result = run("train", "binary-addition", "--output", str(tmp_path), cwd=tmp_path)
    assert_one_line_error(result, says="it is a directory")


def test_the_printed_weights_name_is_the_file_that_exists(tmp_path: Path) -> None:
    argv = ["train", "binary-addition", "--no-progress", "--output", "myweights"]
    trained = run(*argv, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "--weights myweights.npz" in trained.stdout
    assert (tmp_path / "myweights.npz").is_file()
    assert not (tmp_path / "myweights").exists()
    for name in ("myweights.npz", "myweights"):  # the name printed, the name given
        added = run("add", "3", "4", "--weights", name, cwd=tmp_path)
        assert added.returncode == 0, added.stderr
        assert "3 + 4 = " in added.stdout


def weights_files(folder: Path) -> dict[str, Path]:
    """Files `add` must refuse, each in one line."""
    files = {name: folder / f"{name}.npz" for name in ("empty", "text", "npy", "nan")}
    files["empty"].write_bytes(b"")
    files["text"].write_text("0.5 0.25\n")
    with files["npy"].open("wb") as handle:
        np.save(handle, np.zeros((2, 3)))
    model = bit_serial.build_serial_model(np.random.default_rng(0), hidden=4)
    model.save(files["nan"])
    with np.load(files["nan"]) as saved:
        arrays = {name: saved[name] for name in saved.files}
    first = next(iter(model.params))
    arrays[first] = np.full_like(arrays[first], np.nan)
    np.savez(files["nan"], **arrays)
    return files


@pytest.mark.parametrize("kind", ["empty", "text", "npy", "nan"])
def test_add_refuses_broken_weights_in_one_line(tmp_path: Path, kind: str) -> None:
    path = weights_files(tmp_path)[kind]
    result = run("add", "3", "5", "--weights", str(path), cwd=tmp_path)
    assert_one_line_error(result, says="cannot use these weights")
    assert result.stdout == ""


def interruptible() -> None:
    """In the child: Ctrl-C's default action, even where the test runner was started
    in the background (`cmd &` starts its children with SIGINT ignored, and Python
    then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    # Large enough that the check is still running when the signal arrives.
    args = ["gradcheck", "lstm", "--hidden", "64", "--steps", "50", "--no-progress"]
    with subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=tmp_path, env=ENV,
        preexec_fn=interruptible,  # noqa: PLW1509 (the test runs no threads)
    ) as process:  # fmt: skip
        assert process.stdout is not None
        assert process.stdout.readline().startswith("# ")  # the check has begun
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    result = subprocess.CompletedProcess(args, process.returncode, "", stderr)
    assert_one_line_error(result, status=130, says="interrupted")


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`lstm-derive gradcheck lstm | head -1`: no BrokenPipeError on stderr."""
    with subprocess.Popen(
        [*COMMAND, "gradcheck", "lstm"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=tmp_path, env=ENV,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        assert process.stdout.readline().startswith(b"# ")
        process.stdout.close()  # what `head -1` does after its line
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert stderr == ""
    assert status == 1


def test_memory_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(_args: argparse.Namespace) -> int:
        raise MemoryError

    monkeypatch.setattr(commands, "run_add", exhausted)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = book_cli.main(["add", "1", "2"])
    assert status == 2
    assert stderr.getvalue() == "lstm-book: error: out of memory: try smaller sizes\n"


def parsed(parse: Callable[[str], int], text: str) -> tuple[int | None, str]:
    """The number, or None and the error's message (argparse's error type only)."""
    try:
        return parse(text), ""
    except argparse.ArgumentTypeError as error:
        return None, str(error)


@given(text=st.text(max_size=40) | st.from_regex(r"-?[0-9]{1,40}", fullmatch=True))
def test_number_arguments_return_a_number_in_range_or_a_clean_error(text: str) -> None:
    for parse, low, high in (
        (arguments.positive, 1, None),
        (arguments.seed, 0, arguments.SEED_LIMIT),
    ):
        value, message = parsed(parse, text)
        if value is None:
            assert "\n" not in message
        else:
            assert value >= low
            assert high is None or value <= high
            assert value == int(text)
    operand, message = parsed(commands.operand, text)
    if operand is None:
        assert "\n" not in message
    else:
        assert 0 <= operand < 2**commands.MAX_BITS


@given(text=st.text(max_size=30))
def test_the_parser_turns_any_seed_text_into_a_number_or_one_line(text: str) -> None:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.suppress(SystemExit):
        args = cli.parser().parse_args(["gradcheck", "lstm", "--seed", text])
        assert 0 <= args.seed <= arguments.SEED_LIMIT
        return
    assert len(stderr.getvalue().strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args", [["cells"], ["gradcheck", "rnn", "--no-progress"], ["regen", "--check"]]
)
def test_a_full_output_device_is_one_line(tmp_path: Path, args: list[str]) -> None:
    """``lstm-derive cells > /dev/full``: the write fails; one line, status 2."""
    with Path("/dev/full").open("w") as full:
        result = subprocess.run(
            command(*args), stdout=full, stderr=subprocess.PIPE, text=True,
            check=False, timeout=300, cwd=tmp_path, env=ENV,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "lstm-derive: error: cannot write the output: No space left on device"
    ]


def test_a_save_that_fails_after_training_is_one_line(tmp_path: Path) -> None:
    """The folder is writable, but the file may not grow past 100 bytes."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    existing = tmp_path / "w.npz"
    existing.write_bytes(b"old weights")
    result = subprocess.run(
        command("train", "binary-addition", "--no-progress", "--output", "w.npz"),
        capture_output=True, text=True, check=False, timeout=300, cwd=tmp_path,
        env=ENV, preexec_fn=limit,
    )  # fmt: skip
    assert_one_line_error(result, says="File too large; no file was changed")
    assert "100.00% exact" in result.stdout  # it trained, then could not save
    assert existing.read_bytes() == b"old weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]


def test_a_file_name_that_is_not_utf8_is_printed_not_a_traceback(
    tmp_path: Path,
) -> None:
    name = os.fsdecode(b"\xff.py")
    result = run("export", "rnn", "--output", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    assert (tmp_path / name).exists()
    assert_one_line_error(run("gradcheck", name, cwd=tmp_path), says="invalid choice")
