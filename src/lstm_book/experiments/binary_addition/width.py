"""Accuracy against operand width, for both formulations.

The bit-serial model is trained once (on 8-bit pairs) and scored on wider and
narrower numbers as they are. The report's two-step model cannot be: its input
layer has one unit per bit, so a model built for 8 bits rejects a 16-bit operand
outright (:func:`report_model_rejects`). What can be measured for it is a fresh model
of the same design trained at each width with the same budget
(:func:`report_width_accuracy`): how well the formulation itself scales.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from lstm_book.experiments.binary_addition.bit_serial import (
    exact_accuracy,
    random_accuracy,
)
from lstm_book.experiments.binary_addition.data import all_pairs
from lstm_book.experiments.binary_addition.progress import progress
from lstm_book.experiments.binary_addition.report_setup import (
    ReportConfig,
    ReportRun,
    report_inputs,
    score,
    train_report,
)
from lstm_derive import nn
from lstm_derive.errors import ShapeError
from lstm_derive.nn.layer import Array


@dataclass(frozen=True)
class WidthAccuracy:
    """Exact-sum accuracy at each operand width."""

    widths: Array
    accuracy: Array
    pairs: Array
    """How many pairs were scored at each width."""


def serial_width_accuracy(
    model: nn.Sequential, widths: list[int], *, count: int = 2000, seed: int = 1
) -> WidthAccuracy:
    """Score one bit-serial model at each width: every pair when there are at most
    ``count`` of them, else ``count`` random pairs of operands in 0..2**width - 1."""
    rng = np.random.default_rng(seed)
    accuracy, pairs = [], []
    for width in widths:
        if 4**width <= count:
            every = all_pairs(2**width - 1)
            accuracy.append(exact_accuracy(model, every[:, 0], every[:, 1], width))
            pairs.append(len(every))
        else:
            accuracy.append(random_accuracy(model, width, count, rng))
            pairs.append(count)
    return WidthAccuracy(np.asarray(widths), np.asarray(accuracy), np.asarray(pairs))


def report_width_accuracy(
    widths: list[int],
    config: ReportConfig,
    *,
    held_out_sample: int = 4096,
    show_progress: bool = False,
    trained: Mapping[int, ReportRun] | None = None,
) -> WidthAccuracy:
    """Train the report's design afresh at each width (operands below 2**(width-1)),
    with ``config``'s budget, and score up to ``held_out_sample`` held-out pairs.

    ``trained`` maps a width to a run already trained with exactly this
    configuration at that width (training is deterministic, so it is the model
    this function would train); it is scored instead of trained again.
    """
    accuracy, pairs = [], []
    for width in progress(widths, enabled=show_progress, description="widths"):
        wanted = replace(config, bits=width)
        run = (trained or {}).get(width) or train_report(wanted)
        if run.config != wanted:
            msg = f"the run given for width {width} was trained with {run.config}, not {wanted}"
            raise ValueError(msg)
        held_out = run.split.held_out
        if len(held_out) > held_out_sample:
            rng = np.random.default_rng(config.seed)
            held_out = held_out[
                rng.choice(len(held_out), held_out_sample, replace=False)
            ]
        accuracy.append(score(run.model, held_out, width).exact)
        pairs.append(len(held_out))
    return WidthAccuracy(np.asarray(widths), np.asarray(accuracy), np.asarray(pairs))


def report_model_rejects(model: nn.Sequential, width: int) -> str:
    """The error an 8-bit two-step model raises when given ``width``-bit operands.

    Returns the message (the empty string if the model accepted the input).
    """
    operands = np.array([[2 ** (width - 1) - 1, 1]])
    try:
        model.forward(report_inputs(operands, width))
    except ShapeError as error:
        return str(error)
    return ""
