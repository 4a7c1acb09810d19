"""Optimizers that update parameters in place, and gradient-norm clipping."""

from __future__ import annotations

import numpy as np

from lstm_derive.nn.layer import Array


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
        if learning_rate <= 0:
            msg = f"learning_rate must be > 0, received {learning_rate}"
            raise ValueError(msg)
        self.params = params
        self.learning_rate = learning_rate

    def step(self, grads: dict[str, Array]) -> None:
        """Apply one update."""
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr · (v = momentum · v + g); plain gradient descent when momentum = 0."""

    def __init__(
        self, params: dict[str, Array], learning_rate: float, momentum: float = 0.0
    ) -> None:
        super().__init__(params, learning_rate)
        self.momentum = momentum
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
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-7,
    ) -> None:
        super().__init__(params, learning_rate)
        self.betas, self.eps = betas, eps
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
