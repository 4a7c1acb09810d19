"""torch.nn.LSTM, GRU and RNN against the cells, both directions, to 1e-10 in float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import require

from lstm_derive import nn
from lstm_derive.interop import from_torch, to_torch

TOLERANCE: dict[str, Any] = {"rtol": 1e-10, "atol": 1e-12}


def torch_module(kind: str) -> Any:
    torch = require("torch")
    torch.manual_seed(3)
    if kind == "rnn_relu":
        return torch.nn.RNN(3, 4, batch_first=True, nonlinearity="relu").double()
    return getattr(torch.nn, kind.upper())(3, 4, batch_first=True).double()


def compare(layer: nn.Recurrent, module: Any, x: np.ndarray[Any, Any]) -> None:
    """Hidden states, final states, d_x and every parameter gradient agree."""
    torch = require("torch")
    rng = np.random.default_rng(1)
    d_hs = rng.standard_normal((x.shape[0], x.shape[1], layer.hidden))
    hs = layer.forward(x)
    d_x = layer.backward(d_hs)
    tx = torch.tensor(x, requires_grad=True)
    expected, final = module(tx)
    (expected * torch.tensor(d_hs)).sum().backward()
    np.testing.assert_allclose(hs, expected.detach().numpy(), **TOLERANCE)
    final_h = final[0] if isinstance(final, tuple) else final
    np.testing.assert_allclose(hs[:, -1], final_h[0].detach().numpy(), **TOLERANCE)
    np.testing.assert_allclose(d_x, tx.grad.numpy(), **TOLERANCE)
    # the torch module's own gradients, brought into the layer's layout
    grads = {n: p.grad.detach().numpy() for n, p in module.named_parameters()}
    shadow = to_torch(layer)
    with torch.no_grad():
        for name, param in shadow.named_parameters():
            param.copy_(torch.tensor(grads[name]))
    mapped = from_torch(shadow).params
    for name in layer.params:
        if name == "b_x" and "b_h" not in layer.params:
            continue  # torch's two biases have equal gradients; the sum's is either
        np.testing.assert_allclose(
            layer.grads[name], mapped[name], **TOLERANCE, err_msg=name
        )
    if "b_h" not in layer.params:
        np.testing.assert_allclose(
            layer.grads["b_x"], from_torch(shadow).params["b_x"] / 2, **TOLERANCE
        )


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn", "rnn_relu"])
def test_from_torch_matches(kind: str) -> None:
    module = torch_module(kind)
    layer = from_torch(module)
    assert isinstance(layer, nn.Recurrent)
    assert layer.cell.name == kind
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    compare(layer, module, x)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn", "rnn_relu"])
def test_to_torch_matches(kind: str) -> None:
    layer = nn.Recurrent(kind, inputs=3, hidden=4, rng=np.random.default_rng(5))
    module = to_torch(layer)
    x = np.random.default_rng(2).standard_normal((3, 4, 3))
    compare(layer, module, x)
    back = from_torch(module)
    assert isinstance(back, nn.Recurrent)
    for name, value in layer.params.items():
        np.testing.assert_array_equal(back.params[name], value)


def test_unsupported_modules_are_refused() -> None:
    torch = require("torch")
    with pytest.raises(ValueError, match="batch_first=False"):
        from_torch(torch.nn.LSTM(3, 4))
    with pytest.raises(ValueError, match=r"dropout=0\.5 between layers"):
        from_torch(torch.nn.GRU(3, 4, num_layers=2, batch_first=True, dropout=0.5))
    with pytest.raises(TypeError, match=r"expected torch\.nn\.LSTM, GRU or RNN"):
        from_torch(torch.nn.Linear(3, 4))
    layer = nn.Recurrent("mgu", inputs=3, hidden=4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"torch has no stack like \['mgu'\]"):
        to_torch(layer)


# --- stacks: layers and directions ---------------------------------------------------


def torch_stack(kind: str, layers: int, bidirectional: bool) -> Any:
    torch = require("torch")
    torch.manual_seed(11)
    module = getattr(torch.nn, kind.upper())(
        3, 4, num_layers=layers, batch_first=True, bidirectional=bidirectional
    )
    return module.double()


def gradients_in_layout(module: Any, like: nn.Layer) -> dict[str, Any]:
    """The torch module's gradients, keyed and laid out as ``like``'s parameters."""
    torch = require("torch")
    grads = {n: p.grad.detach().numpy() for n, p in module.named_parameters()}
    shadow = to_torch(like)
    with torch.no_grad():
        for name, param in shadow.named_parameters():
            param.copy_(torch.tensor(grads[name]))
    return dict(from_torch(shadow).params)


def final_states(model: nn.Layer) -> list[dict[str, Any]]:
    """Each direction's final states, in torch's order (layer 0 forward, backward, ...)."""
    stack = model.layers if isinstance(model, nn.Sequential) else [model]
    result = []
    for layer in stack:
        if isinstance(layer, nn.Bidirectional):
            result += [layer.final_state["forward"], layer.final_state["backward"]]
        else:
            assert isinstance(layer, nn.Recurrent)
            result.append(layer.final_state)
    return result


def compare_stack(model: nn.Layer, module: Any, kind: str) -> None:
    """Outputs, final states, d_x and every weight gradient agree to 1e-10."""
    torch = require("torch")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 3))
    out = model.forward(x)
    weights = rng.standard_normal(out.shape)
    d_x = model.backward(weights)
    tx = torch.tensor(x, requires_grad=True)
    expected, final = module(tx)
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(out, expected.detach().numpy(), **TOLERANCE)
    np.testing.assert_allclose(d_x, tx.grad.numpy(), **TOLERANCE)
    h_n = (final[0] if kind == "lstm" else final).detach().numpy()
    ours = final_states(model)
    assert len(ours) == h_n.shape[0]
    for k, states in enumerate(ours):
        np.testing.assert_allclose(states["h"], h_n[k], **TOLERANCE)
        if kind == "lstm":
            np.testing.assert_allclose(
                states["c"], final[1][k].detach().numpy(), **TOLERANCE
            )
    mapped = gradients_in_layout(module, model)
    assert set(mapped) == set(model.grads)
    for name, gradient in model.grads.items():
        factor = 0.5 if kind == "lstm" and name.endswith("b_x") else 1.0
        np.testing.assert_allclose(
            gradient, factor * mapped[name], **TOLERANCE, err_msg=name
        )


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_two_layer_bidirectional_stack_from_torch_matches(kind: str) -> None:
    module = torch_stack(kind, layers=2, bidirectional=True)
    model = from_torch(module)
    assert isinstance(model, nn.Sequential)
    assert [type(layer).__name__ for layer in model.layers] == ["Bidirectional"] * 2
    assert isinstance(model.layers[1], nn.Bidirectional)
    assert model.layers[1].inputs == 8  # two directions of 4 units
    compare_stack(model, module, kind)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_two_layer_bidirectional_stack_to_torch_matches(kind: str) -> None:
    rng = np.random.default_rng(9)

    def pair(inputs: int) -> nn.Bidirectional:
        return nn.Bidirectional(
            nn.Recurrent(kind, inputs, 4, rng=rng),
            nn.Recurrent(kind, inputs, 4, rng=rng),
        )

    model = nn.Sequential(pair(3), pair(8))
    module = to_torch(model)
    assert (module.num_layers, module.bidirectional) == (2, True)
    compare_stack(model, module, kind)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_initial_states_and_their_gradients_match_torch(bidirectional: bool) -> None:
    """h0 and c0 in, their gradients out, with a loss on the final states too."""
    torch = require("torch")
    module = torch_stack("lstm", layers=1, bidirectional=bidirectional)
    model = from_torch(module)
    layer = model.layers[0] if isinstance(model, nn.Sequential) else model
    rng = np.random.default_rng(6)
    directions = 2 if bidirectional else 1
    x = rng.standard_normal((2, 4, 3))
    h0, c0 = (rng.standard_normal((directions, 2, 4)) for _ in range(2))
    d_out = rng.standard_normal((2, 4, 4 * directions))
    d_h_n, d_c_n = (rng.standard_normal((directions, 2, 4)) for _ in range(2))
    names = ("forward", "backward")
    if bidirectional:
        assert isinstance(layer, nn.Bidirectional)
        initial = {names[d]: {"h": h0[d], "c": c0[d]} for d in range(2)}
        out = layer.forward(x, initial_state=initial)
        d_final = {names[d]: {"h": d_h_n[d], "c": d_c_n[d]} for d in range(2)}
        d_x = layer.backward(d_out, d_final_state=d_final)
        d_h0 = np.stack([layer.initial_state_grads[n]["h"] for n in names])
        d_c0 = np.stack([layer.initial_state_grads[n]["c"] for n in names])
    else:
        assert isinstance(layer, nn.Recurrent)
        out = layer.forward(x, initial_state={"h": h0[0], "c": c0[0]})
        d_x = layer.backward(d_out, d_final_state={"h": d_h_n[0], "c": d_c_n[0]})
        d_h0 = layer.initial_state_grads["h"][None]
        d_c0 = layer.initial_state_grads["c"][None]
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, h0, c0)]
    expected, (h_n, c_n) = module(tensors[0], (tensors[1], tensors[2]))
    loss = (expected * torch.tensor(d_out)).sum()
    loss = loss + (h_n * torch.tensor(d_h_n)).sum() + (c_n * torch.tensor(d_c_n)).sum()
    loss.backward()
    np.testing.assert_allclose(out, expected.detach().numpy(), **TOLERANCE)
    grads = [t.grad.numpy() for t in tensors]
    for ours, theirs in zip((d_x, d_h0, d_c0), grads, strict=True):
        np.testing.assert_allclose(ours, theirs, **TOLERANCE)
