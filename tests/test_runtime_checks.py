"""The runtime refuses what it cannot compute with, early and by name."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_derive import nn
from lstm_derive.errors import ForwardFirstError, NonFiniteError, ShapeError
from lstm_derive.nn.layer import Array


def lstm(return_sequences: bool = True, **kwargs: Any) -> nn.Recurrent:
    sizes = {"inputs": 3, "hidden": 4, **kwargs}
    return nn.Recurrent(
        "lstm",
        rng=np.random.default_rng(0),
        return_sequences=return_sequences,
        **sizes,
    )


def x(batch: int = 2, steps: int = 5) -> Array:
    return np.random.default_rng(1).standard_normal((batch, steps, 3))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_refused_at_the_layer(value: float) -> None:
    data = x()
    data[1, 2, 0] = value
    with pytest.raises(
        NonFiniteError, match=r"x has 1 non-finite entries .*\(1, 2, 0\)"
    ):
        lstm().forward(data)
    dense = nn.Dense(3, 2, rng=np.random.default_rng(0))
    with pytest.raises(NonFiniteError, match="Dense"):
        dense.forward(data[:, 2])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float32])
def test_other_dtypes_are_refused_not_converted(dtype: Any) -> None:
    with pytest.raises(ShapeError, match=r"expected x of dtype float64.*astype"):
        lstm().forward(x().astype(dtype))
    dense = nn.Dense(3, 2, rng=np.random.default_rng(0))
    with pytest.raises(ShapeError, match=r"expected x of dtype float64.*astype"):
        dense.forward(x()[:, 0].astype(dtype))


def test_lists_are_refused_with_the_conversion_to_use() -> None:
    dense = nn.Dense(3, 2, rng=np.random.default_rng(0))
    with pytest.raises(ShapeError, match=r"must be a NumPy array, received list"):
        dense.forward([[1.0, 2.0, 3.0]])  # type: ignore[arg-type]
    with pytest.raises(ShapeError, match=r"np\.asarray\(x, dtype=np\.float64\)"):
        lstm().forward(x().tolist())


@pytest.mark.parametrize("size", ["inputs", "hidden"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True])
def test_recurrent_sizes_must_be_positive_whole_numbers(size: str, value: Any) -> None:
    with pytest.raises(ShapeError, match=rf"{size} must be a whole number >= 1"):
        lstm(**{size: value})


def test_dense_sizes_must_be_positive() -> None:
    with pytest.raises(ShapeError, match="outputs must be a whole number >= 1"):
        nn.Dense(3, 0, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    "layer",
    [
        lstm(),
        nn.Dense(3, 2, rng=np.random.default_rng(0)),
        nn.Tanh(),
        nn.Sigmoid(),
    ],
    ids=repr,
)
def test_backward_before_forward_is_refused(layer: nn.Layer) -> None:
    with pytest.raises(ForwardFirstError, match="backward called before forward"):
        layer.backward(np.zeros((2, 5, 4)))


@pytest.mark.parametrize("return_sequences", [True, False])
def test_d_out_must_have_the_shape_forward_returned(return_sequences: bool) -> None:
    layer = lstm(return_sequences)
    out = layer.forward(x(steps=5))
    wrong = (2, 6, 4) if return_sequences else (2, 5)
    with pytest.raises(
        ShapeError,
        match=rf"expected d_out of shape {tuple(out.shape)}.* received {wrong}".replace(
            "(", r"\("
        ).replace(")", r"\)"),
    ):
        layer.backward(np.zeros(wrong))
    assert layer.backward(np.ones(out.shape)).shape == (2, 5, 3)


def test_dense_d_out_is_checked_too() -> None:
    dense = nn.Dense(3, 2, rng=np.random.default_rng(0))
    dense.forward(x()[:, 0])
    with pytest.raises(ShapeError, match=r"expected d_out of shape \(2, 2\)"):
        dense.backward(np.zeros((2, 3)))


@pytest.mark.parametrize("rate", [np.nan, -0.1, 0.0, np.inf, "fast"])
@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam])
def test_optimizers_refuse_a_bad_learning_rate(optimizer: Any, rate: Any) -> None:
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        optimizer(lstm().params, learning_rate=rate)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: nn.SGD(p, 0.1, momentum=-0.5), "momentum"),
        (lambda p: nn.SGD(p, 0.1, momentum=1.0), "momentum"),
        (lambda p: nn.SGD(p, 0.1, momentum=np.nan), "momentum"),
        (lambda p: nn.Adam(p, 0.1, betas=(0.9, 1.0)), r"betas\[1\]"),
        (lambda p: nn.Adam(p, 0.1, betas=(-0.1, 0.9)), r"betas\[0\]"),
        (lambda p: nn.Adam(p, 0.1, betas=(0.9,)), "a pair"),
        (lambda p: nn.Adam(p, 0.1, eps=0.0), "eps"),
        (lambda p: nn.Adam(p, 0.1, eps=np.nan), "eps"),
    ],
)
def test_optimizers_refuse_bad_hyperparameters(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(lstm().params)


def classifier() -> nn.Sequential:
    rng = np.random.default_rng(0)
    return nn.Sequential(
        nn.Recurrent("lstm", 3, 4, rng=rng, return_sequences=False),
        nn.Dense(4, 1, rng=rng),
    )


def test_a_nan_loss_stops_training_with_parameters_untouched() -> None:
    model = classifier()
    adam = nn.Adam(model.params, learning_rate=0.01)
    target = np.zeros((2, 1))
    nn.train_step(model, nn.MeanSquaredError(), adam, x(), target)
    before = {name: p.copy() for name, p in model.params.items()}
    target[0, 0] = np.nan
    with pytest.raises(NonFiniteError, match="training step 2: the loss is nan"):
        nn.train_step(model, nn.MeanSquaredError(), adam, x(), target)
    for name, param in model.params.items():
        np.testing.assert_array_equal(param, before[name])
    assert adam.updates == 1


class NanGradient(nn.Layer):
    """A layer whose parameter gradient is NaN (as an overflow inside backward)."""

    def __init__(self) -> None:
        super().__init__()
        self.params = {"scale": np.ones(1)}

    def __repr__(self) -> str:
        return "NanGradient()"

    def forward(self, x: Array) -> Array:
        return x * self.params["scale"]

    def backward(self, d_out: Array) -> Array:
        self.grads = {"scale": np.full(1, np.nan)}
        return d_out * self.params["scale"]


def test_a_non_finite_gradient_names_the_step_and_the_layer() -> None:
    model = nn.Sequential(*classifier().layers, NanGradient())
    sgd = nn.SGD(model.params, learning_rate=0.1)
    before = {name: p.copy() for name, p in model.params.items()}
    with pytest.raises(
        NonFiniteError,
        match=r"training step 1: the gradient of parameter 'scale' of layer 2 "
        r"\(NanGradient\(\)\) is not finite",
    ):
        nn.train_step(model, nn.MeanSquaredError(), sgd, x(), np.zeros((2, 1)))
    for name, param in model.params.items():
        np.testing.assert_array_equal(param, before[name])
