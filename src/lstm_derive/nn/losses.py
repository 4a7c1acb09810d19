"""Losses: each returns the mean loss and its gradient w.r.t. the prediction."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_derive.errors import ShapeError
from lstm_derive.nn.checks import check_finite
from lstm_derive.nn.layer import Array


def _arrays(who: str, prediction: Any, target: Any) -> None:
    """Both plain NumPy arrays, the prediction floating point and finite."""
    for name, value in (("prediction", prediction), ("target", target)):
        if type(value) is not np.ndarray:
            msg = (
                f"{who}: {name} must be a NumPy array, received {type(value).__name__}"
                f" (convert with np.asarray({name}))"
            )
            raise ShapeError(msg)
    if prediction.dtype not in (np.float32, np.float64):
        msg = (
            f"{who}: prediction must be float32 or float64, received {prediction.dtype}"
        )
        raise ShapeError(msg)
    check_finite(who, "prediction", prediction)


def _same_shape(who: str, prediction: Array, target: Array) -> None:
    """Targets like the prediction: same shape, same dtype, finite."""
    _arrays(who, prediction, target)
    if prediction.shape != target.shape:
        msg = (
            f"{who}: expected target of shape {prediction.shape} (the prediction's), "
            f"received {target.shape}"
        )
        raise ShapeError(msg)
    if prediction.size == 0:
        msg = f"{who}: empty prediction of shape {prediction.shape}"
        raise ShapeError(msg)
    if target.dtype != prediction.dtype:
        msg = (
            f"{who}: expected target of dtype {prediction.dtype} (the prediction's), "
            f"received {target.dtype} (convert with .astype(np.{prediction.dtype}); "
            "a float64 target would turn a float32 model's gradients into float64)"
        )
        raise ShapeError(msg)
    check_finite(who, "target", target)


class Loss:
    """``loss(prediction, target) -> (value, d_prediction)``, a mean over entries.

    Inputs are checked (plain arrays, same shape and dtype, finite). A loss too
    large for the dtype is returned as infinity without a warning:
    :func:`~lstm_derive.nn.train_step` then stops, saying so.
    """

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The loss and its gradient w.r.t. ``prediction``."""
        raise NotImplementedError


class MeanSquaredError(Loss):
    """mean((p - t)²) over every entry (Keras' ``mean_squared_error``)."""

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The loss and 2 (p - t) / n."""
        _same_shape("MeanSquaredError", prediction, target)
        with np.errstate(over="ignore", invalid="ignore"):
            error = prediction - target
            return float(np.mean(error**2)), 2 * error / error.size


def place_value_weights(bits: int = 8, dtype: Any = np.float64) -> Array:
    """[2^(bits-1), ..., 2, 1]: the weight of each bit, most significant first."""
    return (2.0 ** np.arange(bits - 1, -1, -1)).astype(dtype)


class WeightedMeanSquaredError(Loss):
    """The place-value loss of a student's lab report on binary addition: (1 / (N n)) Σ_i Σ_j a_j (p_ij - t_ij)².

    ``weights`` a has one entry per output (the last axis), e.g.
    :func:`place_value_weights` = [128, 64, ..., 1] for 8 bits, so an error in a
    high bit costs as much as the number it stands for.
    """

    def __init__(self, weights: Array) -> None:
        self.weights = np.asarray(weights)
        if (
            self.weights.ndim != 1
            or self.weights.dtype.kind not in "fiu"
            or self.weights.size == 0
        ):
            msg = (
                "WeightedMeanSquaredError: weights must be a 1-d array of numbers, "
                f"received shape {self.weights.shape} of {self.weights.dtype}"
            )
            raise ShapeError(msg)
        check_finite("WeightedMeanSquaredError", "weights", self.weights)

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The loss and 2 a (p - t) / (N n)."""
        _same_shape("WeightedMeanSquaredError", prediction, target)
        if prediction.shape[-1] != self.weights.shape[0]:
            msg = (
                f"WeightedMeanSquaredError: expected {self.weights.shape[0]} outputs "
                f"(one per weight), received shape {prediction.shape}"
            )
            raise ShapeError(msg)
        with np.errstate(over="ignore", invalid="ignore"):
            error = prediction - target
            weighted = self.weights.astype(prediction.dtype, copy=False) * error
            return float(np.mean(weighted * error)), 2 * weighted / error.size


class BCEWithLogits(Loss):
    """Binary cross-entropy on logits z with targets t in [0, 1], mean over entries.

    ``max(z, 0) - z t + log(1 + exp(-|z|))`` equals ``-t log σ(z) - (1-t) log(1-σ(z))``
    and never overflows; the gradient is σ(z) - t.
    """

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The loss and (σ(z) - t) / n."""
        _same_shape("BCEWithLogits", prediction, target)
        z = prediction
        loss = np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))
        probability = 0.5 * (1 + np.tanh(0.5 * z))
        return float(np.mean(loss)), (probability - target) / z.size


class SoftmaxCrossEntropy(Loss):
    """-log softmax(z)[label], mean over every labelled position.

    ``prediction`` is logits [..., classes]; ``target`` holds integer labels of
    shape ``prediction.shape[:-1]``.
    """

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The loss and (softmax(z) - onehot(label)) / N."""
        _arrays("SoftmaxCrossEntropy", prediction, target)
        if prediction.shape[:-1] != target.shape or prediction.size == 0:
            msg = (
                f"SoftmaxCrossEntropy: expected integer labels of shape "
                f"{prediction.shape[:-1]}, received {target.shape}"
            )
            raise ShapeError(msg)
        classes = prediction.shape[-1]
        if not np.issubdtype(target.dtype, np.integer) or (
            np.any(target < 0) or np.any(target >= classes)
        ):
            msg = f"SoftmaxCrossEntropy: labels must be integers in 0..{classes - 1}"
            raise ShapeError(msg)
        shifted = prediction - prediction.max(axis=-1, keepdims=True)
        log_probability = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        picked = np.take_along_axis(log_probability, target[..., None], axis=-1)
        count = target.size
        gradient = np.exp(log_probability)
        np.put_along_axis(
            gradient,
            target[..., None],
            np.take_along_axis(gradient, target[..., None], axis=-1) - 1,
            axis=-1,
        )
        return float(-picked.mean()), gradient / count
