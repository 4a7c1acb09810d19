"""The generated code at the edges: extreme pre-activations, read-only inputs, float32."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_derive import generated

CELLS = generated.names()
CELLS_WITH_SIGMOID = [c for c in CELLS if hasattr(generated.load(c), "sigmoid")]


def arrays_for(
    module: Any, rng: np.random.Generator, dtype: Any, scale: float = 0.5
) -> dict[str, Any]:
    batch, steps, inputs, hidden = 3, 4, 2, 5
    gates = len(module.GATES)
    arrays = {"x": rng.standard_normal((batch, steps, inputs))}
    arrays |= {f"{s}0": rng.standard_normal((batch, hidden)) for s in module.STATES}
    arrays["weight"] = scale * rng.standard_normal((hidden + inputs, gates * hidden))
    arrays["bias"] = scale * rng.standard_normal(gates * hidden)
    arrays |= {p: rng.standard_normal(hidden) for p in module.PARAMETERS}
    return {k: v.astype(dtype) for k, v in arrays.items()}


def run(module: Any, arrays: dict[str, Any]) -> tuple[Any, ...]:
    hs, finals, cache = module.forward(*arrays.values())
    last = {
        f"d_{s}_last": np.ones_like(f)
        for s, f in zip(module.STATES, finals, strict=True)
    }
    grads = module.backward(np.ones_like(hs), cache, **last)
    return hs, finals, grads


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_extreme_pre_activations_are_finite_and_silent(cell: str, sign: float) -> None:
    module = generated.load(cell)
    hidden = 5
    gates = len(module.GATES)
    z = np.full((3, gates * hidden), sign * 1e4)
    states = [np.ones((3, hidden)) for _ in module.STATES]
    args: list[Any] = [z]
    names = module.pointwise_forward.__code__.co_varnames[
        1 : module.pointwise_forward.__code__.co_argcount
    ]
    for name in names:
        args.append(np.ones(hidden) if name in module.PARAMETERS else states[0])
    # pytest turns any RuntimeWarning (overflow, invalid value) into an error
    outputs = module.pointwise_forward(*args)
    cache = outputs[-1]
    for value in outputs[:-1]:
        assert np.all(np.isfinite(value))
    upstream = [np.ones((3, hidden)) for _ in module.STATES]
    grads = module.pointwise_backward(*upstream, cache)
    for block in grads[0]:
        assert np.all(np.isfinite(block))
    # and through whole sequences whose weights drive z to +-1e4
    rng = np.random.default_rng(0)
    arrays = arrays_for(module, rng, np.float64, scale=sign * 1e4)
    hs, _finals, seq_grads = run(module, arrays)
    assert np.all(np.isfinite(hs))
    assert all(np.all(np.isfinite(g)) for g in seq_grads.values())


@pytest.mark.parametrize("cell", CELLS_WITH_SIGMOID)
def test_sigmoid_is_exact_in_both_tails(cell: str) -> None:
    module = generated.load(cell)
    z = np.array([-1e4, -745.0, -30.0, 0.0, 30.0, 1e4])
    s = module.sigmoid(z)
    assert s[0] == 0.0
    assert s[-1] == 1.0
    assert s[3] == 0.5
    np.testing.assert_allclose(s[2], np.exp(-30.0) / (1 + np.exp(-30.0)), rtol=1e-15)


@pytest.mark.parametrize("cell", CELLS)
def test_generated_functions_never_write_to_their_inputs(cell: str) -> None:
    module = generated.load(cell)
    arrays = arrays_for(module, np.random.default_rng(1), np.float64)
    for value in arrays.values():
        value.flags.writeable = False
    hs, finals, cache = module.forward(*arrays.values())
    d_hs = np.ones_like(hs)
    d_last = {
        f"d_{s}_last": np.ones_like(f)
        for s, f in zip(module.STATES, finals, strict=True)
    }
    for value in (d_hs, *d_last.values()):
        value.flags.writeable = False
    module.backward(d_hs, cache, **d_last)  # would raise on any in-place write
    # one step: the cs231n `dnext_c +=` bug would write into the upstream gradient
    x = arrays["x"][:, 0]
    states = [arrays[f"{s}0"] for s in module.STATES]
    params = [arrays[p] for p in module.PARAMETERS]
    *_, step_cache = module.step_forward(
        x, *states, arrays["weight"], arrays["bias"], *params
    )
    upstream = [np.ones_like(states[0]) for _ in module.STATES]
    for value in upstream:
        value.flags.writeable = False
    module.step_backward(*upstream, step_cache)


@pytest.mark.parametrize("cell", CELLS)
def test_float32_stays_float32(cell: str) -> None:
    module = generated.load(cell)
    arrays = arrays_for(module, np.random.default_rng(2), np.float32)
    hs, finals, grads = run(module, arrays)
    assert hs.dtype == np.float32
    assert all(f.dtype == np.float32 for f in finals)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    reference = run(module, {k: v.astype(np.float64) for k, v in arrays.items()})
    np.testing.assert_allclose(hs, reference[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_step_functions_agree_with_the_sequence(cell: str) -> None:
    module = generated.load(cell)
    arrays = arrays_for(module, np.random.default_rng(3), np.float64)
    hs, _finals, cache = module.forward(*arrays.values())
    states = [arrays[f"{s}0"] for s in module.STATES]
    params = [arrays[p] for p in module.PARAMETERS]
    caches = []
    for t in range(arrays["x"].shape[1]):
        *states, step_cache = module.step_forward(
            arrays["x"][:, t], *states, arrays["weight"], arrays["bias"], *params
        )
        caches.append(step_cache)
        np.testing.assert_allclose(states[0], hs[:, t], rtol=1e-13, atol=1e-15)
    d_hs = np.random.default_rng(4).standard_normal(hs.shape)
    grads = module.backward(d_hs, cache)
    upstream = [np.zeros_like(states[0]) for _ in module.STATES]
    d_weight = np.zeros_like(arrays["weight"])
    for t in reversed(range(len(caches))):
        upstream[0] = upstream[0] + d_hs[:, t]
        step = module.step_backward(*upstream, caches[t])
        d_weight = d_weight + step["d_weight"]
        upstream = [step["d_h_prev"], *(step[f"d_{s}_prev"] for s in module.STATES[1:])]
    np.testing.assert_allclose(grads["d_weight"], d_weight, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(grads["d_h0"], upstream[0], rtol=1e-12, atol=1e-13)
