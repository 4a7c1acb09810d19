"""The runtime refuses what it cannot compute with, early and by name."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import require

from lstm_derive import nn
from lstm_derive.errors import ForwardFirstError, NonFiniteError, ShapeError
from lstm_derive.interop import from_torch
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
    target[0, 0] = 1e200  # finite, but its squared error overflows
    with pytest.raises(NonFiniteError, match="training step 2: the loss is inf"):
        nn.train_step(model, nn.MeanSquaredError(), adam, x(), target)
    target[0, 0] = np.nan
    with pytest.raises(NonFiniteError, match="target has 1 non-finite entries"):
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


# --- a second round of bad input ---------------------------------------------------


@pytest.mark.parametrize("norm", [-1.0, 0.0, np.nan, np.inf, "5"])
def test_a_bad_max_grad_norm_is_refused_before_anything_changes(norm: Any) -> None:
    model = classifier()
    adam = nn.Adam(model.params, learning_rate=0.01)
    before = {name: p.copy() for name, p in model.params.items()}
    with pytest.raises(ValueError, match="max_grad_norm must be a finite number > 0"):
        nn.train_step(model, nn.MeanSquaredError(), adam, x(), np.zeros((2, 1)), norm)
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0"):
        nn.clip_grad_norm({"g": np.ones(3)}, norm)
    for name, param in model.params.items():
        np.testing.assert_array_equal(param, before[name])
    assert adam.updates == 0


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_an_update_that_overflows_is_refused_with_parameters_untouched(
    momentum: float,
) -> None:
    model = classifier()
    sgd = nn.SGD(model.params, learning_rate=1e308, momentum=momentum)
    target = np.full((2, 1), 3.0)
    before = {name: p.copy() for name, p in model.params.items()}
    with pytest.raises(NonFiniteError, match="training step 1: SGD: the update of"):
        nn.train_step(model, nn.MeanSquaredError(), sgd, x(), target)
    for name, param in model.params.items():
        np.testing.assert_array_equal(param, before[name])
    assert all(not v.any() for v in sgd.velocity.values())  # its state too
    assert sgd.updates == 0


def test_adam_state_is_untouched_by_a_refused_update() -> None:
    params = {"w": np.array([1e308])}
    adam = nn.Adam(params, learning_rate=1e308)
    with pytest.raises(NonFiniteError, match="Adam: the update of 'w' is not finite"):
        adam.step({"w": np.array([-1.0])})
    assert adam.steps == 0
    assert not adam.first["w"].any()
    assert not adam.second["w"].any()
    np.testing.assert_array_equal(params["w"], [1e308])


@pytest.mark.parametrize("value", [np.nan, np.inf, "1"])
def test_a_bad_gate_bias_is_refused(value: Any) -> None:
    with pytest.raises(ValueError, match=r"gate_bias\['f'\] must be a finite number"):
        nn.Recurrent(
            "lstm", inputs=2, hidden=3, rng=np.random.default_rng(0),
            gate_bias={"f": value},
        )  # fmt: skip


@pytest.mark.parametrize(
    ("dtype", "scale"), [(np.float32, 1e20), (np.float64, 1e200), (np.float64, 1e-200)]
)
def test_clipping_huge_and_tiny_gradients_keeps_their_direction(
    dtype: Any, scale: float
) -> None:
    grads = {"a": np.array([3.0, 0.0], dtype=dtype) * dtype(scale)}
    grads["b"] = np.array([[4.0]], dtype=dtype) * dtype(scale)
    norm = nn.clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5 * scale, rel=1e-6)
    expected: dict[str, Any] | None = (
        {"a": [0.6, 0.0], "b": [[0.8]]} if 5 * scale > 1 else None
    )
    for name, gradient in grads.items():
        assert gradient.dtype == dtype
        assert np.isfinite(gradient).all()
        if expected is not None:
            np.testing.assert_allclose(gradient, expected[name], rtol=1e-6)


def test_changing_x_after_forward_does_not_change_the_gradients() -> None:
    for batch, steps in ((2, 3), (1, 3), (2, 1)):  # views: B or T is 1
        rng = np.random.default_rng(0)
        model = nn.Sequential(
            nn.Recurrent("lstm", inputs=3, hidden=4, rng=rng),
            nn.Dense(4, 1, rng=rng),
        )
        inputs = rng.standard_normal((batch, steps, 3))
        d_out = np.ones((batch, steps, 1))
        model.forward(inputs)
        model.backward(d_out)
        expected = {name: g.copy() for name, g in model.grads.items()}
        model.forward(inputs)
        inputs *= 10  # the caller reuses their buffer before backward
        model.backward(d_out)
        for name, gradient in model.grads.items():
            np.testing.assert_array_equal(gradient, expected[name], err_msg=name)


def test_a_masked_array_cannot_hide_a_nan() -> None:
    data = np.ones((2, 3, 3))
    data[0, 0, 0] = np.nan
    masked = np.ma.masked_invalid(data)
    layer = nn.Recurrent("lstm", inputs=3, hidden=2, rng=np.random.default_rng(0))
    with pytest.raises(ShapeError, match="must be a NumPy array, received MaskedArray"):
        layer.forward(masked)


@pytest.mark.parametrize(
    "loss", [nn.MeanSquaredError(), nn.BCEWithLogits(), nn.SoftmaxCrossEntropy()]
)
def test_a_list_target_is_a_clear_error(loss: nn.Loss) -> None:
    with pytest.raises(ShapeError, match="target must be a NumPy array, received list"):
        loss(np.zeros((2, 1)), [[0.0], [1.0]])  # type: ignore[arg-type]


def test_a_float64_target_for_a_float32_model_is_refused() -> None:
    prediction = np.zeros((2, 1), dtype=np.float32)
    for loss in (
        nn.MeanSquaredError(),
        nn.BCEWithLogits(),
        nn.WeightedMeanSquaredError(np.ones(1)),
    ):
        with pytest.raises(ShapeError, match="expected target of dtype float32"):
            loss(prediction, np.zeros((2, 1)))
    # the place-value weights follow the prediction's dtype
    _, gradient = nn.WeightedMeanSquaredError(np.ones(1))(
        prediction, np.ones((2, 1), dtype=np.float32)
    )
    assert gradient.dtype == np.float32


def test_from_torch_refuses_nan_weights_and_other_dtypes() -> None:
    torch = require("torch")
    module = torch.nn.LSTM(3, 4, batch_first=True)
    with torch.no_grad():
        module.weight_hh_l0[0, 0] = float("nan")
    with pytest.raises(NonFiniteError, match="weight_hh_l0 has 1 non-finite entries"):
        from_torch(module)
    for dtype in (torch.bfloat16, torch.float16):
        module = torch.nn.GRU(3, 4, batch_first=True).to(dtype)
        with pytest.raises(ValueError, match="float32 or float64 weights only"):
            from_torch(module)


def test_adam_refuses_a_gradient_whose_square_overflows() -> None:
    params = {"w": np.array([1.0])}
    adam = nn.Adam(params)
    with pytest.raises(NonFiniteError, match="running averages overflow"):
        adam.step({"w": np.array([1e200])})
    assert adam.steps == 0
    np.testing.assert_array_equal(params["w"], [1.0])


@pytest.mark.parametrize("cell", ["lstm", "gru", "mgu", "rnn"])
def test_an_input_so_large_that_the_products_overflow_is_one_clear_error(
    cell: str,
) -> None:
    """Finite, but 1e308 times a weight overflows: an error, no NaN, no warning."""
    layer = nn.Recurrent(cell, inputs=4, hidden=3, rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    messages = []
    for _ in range(50):
        huge = rng.choice([1e308, -1e308, 0.0], size=(2, 3, 4))
        try:
            hs = layer.forward(huge)
            assert np.isfinite(hs).all()
        except NonFiniteError as error:
            messages.append(str(error))
    wanted = "overflow for this input (its largest magnitude is 1e+308)"
    assert all(wanted in message for message in messages)
    dense = nn.Dense(2, 1, rng=rng)
    dense.params["weight"][...] = 10.0
    with pytest.raises(NonFiniteError, match="the outputs overflow for this input"):
        dense.forward(np.full((1, 2), 1e308))


@pytest.mark.parametrize(("count", "size"), [(0, 4), (4, 0), (4, -1)])
def test_minibatches_refuse_sizes_below_one(count: int, size: int) -> None:
    with pytest.raises(ShapeError, match="must be a whole number >= 1"):
        list(nn.minibatches(count, size))
