"""The generated gradients against an independent autodiff (torch), in float64.

The torch side is built from the spec's forward formulas alone (not from the
derivation or the generated code), evaluated by a small tree walker, and
differentiated by torch.autograd. The LSTM forward is also compared with
``torch.nn.LSTM`` after mapping its weight layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import sympy
from conftest import require

from lstm_derive import cells, generated

CELLS = generated.names()


def evaluate(expr: sympy.Expr, env: dict[str, Any], torch: Any) -> Any:
    """Evaluate a SymPy formula on torch tensors, node by node."""
    functions: dict[str, Callable[[Any], Any]] = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "exp": torch.exp,
        "log": torch.log,
    }
    if expr.is_Symbol:
        return env[str(expr)]
    if expr.is_Number:
        return float(expr)
    args = [evaluate(arg, env, torch) for arg in expr.args]
    if expr.is_Add:
        return sum(args[1:], args[0])
    if expr.is_Mul:
        result = args[0]
        for arg in args[1:]:
            result = result * arg
        return result
    if expr.is_Pow:
        return args[0] ** args[1]
    return functions[type(expr).__name__](args[0])


def torch_forward(spec: cells.CellSpec, arrays: dict[str, Any], torch: Any) -> Any:
    """Run the spec over the sequence with torch; return hs [B, T, H] and final states."""
    x = arrays["x"]
    _batch, steps, _ = x.shape
    states = {s: arrays[f"{s}0"] for s in spec.states}
    hidden = states["h"].shape[1]
    outputs = []
    for t in range(steps):
        z = torch.cat((states["h"], x[:, t]), dim=1) @ arrays["weight"] + arrays["bias"]
        env = {f"{s}_prev": value for s, value in states.items()}
        env |= {p: arrays[p] for p in spec.parameters}
        for k, gate in enumerate(spec.gates):
            env[f"z_{gate}"] = z[:, k * hidden : (k + 1) * hidden]
        for target, expr in spec.equations.items():
            env[str(target)] = evaluate(expr, env, torch)
        states = {s: env[s] for s in spec.states}
        outputs.append(states["h"])
    return torch.stack(outputs, dim=1), states


def random_arrays(
    module: Any, rng: np.random.Generator, shape: tuple[int, ...]
) -> dict[str, Any]:
    batch, steps, inputs, hidden = shape
    gates = len(module.GATES)
    arrays = {"x": rng.standard_normal((batch, steps, inputs))}
    arrays |= {
        f"{s}0": 0.5 * rng.standard_normal((batch, hidden)) for s in module.STATES
    }
    arrays["weight"] = 0.5 * rng.standard_normal((hidden + inputs, gates * hidden))
    arrays["bias"] = 0.5 * rng.standard_normal(gates * hidden)
    arrays |= {p: 0.5 * rng.standard_normal(hidden) for p in module.PARAMETERS}
    return arrays


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 5, 2, 4), (4, 7, 6, 5)])
def test_gradients_match_torch_autograd(cell: str, shape: tuple[int, ...]) -> None:
    torch = require("torch")
    module = generated.load(cell)
    spec = cells.load(cell)
    rng = np.random.default_rng(sum(shape))
    arrays = random_arrays(module, rng, shape)
    weights_hs = rng.standard_normal((shape[0], shape[1], shape[3]))
    weights_last = {s: rng.standard_normal((shape[0], shape[3])) for s in module.STATES}

    hs, finals, cache = module.forward(*arrays.values())
    last = {f"d_{s}_last": weights_last[s] for s in module.STATES}
    grads = module.backward(weights_hs, cache, **last)

    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    t_hs, t_states = torch_forward(spec, tensors, torch)
    loss = (torch.tensor(weights_hs) * t_hs).sum()
    for state in module.STATES:
        loss = loss + (torch.tensor(weights_last[state]) * t_states[state]).sum()
    loss.backward()

    np.testing.assert_allclose(hs, t_hs.detach().numpy(), rtol=1e-12, atol=1e-13)
    for state, final in zip(module.STATES, finals, strict=True):
        np.testing.assert_allclose(
            final, t_states[state].detach().numpy(), rtol=1e-12, atol=1e-13
        )
    for name, tensor in tensors.items():
        expected = tensor.grad.numpy()
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(
            grads[f"d_{name}"], expected, rtol=1e-10, atol=1e-10 * scale, err_msg=name
        )


def test_lstm_forward_matches_torch_nn_lstm() -> None:
    torch = require("torch")
    lstm = generated.load("lstm")
    batch, steps, inputs, hidden = 3, 6, 4, 5
    torch.manual_seed(0)
    reference = torch.nn.LSTM(inputs, hidden, batch_first=True).double()
    x = torch.randn(batch, steps, inputs, dtype=torch.float64)
    h0 = torch.randn(1, batch, hidden, dtype=torch.float64)
    c0 = torch.randn(1, batch, hidden, dtype=torch.float64)
    expected, (h_n, c_n) = reference(x, (h0, c0))

    # torch stacks the gates i, f, g, o as rows of W_ih [4H, I] and W_hh [4H, H];
    # the project stacks f, i, g, o as columns of W [(H + I), 4H] on [h_prev, x].
    rows = {gate: slice(k * hidden, (k + 1) * hidden) for k, gate in enumerate("ifgo")}
    w_ih = reference.weight_ih_l0.detach().numpy()
    w_hh = reference.weight_hh_l0.detach().numpy()
    b = (reference.bias_ih_l0 + reference.bias_hh_l0).detach().numpy()
    weight = np.concatenate(
        [np.concatenate([w_hh[rows[g]].T, w_ih[rows[g]].T]) for g in lstm.GATES], axis=1
    )
    bias = np.concatenate([b[rows[g]] for g in lstm.GATES])

    hs, (h, c), _ = lstm.forward(x.numpy(), h0[0].numpy(), c0[0].numpy(), weight, bias)
    np.testing.assert_allclose(hs, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, h_n[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, c_n[0].detach().numpy(), rtol=1e-12, atol=1e-14)
