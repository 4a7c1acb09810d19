"""The generated gradients against an independent autodiff (torch), in float64.

The torch side is built from the spec's projections and forward formulas alone (not
from the derivation, the generated code or the driver), evaluated by a small tree
walker, and differentiated by torch.autograd. ``tests/test_interop.py`` compares the
cells torch has (LSTM, GRU, RNN) with ``torch.nn`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy
from conftest import require

from lstm_derive import cells, generated
from lstm_derive.cells.functions import activation_of
from lstm_derive.nn import bptt

CELLS = generated.names()


def evaluate(expr: sympy.Expr, env: dict[str, Any], torch: Any) -> Any:
    """Evaluate a SymPy formula on torch tensors, node by node.

    Activations are evaluated from their definitions in elementary functions
    (``sigmoid(z) = 1 / (1 + exp(-z))``), never from the derivative rules.
    """
    if expr.is_Symbol:
        return env[str(expr)]
    if expr.is_Number or isinstance(expr, sympy.NumberSymbol):
        return float(expr)
    entry = activation_of(expr)
    if entry is not None:
        z = sympy.Dummy("z")
        value = evaluate(expr.args[0], env, torch)
        return evaluate(entry.definition(z), {**env, str(z): value}, torch)
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
    elementary = {
        "exp": torch.exp,
        "log": torch.log,
        "Abs": torch.abs,
        "sqrt": torch.sqrt,
    }
    if type(expr).__name__ in elementary:
        return elementary[type(expr).__name__](args[0])
    if isinstance(expr, (sympy.Max, sympy.Min)):
        pick = torch.maximum if isinstance(expr, sympy.Max) else torch.minimum
        tensor = next(a for a in args if torch.is_tensor(a))
        result = tensor
        for arg in args:
            result = pick(result, torch.as_tensor(arg, dtype=tensor.dtype))
        return result
    msg = f"cannot evaluate {expr}"
    raise NotImplementedError(msg)


def torch_forward(spec: cells.CellSpec, arrays: dict[str, Any], torch: Any) -> Any:
    """Run the spec over the sequence with torch; return hs [B, T, H] and final states.

    Written from the spec alone: each projection is a matrix product computed when
    its vector is known, each formula evaluated in the spec's order.
    """
    x = arrays["x"]
    _batch, steps, _ = x.shape
    states = {s: arrays[f"{s}0"] for s in spec.states}
    hidden = states["h"].shape[1]
    outputs = []
    for t in range(steps):
        env: dict[str, Any] = {f"{s}_prev": value for s, value in states.items()}
        env |= {p: arrays[p] for p in spec.parameters}
        env["x"] = x[:, t]
        pending = list(spec.all_projections)

        def project(env: dict[str, Any], pending: list[Any] = pending) -> None:
            for p in [p for p in pending if p.reads in env]:
                z = env[p.reads] @ arrays[f"W_{p.name}"]
                if p.bias:
                    z = z + arrays[f"b_{p.name}"]
                for k, block in enumerate(p.blocks):
                    env[f"z{p.name}_{block}"] = z[:, k * hidden : (k + 1) * hidden]
                pending.remove(p)
            for block in spec.blocks:
                parts = [
                    f"z{p.name}_{block}"
                    for p in spec.all_projections
                    if block in p.blocks
                ]
                if all(part in env for part in parts):
                    env[f"z_{block}"] = sum(env[part] for part in parts)

        project(env)
        for target, expr in spec.equations.items():
            env[str(target)] = evaluate(expr, env, torch)
            project(env)
        states = {s: env[s] for s in spec.states}
        outputs.append(states["h"])
    return torch.stack(outputs, dim=1), states


def random_arrays(
    cell: bptt.Cell, rng: np.random.Generator, shape: tuple[int, ...]
) -> dict[str, Any]:
    batch, steps, inputs, hidden = shape
    arrays = {"x": rng.standard_normal((batch, steps, inputs))}
    arrays |= {f"{s}0": 0.5 * rng.standard_normal((batch, hidden)) for s in cell.states}
    for name, size in cell.shapes(inputs, hidden).items():
        arrays[name] = 0.5 * rng.standard_normal(size)
    return arrays


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 5, 2, 4), (4, 7, 6, 5)])
def test_gradients_match_torch_autograd(cell: str, shape: tuple[int, ...]) -> None:
    torch = require("torch")
    runner = bptt.Cell.of(generated.load(cell))
    spec = cells.load(cell)
    rng = np.random.default_rng(sum(shape))
    arrays = random_arrays(runner, rng, shape)
    weights_hs = rng.standard_normal((shape[0], shape[1], shape[3]))
    weights_last = {s: rng.standard_normal((shape[0], shape[3])) for s in runner.states}

    states = {s: arrays[f"{s}0"] for s in runner.states}
    params = {k: arrays[k] for k in runner.layout}
    hs, finals, cache = runner.forward(arrays["x"], states, params)
    grads = runner.backward(weights_hs, cache, weights_last)

    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    t_hs, t_states = torch_forward(spec, tensors, torch)
    loss = (torch.tensor(weights_hs) * t_hs).sum()
    for state in runner.states:
        loss = loss + (torch.tensor(weights_last[state]) * t_states[state]).sum()
    loss.backward()

    np.testing.assert_allclose(hs, t_hs.detach().numpy(), rtol=1e-12, atol=1e-13)
    for state in runner.states:
        np.testing.assert_allclose(
            finals[state], t_states[state].detach().numpy(), rtol=1e-12, atol=1e-13
        )
    for name, tensor in tensors.items():
        expected = tensor.grad.numpy()
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(
            grads[name], expected, rtol=1e-10, atol=1e-10 * scale, err_msg=name
        )
