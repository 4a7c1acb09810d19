"""Optimizers that update parameters in place, and gradient-norm clipping."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lstm_derive.nn.layer import Array


def check_hyperparameter(
    who: str,
    name: str,
    value: float,
    *,
    low: float,
    high: float = math.inf,
    low_inclusive: bool = False,
) -> float:
    """A finite real number in (low, high) (or [low, high)), else a ValueError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    above = number >= low if low_inclusive else number > low
    if isinstance(value, bool) or not (
        math.isfinite(number) and above and number < high
    ):
        bracket = "[" if low_inclusive else "("
        wanted = f"> {low:g}" if math.isinf(high) else f"in {bracket}{low:g}, {high:g})"
        msg = f"{who}: {name} must be a finite number {wanted}, received {value!r}"
        raise ValueError(msg)
    return number


def clip_grad_norm(grads: dict[str, Array], max_norm: float) -> float:
    """Scale every gradient in place so their joint L2 norm is at most ``max_norm``.

    Returns the norm before clipping (as ``torch.nn.utils.clip_grad_norm_`` does).
    """
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for gradient in grads.values():
            np.multiply(gradient, scale, out=gradient)
    return norm


class Optimizer:
    """Updates ``params`` (a dict of arrays, changed in place) from ``grads``."""

    def __init__(self, params: dict[str, Array], learning_rate: float) -> None:
        who = type(self).__name__
        self.learning_rate = check_hyperparameter(
            who, "learning_rate", learning_rate, low=0.0
        )
        self.params = params
        self.updates = 0
        """Updates applied so far (``train_step`` counts them)."""

    def step(self, grads: dict[str, Array]) -> None:
        """Apply one update."""
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr · (v = momentum · v + g); plain gradient descent when momentum = 0."""

    def __init__(
        self, params: dict[str, Array], learning_rate: float, momentum: float = 0.0
    ) -> None:
        super().__init__(params, learning_rate)
        self.momentum = check_hyperparameter(
            "SGD", "momentum", momentum, low=0.0, high=1.0, low_inclusive=True
        )
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, grads: dict[str, Array]) -> None:
        """One (momentum) gradient-descent step."""
        for name, param in self.params.items():
            velocity = self.velocity[name]
            velocity *= self.momentum
            velocity += grads[name]
            np.subtract(param, self.learning_rate * velocity, out=param)


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015) with bias correction; Keras' defaults."""

    def __init__(
        self,
        params: dict[str, Array],
        learning_rate: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-7,
    ) -> None:
        super().__init__(params, learning_rate)
        if len(betas) != 2:
            msg = f"Adam: betas must be a pair (beta1, beta2), received {betas!r}"
            raise ValueError(msg)
        beta1, beta2 = (
            check_hyperparameter(
                "Adam", name, beta, low=0.0, high=1.0, low_inclusive=True
            )
            for name, beta in zip(("betas[0]", "betas[1]"), betas, strict=True)
        )
        self.betas = (beta1, beta2)
        self.eps = check_hyperparameter("Adam", "eps", eps, low=0.0)
        self.steps = 0
        self.first = {name: np.zeros_like(p) for name, p in params.items()}
        self.second = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, grads: dict[str, Array]) -> None:
        """One Adam step."""
        self.steps += 1
        beta1, beta2 = self.betas
        correction1 = 1 - beta1**self.steps
        correction2 = 1 - beta2**self.steps
        for name, param in self.params.items():
            gradient = grads[name]
            m, v = self.first[name], self.second[name]
            m *= beta1
            m += (1 - beta1) * gradient
            v *= beta2
            v += (1 - beta2) * gradient * gradient
            update = self.learning_rate * (m / correction1)
            update /= np.sqrt(v / correction2) + self.eps
            np.subtract(param, update, out=param)
