"""The training runtime: whole-model gradients, losses, optimizers, errors, save/load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require

from lstm_derive import cells, generated, nn
from lstm_derive.cells.functions import relu
from lstm_derive.errors import ShapeError
from lstm_derive.gradcheck import TOLERANCE, central_difference, relative_error

Array = np.ndarray[Any, Any]
NOISE_FLOOR = 1e-12


def small_model(cell: str, rng: np.random.Generator, dtype: Any = np.float64) -> Any:
    """Recurrent -> Tanh -> Recurrent (last state) -> Dense: every layer kind."""
    return nn.Sequential(
        nn.Recurrent(cell, inputs=3, hidden=4, rng=rng, dtype=dtype),
        nn.Tanh(),
        nn.Recurrent(
            cell, inputs=4, hidden=3, rng=rng, return_sequences=False, dtype=dtype
        ),
        nn.Dense(3, 2, rng=rng, dtype=dtype),
    )


LOSSES: dict[str, Callable[[np.random.Generator], tuple[nn.Loss, Array]]] = {
    "mse": lambda rng: (nn.MeanSquaredError(), rng.standard_normal((2, 2))),
    "weighted": lambda rng: (
        nn.WeightedMeanSquaredError(nn.place_value_weights(2)),
        rng.standard_normal((2, 2)),
    ),
    "bce": lambda rng: (nn.BCEWithLogits(), rng.uniform(0, 1, (2, 2))),
    "softmax": lambda rng: (nn.SoftmaxCrossEntropy(), rng.integers(0, 2, 2)),
}


# Cells with a kink (ReLU) are checked on their own by lstm_derive.gradcheck, which
# steps around kinks; the whole-model check below tests how layers compose and uses
# plain central differences, so it takes the smooth cells.
SMOOTH_CELLS = [
    name
    for name in generated.names()
    if not any(e.has(relu) for e in cells.load(name).equations.values())
]


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("cell", SMOOTH_CELLS)
def test_whole_model_gradient_matches_central_differences(
    cell: str, loss_name: str
) -> None:
    rng = np.random.default_rng(7)
    model = small_model(cell, rng)
    loss, target = LOSSES[loss_name](rng)
    x = rng.standard_normal((2, 3, 3))

    value, d_prediction = loss(model.forward(x), target)
    d_x = model.backward(d_prediction)
    assert np.isfinite(value)

    def loss_now() -> float:
        return loss(model.forward(x), target)[0]

    checked = {**{name: (p, model.grads[name]) for name, p in model.params.items()}}
    checked["x"] = (x, d_x)
    for name, (array, gradient) in checked.items():
        assert gradient.shape == array.shape, name
        for index in np.ndindex(array.shape):
            numeric = central_difference(loss_now, array, index)
            backward = float(gradient[index])
            # A loss of size ~1 evaluated in float64 carries rounding noise ~1e-16,
            # which the stencil turns into ~1e-13 in the difference quotient: for
            # entries whose gradient is that small (a few here are ~1e-7) a relative
            # error says nothing, and the absolute error is held to 1e-12 instead.
            ok = (
                relative_error(numeric, backward) <= TOLERANCE
                or abs(numeric - backward) <= NOISE_FLOOR
            )
            assert ok, (name, index, numeric, backward)


@pytest.mark.parametrize("backend", ["numpy", "numba_per_step", "numba"])
def test_backward_parameters_gives_the_same_gradients_without_d_x(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first layer's d_x is skipped (one GEMM less); every weight gradient is equal."""
    if backend != "numpy":
        require("numba")
    rng = np.random.default_rng(3)
    model = small_model("lstm", rng)
    for layer in model.layers:
        if isinstance(layer, nn.Recurrent):
            layer.cell = layer.cell.using(nn.recurrent.backend_named(backend))
    x = rng.standard_normal((2, 3, 3))
    d_prediction = rng.standard_normal((2, 2))
    model.forward(x)
    model.backward(d_prediction)
    full = {name: g.copy() for name, g in model.grads.items()}

    asked: list[bool] = []
    original = nn.bptt.backward

    def spy(*args: Any, input_gradient: bool = True, **kwargs: Any) -> Any:
        asked.append(input_gradient)
        return original(*args, input_gradient=input_gradient, **kwargs)

    monkeypatch.setattr(nn.bptt, "backward", spy)
    if backend == "numba":  # the whole sequence: its own backward pass
        from lstm_derive.nn.compiled import SequenceCache  # noqa: PLC0415 (Numba)

        whole = SequenceCache.backward

        def whole_spy(*args: Any, input_gradient: bool = True, **kwargs: Any) -> Any:
            asked.append(input_gradient)
            return whole(*args, input_gradient=input_gradient, **kwargs)

        monkeypatch.setattr(SequenceCache, "backward", whole_spy)
    model.forward(x)
    model.backward_parameters(d_prediction)
    assert asked == [True, False]  # the second Recurrent passes d_x on; the first not
    assert model.grads.keys() == full.keys()
    for name, gradient in full.items():
        np.testing.assert_array_equal(model.grads[name], gradient, err_msg=name)


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_loss_gradient_matches_central_differences(loss_name: str) -> None:
    rng = np.random.default_rng(3)
    loss, target = LOSSES[loss_name](rng)
    prediction = 3 * rng.standard_normal((2, 2))
    _, gradient = loss(prediction, target)
    for index in np.ndindex(prediction.shape):
        numeric = central_difference(
            lambda: loss(prediction, target)[0], prediction, index
        )
        assert relative_error(numeric, float(gradient[index])) <= TOLERANCE


def test_losses_match_their_definitions() -> None:
    rng = np.random.default_rng(4)
    p, t = rng.standard_normal((5, 8)), rng.uniform(0, 1, (5, 8))
    a = nn.place_value_weights(8)
    assert a.tolist() == [128, 64, 32, 16, 8, 4, 2, 1]
    assert nn.MeanSquaredError()(p, t)[0] == pytest.approx(np.mean((p - t) ** 2))
    # seed 002: l = 1/(N n) sum_i (a ⊙ (y_i - t_i)) · (y_i - t_i)
    expected = sum(float((a * (p[i] - t[i])) @ (p[i] - t[i])) for i in range(5)) / 40
    assert nn.WeightedMeanSquaredError(a)(p, t)[0] == pytest.approx(expected)
    s = 1 / (1 + np.exp(-p))
    bce = -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s))
    assert nn.BCEWithLogits()(p, t)[0] == pytest.approx(bce)
    labels = rng.integers(0, 8, 5)
    softmax = np.exp(p) / np.exp(p).sum(axis=1, keepdims=True)
    ce = -np.mean(np.log(softmax[np.arange(5), labels]))
    assert nn.SoftmaxCrossEntropy()(p, labels)[0] == pytest.approx(ce)


def test_losses_are_finite_for_extreme_logits() -> None:
    z = np.array([[-1e4, 1e4, 0.0]])
    for loss, target in (
        (nn.BCEWithLogits(), np.array([[1.0, 0.0, 0.5]])),
        (nn.SoftmaxCrossEntropy(), np.array([0])),
    ):
        value, gradient = loss(z, target)
        assert np.isfinite(value)
        assert np.all(np.isfinite(gradient))


def test_sgd_and_clipping() -> None:
    params = {"w": np.array([1.0, 2.0])}
    grads = {"w": np.array([3.0, 4.0])}
    assert nn.clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    assert np.linalg.norm(grads["w"]) == pytest.approx(1.0)
    assert nn.clip_grad_norm(grads, 10.0) == pytest.approx(1.0)  # no change below
    nn.SGD(params, learning_rate=0.5).step(grads)
    assert params["w"] == pytest.approx([1.0 - 0.5 * 0.6, 2.0 - 0.5 * 0.8])


def test_adam_matches_torch() -> None:
    torch = require("torch")
    rng = np.random.default_rng(5)
    start = rng.standard_normal(6)
    gradients = [rng.standard_normal(6) for _ in range(5)]
    params = {"w": start.copy()}
    adam = nn.Adam(params, learning_rate=0.01, eps=1e-8)
    reference = torch.tensor(start, requires_grad=True)
    torch_adam = torch.optim.Adam([reference], lr=0.01, eps=1e-8)
    for gradient in gradients:
        adam.step({"w": gradient})
        reference.grad = torch.tensor(gradient)
        torch_adam.step()
    np.testing.assert_allclose(params["w"], reference.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (
            np.zeros((2, 5, 4)),
            r"expected x of shape \[batch, time, 3\], received \(2, 5, 4\)",
        ),
        (
            np.zeros((2, 3)),
            r"expected x of shape \[batch, time, 3\], received \(2, 3\)",
        ),
        (np.zeros((0, 5, 3)), r"x is empty \(its batch axis has size 0\)"),
        (np.zeros((2, 0, 3)), r"x is empty \(its time axis has size 0\)"),
        (
            np.zeros((2, 5, 3), np.float32),
            "expected x of dtype float64, received float32",
        ),
        (np.zeros((2, 5, 3), np.int64), "expected x of dtype float64, received int64"),
    ],
)
def test_wrong_input_names_expected_and_received(x: Array, message: str) -> None:
    layer = nn.Recurrent("lstm", inputs=3, hidden=4, rng=np.random.default_rng(0))
    with pytest.raises(ShapeError, match=message):
        layer.forward(x)


def test_other_wrong_inputs() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ShapeError, match=r"expected x of shape \[batch, 4\], received"):
        nn.Dense(4, 2, rng=rng).forward(np.zeros((3, 5)))
    with pytest.raises(ShapeError, match="must be a NumPy array, received list"):
        nn.Recurrent("rnn", 4, 2, rng=rng).forward([[[1.0] * 4]])  # type: ignore[arg-type]
    with pytest.raises(ShapeError, match="dtype must be float32 or float64"):
        nn.Dense(4, 2, rng=rng, dtype=np.float16)
    with pytest.raises(ShapeError, match=r"expected target of shape \(3, 2\)"):
        nn.MeanSquaredError()(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(ShapeError, match=r"labels must be integers in 0..1"):
        nn.SoftmaxCrossEntropy()(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        nn.SGD({}, learning_rate=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_keeps_dtype_and_learns(dtype: Any) -> None:
    """Learn the sign of a sequence's sum: the loss falls, and every array keeps dtype."""
    rng = np.random.default_rng(1)
    model = nn.Sequential(
        nn.Recurrent("lstm", 1, 8, rng=rng, return_sequences=False, dtype=dtype),
        nn.Dense(8, 1, rng=rng, dtype=dtype),
    )
    x = rng.standard_normal((64, 6, 1)).astype(dtype)
    target = (x.sum(axis=1) > 0).astype(dtype)
    loss, adam = nn.BCEWithLogits(), nn.Adam(model.params, learning_rate=0.05)
    history = [
        nn.train_step(model, loss, adam, x, target, max_grad_norm=5.0)
        for _ in range(60)
    ]
    assert history[-1] < 0.25 * history[0]
    assert model.forward(x).dtype == dtype
    assert all(p.dtype == dtype for p in model.params.values())
    assert all(g.dtype == dtype for g in model.grads.values())


def test_extreme_inputs_give_no_nan_and_no_warning() -> None:
    rng = np.random.default_rng(2)
    for dtype in (np.float32, np.float64):
        model = small_model("lstm", np.random.default_rng(0), dtype)
        x = (1e4 * rng.standard_normal((2, 3, 3))).astype(dtype)
        value, d = nn.BCEWithLogits()(model.forward(x), np.ones((2, 2), dtype))
        grads_x = model.backward(d)
        assert np.isfinite(value)
        assert np.all(np.isfinite(grads_x))
        assert all(np.all(np.isfinite(g)) for g in model.grads.values())


def test_same_seed_same_model_and_minibatches() -> None:
    first = small_model("peephole_lstm", np.random.default_rng(11))
    second = small_model("peephole_lstm", np.random.default_rng(11))
    assert first.params.keys() == second.params.keys()
    assert all(np.array_equal(first.params[k], second.params[k]) for k in first.params)
    assert "0.p_f" in first.params
    batches = list(nn.minibatches(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = list(nn.minibatches(10, 4, np.random.default_rng(0)))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))


def test_save_and_load_roundtrip(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    model = small_model("lstm", rng)
    x = rng.standard_normal((2, 3, 3))
    path = tmp_path / "model.npz"
    model.save(path)
    fresh = small_model("lstm", np.random.default_rng(99))
    assert not np.array_equal(fresh.forward(x), model.forward(x))
    fresh.load(path)
    np.testing.assert_array_equal(fresh.forward(x), model.forward(x))
    other = small_model("rnn", np.random.default_rng(3))
    with pytest.raises(
        ShapeError, match="weights are for cell 'lstm', this model's layer 0 is 'rnn'"
    ):
        other.load(path)
    with pytest.raises(ShapeError, match="weights are for 4 layers"):
        nn.Sequential(nn.Dense(3, 2, rng=rng)).load(path)


def test_gate_bias_sets_one_gate_block() -> None:
    layer = nn.Recurrent(
        "lstm", inputs=2, hidden=3, rng=np.random.default_rng(0), gate_bias={"f": 1.0}
    )
    gates = generated.load("lstm").GATES
    bias = layer.params["b_x"].reshape(len(gates), 3)
    assert np.all(bias[gates.index("f")] == 1.0)
    assert not np.any(bias[gates.index("i")] == 1.0)
    with pytest.raises(ValueError, match="no gate 'q' with a bias"):
        nn.Recurrent("lstm", 2, 3, rng=np.random.default_rng(0), gate_bias={"q": 1.0})
