"""The binary-addition commands of ``lstm-derive``: ``train binary-addition`` and ``add``.

``lstm_derive.cli`` registers them; each ``run_*`` function returns the exit status
and raises :class:`CommandError` for input it cannot use (the CLI prints the message
on stderr and exits with status 2, as argparse does for a bad argument).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
from pathlib import Path

import numpy as np

from lstm_book.experiments.binary_addition import bit_serial, report_setup
from lstm_book.experiments.binary_addition.data import from_bits
from lstm_derive.arguments import positive, seed
from lstm_derive.errors import CommandError, MissingExtraError
from lstm_derive.nn.compiled import require_numba
from lstm_derive.nn.weights import weights_path

FORMULATIONS = ("bit-serial", "report")
DEFAULT_WEIGHTS = {
    "bit-serial": "binary-addition-bit-serial.npz",
    "report": "binary-addition-report.npz",
}
MAX_BITS = 64
"""The widest operand ``lstm-book add`` accepts."""


def operand(text: str) -> int:
    """An argparse type: a whole number in 0 .. 2**64 - 1."""
    try:
        value = int(text, 0) if text.lower().startswith(("0x", "0b")) else int(text)
    except ValueError:
        msg = f"not a whole number: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value < 0:
        msg = f"operands must be non-negative, got {value}"
        raise argparse.ArgumentTypeError(msg)
    if value.bit_length() > MAX_BITS:
        msg = f"operands must fit in {MAX_BITS} bits (at most 2**{MAX_BITS} - 1), got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lstm-book train binary-addition``."""
    parser.add_argument(
        "--formulation",
        choices=FORMULATIONS,
        default="bit-serial",
        help="bit-serial: one pair of bits per step (default); "
        "report: the lab report's two steps of 8 bits",
    )
    parser.add_argument(
        "--train-size",
        type=positive,
        help="training samples (report formulation; default 10000, as the report)",
    )
    parser.add_argument(
        "--epochs",
        type=positive,
        help="epochs (report formulation; default 100, as the report)",
    )
    parser.add_argument(
        "--loss",
        choices=("mse", "place-value"),
        help="report formulation's loss (default mse)",
    )
    parser.add_argument(
        "--updates",
        type=positive,
        help="most Adam updates (bit-serial; default 2000, it stops sooner)",
    )
    parser.add_argument(
        "--seed", type=seed, default=0, help="random seed, 0 .. 2**32 - 1 (default 0)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="where to save the weights; .npz is added when missing "
        "(default: binary-addition-<formulation>.npz)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="do not draw a progress bar"
    )
    parser.add_argument(
        "--backend",
        choices=("numpy", "numba"),
        help="what runs the LSTM: the generated NumPy code, or the Numba code "
        "generated from the same derivation (default: numba if it is installed, "
        "else numpy)",
    )


def fastest_backend() -> str:
    """``numba`` if Numba is installed (the compiled whole-sequence path), else ``numpy``."""
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


def run_train(args: argparse.Namespace) -> int:
    """Train the chosen formulation, print its scores and save its weights."""
    report_only = {"--train-size": args.train_size, "--epochs": args.epochs}
    report_only["--loss"] = args.loss
    if args.formulation == "bit-serial":
        given = [name for name, value in report_only.items() if value is not None]
        if given:
            msg = f"{', '.join(given)} only apply to --formulation report"
            raise CommandError(msg)
    elif args.updates is not None:
        msg = "--updates only applies to --formulation bit-serial"
        raise CommandError(msg)
    if args.output is not None and args.output.is_dir():
        msg = f"cannot save the weights to {args.output}: it is a directory"
        raise CommandError(msg)
    output = weights_path(args.output or DEFAULT_WEIGHTS[args.formulation])
    check_writable(output)  # before training, not after
    args.backend = args.backend or fastest_backend()
    if args.backend != "numpy":
        try:  # before any training
            require_numba()
        except MissingExtraError as error:
            raise CommandError(str(error)) from None
    if args.formulation == "bit-serial":
        _train_bit_serial(args, output)
    else:
        _train_report(args, output)
    return 0


def check_writable(output: Path) -> None:
    """Refuse, before any training, an ``--output`` the weights cannot be saved to.

    The folder must exist and accept a new file (tried for real: a temporary file
    is created and removed), and ``output`` must not be a folder.
    """
    if not output.parent.is_dir():
        msg = f"cannot save the weights to {output}: no directory {output.parent}"
        raise CommandError(msg)
    if output.is_dir():
        msg = f"cannot save the weights to {output}: it is a directory"
        raise CommandError(msg)
    try:
        handle, probe = tempfile.mkstemp(dir=output.parent, prefix=".lstm-derive-")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        msg = f"cannot save the weights to {output}: {reason} ({output.parent})"
        raise CommandError(msg) from None
    os.close(handle)
    Path(probe).unlink()


def _train_bit_serial(args: argparse.Namespace, output: Path) -> None:
    config = bit_serial.SerialConfig(
        seed=args.seed,
        max_updates=args.updates or bit_serial.SerialConfig.max_updates,
        backend=args.backend,
    )
    run = bit_serial.train_serial(config, show_progress=not args.no_progress)
    print(
        f"bit-serial LSTM (hidden {config.hidden}, backend {config.backend}): "
        f"{run.updates} updates in {run.seconds:.1f} s"
    )
    print(f"all 16384 pairs of 0..127:      {run.exhaustive_accuracy():.2%} exact")
    print(f"held-out pairs (never trained): {run.held_out_accuracy():.2%} exact")
    rng = np.random.default_rng(args.seed + 1)
    for width in (16, 32, 64):
        accuracy = bit_serial.random_accuracy(run.model, width, 1000, rng)
        print(f"1000 random {width}-bit pairs:    {accuracy:.2%} exact")
    saved = run.model.save(output)
    print(f"saved the weights to {saved}; try: lstm-book add 93 116 --weights {saved}")


def _train_report(args: argparse.Namespace, output: Path) -> None:
    config = report_setup.ReportConfig(
        train_size=args.train_size or report_setup.ReportConfig.train_size,
        epochs=args.epochs or report_setup.ReportConfig.epochs,
        loss=args.loss or "mse",
        seed=args.seed,
        backend=args.backend,
    )
    run = report_setup.train_report(config, show_progress=not args.no_progress)
    print(
        f"two-step LSTM (hidden {config.hidden}, {config.loss}, backend "
        f"{config.backend}): {config.train_size} samples, {config.epochs} epochs "
        f"in {run.seconds:.1f} s"
    )
    for label, result in (
        ("all 16384 pairs", run.exhaustive_score()),
        ("held-out pairs", run.held_out_score()),
        ("seen pairs", run.seen_score()),
    ):
        print(
            f"{label + ':':17} {result.exact:7.2%} exact sums, "
            f"{result.per_bit:7.2%} bits right ({result.pairs} pairs)"
        )
    saved = run.model.save(output)
    print(f"saved the weights to {saved}")


def add_add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``lstm-book add``."""
    parser.add_argument("a", type=operand, help="a whole number, 0 .. 2**64 - 1")
    parser.add_argument("b", type=operand, help="a whole number, 0 .. 2**64 - 1")
    parser.add_argument(
        "--weights",
        type=Path,
        default=Path(DEFAULT_WEIGHTS["bit-serial"]),
        help="bit-serial weights saved by `lstm-book train binary-addition` "
        f"(default {DEFAULT_WEIGHTS['bit-serial']})",
    )


def run_add(args: argparse.Namespace) -> int:
    """Add a and b with saved bit-serial weights, printing every step."""
    path = weights_path(args.weights)
    if not path.is_file() and Path(args.weights).is_file():
        msg = f"{args.weights} is not a weights file: their names end in .npz"
        raise CommandError(msg)
    if not path.is_file():
        msg = (
            f"no weights file {path}: train one with "
            f"`lstm-book train binary-addition --output {path}`"
        )
        raise CommandError(msg)
    try:
        model = bit_serial.load_serial_model(path)
    except ValueError as error:  # WeightsError: the message names the file
        msg = f"cannot use these weights: {error}"
        raise CommandError(msg) from None
    addition = bit_serial.add(model, args.a, args.b)
    print("step  a  b  sum bit  P(bit = 1)")
    for step in addition.steps:
        print(
            f"{step.step:4d}  {step.a_bit}  {step.b_bit}  {step.sum_bit:7d}  "
            f"{step.probability:10.4f}"
        )
    bits = np.array([[step.sum_bit for step in addition.steps]], dtype=np.uint8)
    written = "".join(str(step.sum_bit) for step in reversed(addition.steps))
    assert from_bits(bits, lsb_first=True)[0] == addition.result
    verdict = "right" if addition.correct else f"WRONG, the sum is {args.a + args.b}"
    print(f"sum bits, most significant first: {written}")
    print(
        f"{args.a} + {args.b} = {addition.result} according to the network ({verdict})"
    )
    return 0
