"""The ``lstm-book`` command: the book's experiments from the command line.

lstm-book train binary-addition  train a binary adder, save its weights (.npz)
lstm-book add 93 116             add two numbers with the trained adder, bit by bit
lstm-book study --task digits    run the study of the cell family (or part of it)

It runs through the library's one error handler (:func:`lstm_derive.cli.run`): a
user error prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lstm_derive import cli

PROG = "lstm-book"
DESCRIPTION = "The book's experiments: a binary adder to train and use, and the study of the LSTM family."


def parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per experiment."""
    from lstm_book.experiments.binary_addition import commands as adder  # noqa: PLC0415
    from lstm_book.study import commands as study  # noqa: PLC0415

    main = cli.Parser(prog=PROG, description=DESCRIPTION)
    commands = main.add_subparsers(dest="command", required=True)
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
    study_parser = commands.add_parser(
        "study", help="every cell of the family on every task, over seeds and a grid"
    )
    study.add_arguments(study_parser)
    study_parser.set_defaults(run=study.run)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    return cli.run(parser, argv, PROG)


if __name__ == "__main__":
    sys.exit(main())
