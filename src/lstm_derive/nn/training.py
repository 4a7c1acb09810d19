"""One training step, and shuffled minibatches."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from lstm_derive.errors import NonFiniteError
from lstm_derive.nn.checks import all_finite, check_size
from lstm_derive.nn.layer import Array, Layer
from lstm_derive.nn.losses import Loss
from lstm_derive.nn.optim import Optimizer, check_hyperparameter, clip_grad_norm


def minibatches(
    count: int, batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[Array]:
    """Index arrays covering 0..count-1 in batches (shuffled when ``rng`` is given)."""
    check_size("minibatches", "count", count)
    check_size("minibatches", "batch_size", batch_size)
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
    """Forward, loss, backward, optional clipping, update; returns the loss.

    A NaN or infinite loss, gradient or updated parameter stops training with a
    :class:`~lstm_derive.errors.NonFiniteError` naming the step (counted by the
    optimizer, from 1) and the layer; the parameters are then left exactly as they
    were before the step. ``max_grad_norm`` must be a finite number > 0 (or None).
    """
    if max_grad_norm is not None:
        check_hyperparameter("train_step", "max_grad_norm", max_grad_norm, low=0.0)
    step = optimizer.updates + 1
    value, d_prediction = loss(model.forward(x), target)
    problem = ""
    if not math.isfinite(value):
        problem = f"the loss is {value}"
    elif not all_finite(d_prediction):
        problem = "the loss's gradient is not finite"
    if problem:
        msg = (
            f"training step {step}: {problem} (parameters left as they were before "
            "this step; check the targets and the learning rate)"
        )
        raise NonFiniteError(msg)
    model.backward_parameters(d_prediction)
    for name, gradient in model.grads.items():
        if not all_finite(gradient):
            msg = (
                f"training step {step}: the gradient of {_parameter(model, name)} "
                "is not finite (parameters left as they were before this step; "
                "try a smaller learning rate or max_grad_norm)"
            )
            raise NonFiniteError(msg)
    if max_grad_norm is not None:
        clip_grad_norm(model.grads, max_grad_norm)
    try:
        optimizer.step(model.grads)
    except NonFiniteError as error:
        msg = f"training step {step}: {error}"
        raise NonFiniteError(msg) from None
    optimizer.updates = step
    return value


def _parameter(model: Layer, key: str) -> str:
    """``parameter 'W_x' of layer 0 (Recurrent('lstm', ...))`` for a grads key."""
    layers = getattr(model, "layers", None)
    index, _, name = key.partition(".")
    if isinstance(layers, list) and index.isdigit() and int(index) < len(layers):
        return f"parameter {name!r} of layer {index} ({layers[int(index)]!r})"
    return f"parameter {key!r} of {model!r}"
