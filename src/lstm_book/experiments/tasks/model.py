"""The model every study task trains, and the training loop they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lstm_derive import generated, nn
from lstm_derive.nn.layer import Array

Batch = tuple[Array, Array]


@dataclass(frozen=True)
class Settings:
    """The hyper-parameters of one run (the study's grid)."""

    learning_rate: float
    forget_bias: float | None = None
    """The initial bias of gate ``f``; ``None`` keeps the default initialisation
    (cells without a forget gate)."""


DEFAULT_SETTINGS = Settings(learning_rate=1e-2, forget_bias=1.0)
"""Adam's step 0.01 and a forget-gate bias of 1 (for cells with a gate ``f``)."""


def has_forget_gate(cell: str) -> bool:
    """Whether the generated cell has a gate named ``f`` (asked of ``nn.Recurrent``,
    which refuses a bias for a gate the cell does not have)."""
    generated.load(cell)  # an unknown cell is a KeyError, not "no forget gate"
    try:
        nn.Recurrent(cell, 1, 1, rng=np.random.default_rng(0), gate_bias={"f": 0.0})
    except ValueError:
        return False
    return True


def recurrent_model(
    cell: str,
    inputs: int,
    hidden: int,
    outputs: int,
    *,
    rng: np.random.Generator,
    settings: Settings,
    sequences: bool,
) -> nn.Sequential:
    """A recurrent layer of ``cell`` and a dense read-out (every step or the last)."""
    gate_bias = None if settings.forget_bias is None else {"f": settings.forget_bias}
    return nn.Sequential(
        nn.Recurrent(
            cell,
            inputs,
            hidden,
            rng=rng,
            return_sequences=sequences,
            gate_bias=gate_bias,
        ),
        nn.Dense(hidden, outputs, rng=rng),
    )


def fit(
    model: nn.Sequential,
    loss: nn.Loss,
    batches: Callable[[np.random.Generator], Batch],
    *,
    updates: int,
    settings: Settings,
    rng: np.random.Generator,
    max_grad_norm: float = 1.0,
) -> Array:
    """``updates`` Adam steps, each on a fresh batch; returns the losses."""
    optimizer = nn.Adam(model.params, settings.learning_rate)
    losses = np.empty(updates)
    for update in range(updates):
        x, target = batches(rng)
        losses[update] = nn.train_step(
            model, loss, optimizer, x, target, max_grad_norm=max_grad_norm
        )
    return losses
