"""The ``lstm-derive`` command: regenerate code, gradient-check a cell, and more.

lstm-derive regen [--check]      write (or check) lstm_derive/generated/*.py
lstm-derive regen --spec F --out D   generate your own cell's modules into D
lstm-derive gradcheck lstm       print the gradient-check table of a cell
lstm-derive cells                list every cell: gates, states, parameter count
lstm-derive export gru           write one cell and the BPTT driver as one NumPy file

Each subcommand is one ``_name(args) -> int`` function; :func:`main` runs it inside
the one error handler: a user error, or a file that cannot be read or written
(a full disk, a read-only folder, ``> /dev/full``), prints one line on stderr and
exits with status 2; Ctrl-C prints one line and exits with 130; a closed output
pipe (``lstm-derive gradcheck lstm | head -1``) ends quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from lstm_derive.arguments import positive, seed
from lstm_derive.errors import CommandError, ShapeError, SpecError
from lstm_derive.files import WriteError

Command = Callable[[argparse.Namespace], int]
PROG = "lstm-derive"
DESCRIPTION = (
    "Derive recurrent cells with SymPy: regenerate their NumPy code, list them, "
    "gradient-check them, export one as a single file."
)
USER_ERRORS = (SpecError, CommandError, ShapeError)
"""Errors that mean "change the input": reported in one line, exit status 2."""
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``lstm-derive gradcheck: error: ...``, status 2."""

    def error(self, message: str) -> NoReturn:
        """Print the error on one line (no usage block) and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _regen(args: argparse.Namespace) -> int:
    try:
        from lstm_derive.codegen import regen  # noqa: PLC0415 (SymPy only when needed)
        from lstm_derive.codegen.regen import GENERATED, broken  # noqa: PLC0415
    except ImportError as error:
        msg = (
            f"regen needs SymPy and ruff ({error.name} is missing): "
            "pip install 'lstm-derive[derive]'"
        )
        raise CommandError(msg) from error

    if (args.spec is None) != (args.out is None):
        msg = "--spec and --out go together: regen --spec my_cell.py --out DIR"
        raise CommandError(msg)
    if args.spec is not None:
        from lstm_derive.codegen.regen import regen_spec  # noqa: PLC0415

        report = regen_spec(args.spec, Path(args.out), check=args.check)
        for item in report.stale:
            print(f"{'stale' if args.check else 'wrote'} {item.path}")
        if report.clean:
            print(f"{args.out} already holds what {args.spec} generates")
        return 1 if args.check and not report.clean else 0
    report = regen(check=args.check)
    if args.check:
        for item in report.stale:
            print(f"stale: {item.path} differs from what {item.spec.name} generates")
        for path in report.removed:
            print(f"orphan: {path} has no cell spec (regen removes it)")
        failing = broken(GENERATED)
        for path, reason in failing:
            print(f"broken: {path}: {reason}")
        if not report.clean or failing:
            print("run `nox -s regen` (or `lstm-derive regen`) and commit the result")
            return 1
        print("generated code matches the cell specs")
        return 0
    for item in report.stale:
        print(f"wrote {item.path}")
    for path in report.removed:
        print(f"removed {path} (its cell spec is gone)")
    if report.clean:
        print("generated code already matches the cell specs")
    return 0


def _gradcheck(args: argparse.Namespace) -> int:
    from lstm_derive import generated, gradcheck  # noqa: PLC0415
    from lstm_derive import gradcheck_progress as sizes  # noqa: PLC0415
    from lstm_derive.nn import bptt  # noqa: PLC0415

    cell = bptt.Cell.of(generated.load(args.cell))
    shape = (args.batch, args.steps, args.inputs, args.hidden)
    needed, available = sizes.memory_needed(cell, *shape), sizes.memory_available()
    if available is not None and needed > available:
        msg = (
            f"gradcheck {args.cell} with these sizes needs about "
            f"{sizes.size_text(needed)} of memory, {sizes.size_text(available)} is "
            "available: choose smaller --batch, --steps, --inputs or --hidden"
        )
        raise CommandError(msg)
    for line in gradcheck.legend(cell):
        print(f"# {line}", flush=True)  # at once: the check may take a while
    total = sizes.entries(cell, *shape) * sizes.FORWARDS_PER_ENTRY + 1
    with sizes.progress_bar(total, enabled=not args.no_progress) as bar:
        rows = gradcheck.check(
            sizes.CountingCell(cell, bar),
            batch=args.batch,
            steps=args.steps,
            inputs=args.inputs,
            hidden=args.hidden,
            seed=args.seed,
        )
    for row in rows:
        print(row.line())
    print(gradcheck.summary(rows))
    return 0 if all(row.ok for row in rows) else 1


def _cells(args: argparse.Namespace) -> int:
    del args
    from lstm_derive import generated  # noqa: PLC0415

    rows = [("cell", "gates", "states", "stages", "parameters (I inputs, H hidden)")]
    for name in generated.names():
        module = generated.load(name)
        rows.append(
            (
                name,
                " ".join(module.GATES),
                " ".join(module.STATES),
                str(len(module.STAGES)),
                module.PARAMETER_COUNT,
            )
        )
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [value.ljust(width) for value, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return 0


def _export(args: argparse.Namespace) -> int:
    from lstm_derive.export import export  # noqa: PLC0415

    written = export(args.cell, args.output or f"{args.cell}_numpy.py")
    print(f"wrote {written} (NumPy only: the {args.cell} cell and the BPTT driver)")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per task."""
    from lstm_derive import generated  # noqa: PLC0415

    main = Parser(prog=PROG, description=DESCRIPTION)
    commands = main.add_subparsers(dest="command", required=True)

    regen = commands.add_parser(
        "regen", help="regenerate the NumPy code from the cell specs"
    )
    regen.add_argument(
        "--check", action="store_true", help="write nothing; fail on drift"
    )
    regen.add_argument(
        "--spec",
        metavar="FILE",
        help="a spec file of your own (anywhere): generate its modules into --out",
    )
    regen.add_argument(
        "--out",
        metavar="DIR",
        help="where --spec's modules go: DIR/<cell>.py and DIR/compiled/<cell>.py",
    )
    regen.set_defaults(run=_regen)

    check = commands.add_parser(
        "gradcheck", help="gradient-check a cell's backward pass"
    )
    check.add_argument("cell", choices=generated.names())
    for name, default in (("batch", 2), ("steps", 3), ("inputs", 3), ("hidden", 4)):
        check.add_argument(f"--{name}", type=positive, default=default)
    check.add_argument(
        "--seed", type=seed, default=0, help="random seed, 0 .. 2**32 - 1 (default 0)"
    )
    check.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is drawn on stderr, on a terminal only)",
    )
    check.set_defaults(run=_gradcheck)

    listing = commands.add_parser(
        "cells", help="list every cell: gates, states, parameter count"
    )
    listing.set_defaults(run=_cells)

    export = commands.add_parser(
        "export", help="write one cell and the BPTT driver as a single NumPy file"
    )
    export.add_argument("cell", choices=generated.names())
    export.add_argument(
        "--output",
        default=None,
        help="file or folder (default: ./<cell>_numpy.py)",
    )
    export.set_defaults(run=_export)

    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    return run(parser, argv)


def run(
    make_parser: Callable[[], argparse.ArgumentParser],
    argv: Sequence[str] | None,
    prog: str = PROG,
) -> int:
    """Parse ``argv`` with ``make_parser()`` and run the chosen subcommand.

    The one error handler of the project's commands (the book's ``lstm-book``
    runs its own through it): see the module docstring.
    """
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = make_parser().parse_args(argv)
        command: Command = args.run
        status = command(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except USER_ERRORS as error:
        return _fail(prog, str(error), 2)
    except MemoryError:
        return _fail(prog, "out of memory: try smaller sizes", 2)
    except KeyboardInterrupt:
        return _fail(prog, "interrupted", INTERRUPTED)
    except BrokenPipeError:
        # The reader has gone (`| head`): send what is left to /dev/null, as the
        # Python documentation recommends (library/signal, "Note on SIGPIPE").
        _detach_stdout()
        return 1
    except OSError as error:  # a file or the output that cannot be read or written
        if isinstance(error, WriteError) or error.filename is not None:
            return _fail(prog, _os_message(error), 2)
        # no file named: writing the output failed (`> /dev/full`)
        _detach_stdout()
        return _fail(prog, f"cannot write the output: {_os_reason(error)}", 2)
    return int(status)


def _detach_stdout() -> None:
    """Send stdout to /dev/null, so the exit's flush of the buffer cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _os_reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _os_message(error: OSError) -> str:
    """``cannot use weights.npz: Permission denied``, or a WriteError's own message."""
    if isinstance(error, WriteError):
        return str(error)
    return f"cannot use {error.filename}: {_os_reason(error)}"


def error_line(message: str, prog: str = PROG) -> str:
    """``<prog>: error: <first line of message>``, as the command reports a failure."""
    line = message.strip().splitlines()[0] if message.strip() else "failed"
    return f"{prog}: error: {line}"


def _fail(prog: str, message: str, status: int) -> int:
    """Print :func:`error_line` on stderr; return status."""
    with contextlib.suppress(OSError):  # stderr itself may be closed or full
        print(error_line(message, prog), file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
