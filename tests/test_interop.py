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
    for name, value in layer.params.items():
        np.testing.assert_array_equal(back.params[name], value)


def test_unsupported_modules_are_refused() -> None:
    torch = require("torch")
    with pytest.raises(ValueError, match="batch_first=False"):
        from_torch(torch.nn.LSTM(3, 4))
    with pytest.raises(ValueError, match="num_layers=2"):
        from_torch(torch.nn.GRU(3, 4, num_layers=2, batch_first=True))
    with pytest.raises(TypeError, match=r"expected torch\.nn\.LSTM, GRU or RNN"):
        from_torch(torch.nn.Linear(3, 4))
    layer = nn.Recurrent("mgu", inputs=3, hidden=4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="torch has no cell like 'mgu'"):
        to_torch(layer)
