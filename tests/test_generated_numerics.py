"""The generated code and the driver at the edges: extreme values, read-only inputs, float32."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from lstm_derive import generated
from lstm_derive.nn import bptt

CELLS = generated.names()
CELLS_WITH_SIGMOID = [c for c in CELLS if hasattr(generated.load(c), "sigmoid")]
SHAPE = (3, 4, 2, 5)  # batch, steps, inputs, hidden


def arrays_for(
    cell: bptt.Cell, rng: np.random.Generator, dtype: Any, scale: float = 0.5
) -> dict[str, Any]:
    batch, steps, inputs, hidden = SHAPE
    arrays = {"x": rng.standard_normal((batch, steps, inputs))}
    arrays |= {f"{s}0": rng.standard_normal((batch, hidden)) for s in cell.states}
    for name, shape in cell.shapes(inputs, hidden).items():
        factor = 1.0 if name in cell.elementwise else scale
        arrays[name] = factor * rng.standard_normal(shape)
    return {k: v.astype(dtype) for k, v in arrays.items()}


def split(cell: bptt.Cell, arrays: dict[str, Any]) -> tuple[Any, Any, Any]:
    states = {s: arrays[f"{s}0"] for s in cell.states}
    return arrays["x"], states, {k: arrays[k] for k in cell.layout}


def run(cell: bptt.Cell, arrays: dict[str, Any]) -> tuple[Any, ...]:
    hs, finals, cache = cell.forward(*split(cell, arrays))
    last = {s: np.ones_like(f) for s, f in finals.items()}
    grads = cell.backward(np.ones_like(hs), cache, last)
    return hs, finals, grads


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_extreme_pre_activations_are_finite_and_silent(cell: str, sign: float) -> None:
    runner = bptt.Cell.of(generated.load(cell))
    hidden = 5
    # every stage function on projections of +-1e4 (pytest turns any RuntimeWarning,
    # overflow or invalid value, into an error)
    values: dict[str, Any] = {}
    for stage in runner.stages:
        args = []
        for name in stage.reads:
            if name in generated.load(cell).PROJECTIONS:
                blocks = generated.load(cell).PROJECTIONS[name]["blocks"]
                args.append(np.full((3, len(blocks) * hidden), sign * 1e4))
            else:
                args.append(
                    values.get(
                        name,
                        np.ones(hidden)
                        if name in runner.elementwise
                        else np.ones((3, hidden)),
                    )
                )
        outputs, saved = stage.forward(*args)
        values |= outputs | saved
        for value in outputs.values():
            assert np.all(np.isfinite(value))
        grads = stage.backward(
            *(np.ones((3, hidden)) for _ in stage.outputs),
            *(saved.get(n, values.get(n)) for n in stage.saved),
        )
        assert all(np.all(np.isfinite(g)) for g in grads.values())
    # and through whole sequences whose weights drive z to +-1e4
    rng = np.random.default_rng(0)
    arrays = arrays_for(runner, rng, np.float64, scale=sign * 1e4)
    hs, _finals, seq_grads = run(runner, arrays)
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
def test_nothing_writes_to_its_inputs(cell: str) -> None:
    runner = bptt.Cell.of(generated.load(cell))
    arrays = arrays_for(runner, np.random.default_rng(1), np.float64)
    for value in arrays.values():
        value.flags.writeable = False
    hs, finals, cache = runner.forward(*split(runner, arrays))
    d_hs = np.ones_like(hs)
    d_last = {s: np.ones_like(f) for s, f in finals.items()}
    for value in (d_hs, *d_last.values()):
        value.flags.writeable = False
    runner.backward(d_hs, cache, d_last)  # would raise on any in-place write


@pytest.mark.parametrize("cell", CELLS)
def test_float32_stays_float32(cell: str) -> None:
    runner = bptt.Cell.of(generated.load(cell))
    arrays = arrays_for(runner, np.random.default_rng(2), np.float32)
    hs, finals, grads = run(runner, arrays)
    assert hs.dtype == np.float32
    assert all(f.dtype == np.float32 for f in finals.values())
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    reference = run(runner, {k: v.astype(np.float64) for k, v in arrays.items()})
    np.testing.assert_allclose(hs, reference[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_stage_functions_take_what_the_stage_table_says(cell: str) -> None:
    """The driver reads only the table: each stage function's arguments are the
    table's reads (forward) and upstream gradients then saved values (backward)."""
    module = generated.load(cell)
    saved = set()
    for (forward, backward), row in zip(module.STAGES, module.STAGE_TABLE, strict=True):
        assert tuple(inspect.signature(forward).parameters) == row["reads"]
        upstream = tuple(f"d_{name}_next" for name in row["outputs"])
        expected = upstream + row["saved"]
        assert tuple(inspect.signature(backward).parameters) == expected
        saved |= set(row["saved"])
        for name in row["reads"]:
            assert name in module.INPUTS or any(
                name in earlier["outputs"] for earlier in module.STAGE_TABLE
            )
    assert saved == set(module.SAVED)


def test_integer_input_gives_float_hidden_states() -> None:
    """Integer x with float weights: the hidden states are floats, not an int buffer."""
    runner = bptt.Cell.of(generated.load("lstm"))
    rng = np.random.default_rng(0)
    params = {n: rng.standard_normal(s) for n, s in runner.shapes(2, 3).items()}
    states = {s: np.zeros((1, 3)) for s in runner.states}
    x = np.array([[[1, 0], [0, 1]]])
    hs, finals, _ = runner.forward(x, states, params)
    assert hs.dtype == np.float64
    np.testing.assert_array_equal(hs[:, -1], finals["h"])
    assert np.any(hs != 0)
