"""Optimizers that update parameters in place, and gradient-norm clipping."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from lstm_derive.errors import NonFiniteError
from lstm_derive.nn.layer import Array


def check_hyperparameter(
    who: str,
    name: str,
    value: object,
    *,
    low: float,
    high: float = math.inf,
    low_inclusive: bool = False,
) -> float:
    """A finite real number in (low, high) (or [low, high)), else a ValueError."""
    number = float(value) if isinstance(value, numbers.Real) else math.nan
    above = number >= low if low_inclusive else number > low
    if isinstance(value, bool) or not (
        math.isfinite(number) and above and number < high
    ):
        bracket = "[" if low_inclusive else "("
        wanted = f"> {low:g}" if math.isinf(high) else f"in {bracket}{low:g}, {high:g})"
        msg = f"{who}: {name} must be a finite number {wanted}, received {value!r}"
        raise ValueError(msg)
    return number


def _norm_parts(grads: dict[str, Array]) -> tuple[float, float]:
    """(largest |entry|, norm of all gradients divided by it): ``largest * relative``
    is the joint norm, and neither part overflows."""
    largest = max(
        (float(np.max(np.abs(g))) for g in grads.values() if g.size), default=0.0
    )
    if largest == 0.0 or not math.isfinite(largest):
        return largest, 1.0
    relative = math.sqrt(
        sum(
            float(np.sum(np.square(g / largest, dtype=np.float64)))
            for g in grads.values()
        )
    )
    return largest, relative


def grad_norm(grads: dict[str, Array]) -> float:
    """The joint L2 norm of every gradient, in float64.

    Scaled by the largest entry first, so huge gradients (1e20 in float32, 1e200
    in float64) give their norm, not infinity from squares that overflow.
    """
    largest, relative = _norm_parts(grads)
    return largest * relative


def clip_grad_norm(grads: dict[str, Array], max_norm: float) -> float:
    """Scale every gradient in place so their joint L2 norm is at most ``max_norm``.

    Returns the norm before clipping (as ``torch.nn.utils.clip_grad_norm_`` does),
    computed by :func:`grad_norm`, so huge gradients are clipped, not zeroed.
    ``max_norm`` must be a finite number > 0.
    """
    max_norm = check_hyperparameter("clip_grad_norm", "max_norm", max_norm, low=0.0)
    largest, relative = _norm_parts(grads)
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    if largest * relative > max_norm:
        scale = (max_norm / largest) / relative
        for gradient in grads.values():
            np.multiply(gradient, scale, out=gradient, casting="unsafe")
    return largest * relative


class Optimizer:
    """Updates ``params`` (a dict of arrays, changed in place) from ``grads``.

    A step is all or nothing: every new value is computed first, and if any is not
    finite (a learning rate too large for these gradients) the step raises
    :class:`~lstm_derive.errors.NonFiniteError` and changes neither the parameters
    nor the optimizer's state.
    """

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

    def _commit(self, new: dict[str, Array], state: list[tuple[Array, Array]]) -> None:
        """Write the new parameters and state arrays, if every parameter is finite."""
        for name, value in new.items():
            if not np.isfinite(value).all():
                msg = (
                    f"{type(self).__name__}: the update of {name!r} is not finite "
                    f"(learning rate {self.learning_rate:g} is too large for these "
                    "gradients); parameters left as they were"
                )
                raise NonFiniteError(msg)
        if not all(np.isfinite(value).all() for _, value in state):
            msg = (
                f"{type(self).__name__}: its running averages overflow (gradients too "
                "large for the dtype: clip them with max_grad_norm); parameters left "
                "as they were"
            )
            raise NonFiniteError(msg)
        for name, value in new.items():
            self.params[name][...] = value
        for target, value in state:
            target[...] = value


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
        new, state = {}, []
        with np.errstate(over="ignore", invalid="ignore"):  # _commit checks
            for name, param in self.params.items():
                velocity = self.momentum * self.velocity[name] + grads[name]
                new[name] = param - self.learning_rate * velocity
                state.append((self.velocity[name], velocity))
        self._commit(new, state)


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
        steps = self.steps + 1
        beta1, beta2 = self.betas
        correction1 = 1 - beta1**steps
        correction2 = 1 - beta2**steps
        new, state = {}, []
        with np.errstate(over="ignore", invalid="ignore"):  # _commit checks
            for name, param in self.params.items():
                gradient = grads[name]
                m = beta1 * self.first[name]
                m += (1 - beta1) * gradient
                v = beta2 * self.second[name]
                v += (1 - beta2) * gradient * gradient
                update = self.learning_rate * (m / correction1)
                update /= np.sqrt(v / correction2) + self.eps
                new[name] = param - update
                state += [(self.first[name], m), (self.second[name], v)]
        self._commit(new, state)
        self.steps = steps
