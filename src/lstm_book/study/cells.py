"""The cells the study compares, and each one's "initial retention" knob.

Every cell that keeps part of its previous state through a gate has a knob that
means the same thing in each: at the start of training, how much of the old state
a step keeps. Where the state update reads ``s = r * s_prev + ...`` with a
retention ``r`` that is a gate (the LSTM's ``f``) or one minus a gate (the CIFG's
``1 - i``, the MGU's ``1 - f``), the knob adds ``+b`` or ``-b`` to that gate's bias,
so that the initial retention is ``sigmoid(b)`` in every cell: a bias of 1 keeps
73 % of the state, 3 keeps 95 %. The GRU keeps ``u * h_prev``: ``+b`` on ``u``.

The gate and the sign are derived from each cell's spec and recorded in its
generated module (:func:`retention_of`), never listed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lstm_derive import generated

FAMILY: tuple[str, ...] = (
    "rnn",
    "lstm",
    "peephole_lstm",
    "greff_nig",
    "greff_nfg",
    "greff_nog",
    "greff_niaf",
    "greff_noaf",
    "greff_np",
    "greff_cifg",
    "greff_fgr",
    "gru",
    "gru_cho",
    "mgu",
)
"""The plain RNN, the LSTM (with and without peepholes), Greff et al.'s eight
variants of the peephole LSTM, the GRU in two conventions and the minimal gated
unit: every cell a claim of the chapter is about."""

LEFT_OUT: dict[str, str] = {
    "rnn_relu": "the plain RNN with a ReLU; the study's plain RNN is the tanh one",
    "lstm_relu": "the LSTM of a student's lab report on binary addition (ReLU "
    "candidate and output), not one of the variants the papers compare",
    "lstm_no_output_tanh": "a NumPy LSTM's h = o * c; Greff et al.'s NOAF "
    "(greff_noaf) is the same change of the peephole LSTM, and is studied",
}
"""The generated cells the study leaves out, and why."""


@dataclass(frozen=True)
class Retention:
    """Which gate's bias sets a cell's initial retention, and in which direction."""

    gate: str
    sign: int  # +1: the retention is the gate; -1: it is one minus the gate

    def bias(self, knob: float) -> float:
        """The gate bias for an initial retention of ``sigmoid(knob)``."""
        return self.sign * knob


@cache
def retention_of(cell: str) -> Retention | None:
    """The retention gate of ``cell``; None if it has none.

    The engine reads it off the spec (the coefficient of the previous state in its
    state's equation must be a gate ``g`` or ``1 - g``) and the generated module
    records it as ``RETENTION``. A cell whose states keep their previous value
    without a gate (the NFG's ``c = c_prev + i g``) or not at all (the plain RNN)
    has no knob.
    """
    kept = generated.load(cell).RETENTION
    if kept is None:
        return None
    _state, gate, sign = kept
    return Retention(gate, sign)
