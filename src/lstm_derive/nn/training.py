"""One training step, and shuffled minibatches."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lstm_derive.nn.layer import Array, Layer
from lstm_derive.nn.losses import Loss
from lstm_derive.nn.optim import Optimizer, clip_grad_norm


def minibatches(
    count: int, batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[Array]:
    """Index arrays covering 0..count-1 in batches (shuffled when ``rng`` is given)."""
    order = np.arange(count) if rng is None else rng.permutation(count)
    for start in range(0, count, batch_size):
        yield order[start : start + batch_size]


def train_step(
    model: Layer,
    loss: Loss,
    optimizer: Optimizer,
    x: Array,
    target: Array,
    max_grad_norm: float | None = None,
) -> float:
    """Forward, loss, backward, optional clipping, update; returns the loss."""
    value, d_prediction = loss(model.forward(x), target)
    model.backward(d_prediction)
    if max_grad_norm is not None:
        clip_grad_norm(model.grads, max_grad_norm)
    optimizer.step(model.grads)
    return value
