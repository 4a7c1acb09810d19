"""The ``lstm-derive`` command: regenerate code, gradient-check a cell, and more.

lstm-derive regen [--check]      write (or check) lstm_derive/generated/*.py
lstm-derive gradcheck lstm       print the gradient-check table of a cell
lstm-derive train binary-addition  train a binary adder, save its weights (.npz)
lstm-derive add 93 116           add two numbers with the trained adder, bit by bit
lstm-derive study --task digits  run the study of the cell family (or part of it)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from lstm_derive.errors import SpecError
from lstm_derive.experiments.binary_addition.commands import CommandError

Command = Callable[[argparse.Namespace], int]


def _regen(args: argparse.Namespace) -> int:
    from lstm_derive.codegen import regen  # noqa: PLC0415 (SymPy only when needed)
    from lstm_derive.codegen.regen import GENERATED, broken  # noqa: PLC0415

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
    from lstm_derive import gradcheck  # noqa: PLC0415

    rows = gradcheck.check(
        args.cell,
        batch=args.batch,
        steps=args.steps,
        inputs=args.inputs,
        hidden=args.hidden,
        seed=args.seed,
    )
    for line in gradcheck.legend(args.cell):
        print(f"# {line}")
    for row in rows:
        print(row.line())
    print(gradcheck.summary(rows))
    return 0 if all(row.ok for row in rows) else 1


def _study(args: argparse.Namespace) -> int:
    from lstm_derive.experiments.study import commands as study  # noqa: PLC0415

    return study.run(args)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        msg = f"must be a whole number >= 1, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per task."""
    from lstm_derive import generated  # noqa: PLC0415

    main = argparse.ArgumentParser(
        prog="lstm-derive", description=__doc__.splitlines()[0]
    )
    commands = main.add_subparsers(dest="command", required=True)

    regen = commands.add_parser(
        "regen", help="regenerate the NumPy code from the cell specs"
    )
    regen.add_argument(
        "--check", action="store_true", help="write nothing; fail on drift"
    )
    regen.set_defaults(run=_regen)

    check = commands.add_parser(
        "gradcheck", help="gradient-check a cell's backward pass"
    )
    check.add_argument("cell", choices=generated.names())
    for name, default in (("batch", 2), ("steps", 3), ("inputs", 3), ("hidden", 4)):
        check.add_argument(f"--{name}", type=_positive, default=default)
    check.add_argument("--seed", type=int, default=0)
    check.set_defaults(run=_gradcheck)

    from lstm_derive.experiments.binary_addition import commands as adder  # noqa: PLC0415

    train = commands.add_parser("train", help="train an experiment's model")
    experiments = train.add_subparsers(dest="experiment", required=True)
    train_adder = experiments.add_parser(
        "binary-addition", help="an LSTM that adds binary numbers"
    )
    adder.add_train_arguments(train_adder)
    train_adder.set_defaults(run=adder.run_train)
    add = commands.add_parser(
        "add", help="add two numbers with trained bit-serial weights, bit by bit"
    )
    adder.add_add_arguments(add)
    add.set_defaults(run=adder.run_add)

    from lstm_derive.experiments.study import commands as study  # noqa: PLC0415

    study_parser = commands.add_parser(
        "study", help="every cell of the family on every task, over seeds and a grid"
    )
    study.add_arguments(study_parser)
    study_parser.set_defaults(run=_study)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except (SpecError, CommandError) as error:
        print(f"lstm-derive: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
