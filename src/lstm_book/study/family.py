"""The cells the study compares, and which of them the engine has generated."""

from __future__ import annotations

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
variants (no input / forget / output gate, no input / output activation, no
peepholes, coupled input and forget gates, full gate recurrence), the GRU (two
conventions) and the minimal gated unit."""


def available() -> list[str]:
    """The cells of :data:`FAMILY` that have generated code, in family order."""
    present = set(generated.names())
    return [cell for cell in FAMILY if cell in present]


def missing() -> list[str]:
    """The cells of :data:`FAMILY` still waiting for generated code."""
    present = set(generated.names())
    return [cell for cell in FAMILY if cell not in present]
