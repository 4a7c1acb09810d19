"""The whole-sequence compiled path: every cell equal to the driver and gradient-checked.

``sequence_forward`` and ``sequence_backward`` of each kernel module run every step
of a batch in one compiled call, printed from the stage table by
:mod:`lstm_derive.codegen.sequence`. Here, for every cell in float64, the hidden
states, the final states and every gradient (x, the initial states, each
parameter) equal the NumPy driver's to 1e-12, from random initial states and with
a loss on the final states too; the backward pass passes the gradient check; the
same holds for sequences of different lengths and with recurrent dropout masks;
and ``nn.Recurrent(..., backend="numba")`` runs it, lengths and recurrent dropout
included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import require

from lstm_derive import generated, gradcheck, nn
from lstm_derive.nn import bptt

CELLS = generated.names()
RTOL, ATOL = 1e-12, 1e-13


@pytest.fixture(scope="module")
def backend() -> Any:
    require("numba")
    from lstm_derive.nn.compiled import NumbaBackend  # noqa: PLC0415 (needs Numba)

    return NumbaBackend()


def arrays(cell: bptt.Cell, seed: int = 1) -> dict[str, Any]:
    """x [3, 5, 4], initial states, parameters and the loss's gradients (H = 6)."""
    rng = np.random.default_rng(seed)
    batch, steps, inputs, hidden = 3, 5, 4, 6
    return {
        "x": rng.standard_normal((batch, steps, inputs)),
        "states0": {s: 0.5 * rng.standard_normal((batch, hidden)) for s in cell.states},
        "params": {
            name: 0.5 * rng.standard_normal(shape)
            for name, shape in cell.shapes(inputs, hidden).items()
        },
        "d_hs": rng.standard_normal((batch, steps, hidden)),
        "d_last": {s: rng.standard_normal((batch, hidden)) for s in cell.states},
    }


def close(actual: Any, expected: Any, what: str) -> None:
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.mark.parametrize("cell_name", CELLS)
def test_whole_sequence_equals_the_driver_in_float64(
    cell_name: str, backend: Any
) -> None:
    cell = bptt.Cell.of(generated.load(cell_name))
    a = arrays(cell)
    hs, finals, cache = cell.forward(a["x"], a["states0"], a["params"])
    grads = cell.backward(a["d_hs"], cache, a["d_last"])
    done = backend.forward_sequence(cell, a["x"], a["states0"], a["params"])
    assert done is not None
    hs_c, finals_c, cache_c = done
    grads_c = cache_c.backward(a["d_hs"], a["d_last"])
    close(hs_c, hs, "hidden states")
    for state in cell.states:
        close(finals_c[state], finals[state], f"final {state}")
    assert grads_c.keys() == grads.keys()
    for name in grads:
        close(grads_c[name], grads[name], f"gradient of {name}")
    # every value a step keeps, as the driver keeps it
    assert list(cache_c.steps[0]) == list(cache.steps[0])
    for name in cache.steps[0]:
        close(cache_c.values(name), cache.values(name), f"values({name!r})")
    # without d_x: the same gradients, and no d_x
    without = cache_c.backward(a["d_hs"], a["d_last"], input_gradient=False)
    assert without.keys() == grads.keys() - {"x"}
    for name, gradient in without.items():
        np.testing.assert_array_equal(gradient, grads_c[name], err_msg=name)


# Sequences of different lengths (one of length 1, one of full length) and a
# recurrent dropout mask (one per sequence, on h_prev before its projection): per
# kind, the lengths of the 3 sequences of `arrays` (or none) and whether to drop.
RAGGED: dict[str, tuple[list[int] | None, bool]] = {
    "lengths": ([5, 1, 3], False),
    "dropout": (None, True),
    "lengths and dropout": ([1, 5, 2], True),
}


def ragged(kind: str, batch: int, hidden: int, seed: int = 2) -> dict[str, Any]:
    """The keywords of a ``RAGGED`` kind: its lengths and a mask that drops ~half."""
    lengths, dropout = RAGGED[kind]
    keywords: dict[str, Any] = {}
    if lengths is not None:
        keywords["lengths"] = np.array(lengths)
    if dropout:
        keep = np.random.default_rng(seed).random((batch, hidden)) < 0.5
        keywords["recurrent_masks"] = {"h": keep / 0.5}
    return keywords


@pytest.mark.parametrize("kind", RAGGED)
@pytest.mark.parametrize("cell_name", CELLS)
def test_lengths_and_dropout_equal_the_driver_in_float64(
    cell_name: str, kind: str, backend: Any
) -> None:
    cell = bptt.Cell.of(generated.load(cell_name))
    a = arrays(cell)
    batch, steps, hidden = a["d_hs"].shape
    keywords = ragged(kind, batch, hidden)
    hs, finals, cache = cell.forward(a["x"], a["states0"], a["params"], **keywords)
    grads = cell.backward(a["d_hs"], cache, a["d_last"])
    done = backend.forward_sequence(cell, a["x"], a["states0"], a["params"], **keywords)
    assert done is not None
    hs_c, finals_c, cache_c = done
    grads_c = cache_c.backward(a["d_hs"], a["d_last"])
    close(hs_c, hs, "hidden states")
    for state in cell.states:
        close(finals_c[state], finals[state], f"final {state}")
    initial = {f"{s}0" for s in cell.states}
    assert grads_c.keys() == grads.keys() == {"x", *a["params"], *initial}
    for name in grads:
        close(grads_c[name], grads[name], f"gradient of {name}")
    lengths = keywords.get("lengths", np.full(batch, steps))
    valid = np.arange(steps) < lengths[:, None]  # [B, T]
    if "lengths" in keywords:
        assert not hs_c[~valid].any()  # padded steps output zero
        assert not grads_c["x"][~valid].any()  # and receive no gradient
    # every value a step keeps, as the driver keeps it; at a padded step a state
    # is the row's kept one, its final state (the driver keeps what the kernels
    # made there)
    for name in cache.steps[0]:
        made, made_c = cache.values(name), cache_c.values(name)
        if name in cell.states:
            kept = np.broadcast_to(finals_c[name][:, None], made_c.shape)
            np.testing.assert_array_equal(made_c[~valid], kept[~valid])
            made, made_c = made[valid], made_c[valid]
        close(made_c, made, f"values({name!r})")
    without = cache_c.backward(a["d_hs"], a["d_last"], input_gradient=False)
    for name, gradient in without.items():
        np.testing.assert_array_equal(gradient, grads_c[name], err_msg=name)


class SequenceUnderCheck:
    """A cell whose passes run as the whole-sequence functions, for gradcheck.check.

    The central differences evaluate the loss in extended precision (long double),
    which Numba cannot compile: those evaluations run the NumPy driver. The backward
    pass under test, and the forward pass whose arrays it reads, are compiled.
    ``keywords`` (lengths, recurrent masks) go to both forward passes.
    """

    def __init__(self, cell: str, backend: Any, **keywords: Any) -> None:
        self.reference = bptt.Cell.of(generated.load(cell))
        self.backend = backend
        self.keywords = keywords
        self.states = self.reference.states
        self.layout = self.reference.layout
        self.shapes = self.reference.shapes

    def forward(self, x: Any, states0: Any, params: Any) -> Any:
        if x.dtype == np.longdouble:
            return self.reference.forward(x, states0, params, **self.keywords)
        done = self.backend.forward_sequence(
            self.reference, x, states0, params, **self.keywords
        )
        assert done is not None
        return done

    def backward(self, d_hs: Any, cache: Any, d_last: Any = None) -> Any:
        assert not isinstance(cache, bptt.Cache)  # the compiled forward's arrays
        return cache.backward(d_hs, d_last)


@pytest.mark.parametrize("cell", CELLS)
def test_whole_sequence_passes_gradient_check(cell: str, backend: Any) -> None:
    rows = gradcheck.check(
        SequenceUnderCheck(cell, backend), batch=2, steps=3, inputs=3, hidden=4, seed=7
    )
    worst = max(row.rel_error for row in rows)
    assert worst <= 1e-7, gradcheck.summary(rows)


@pytest.mark.parametrize("cell", CELLS)
def test_lengths_and_dropout_pass_gradient_check(cell: str, backend: Any) -> None:
    """Two sequences, of lengths 1 and 3 (of 3 steps), under one dropout mask."""
    keep = np.random.default_rng(8).random((2, 4)) < 0.5
    keywords = {"lengths": np.array([1, 3]), "recurrent_masks": {"h": keep / 0.5}}
    under_check = SequenceUnderCheck(cell, backend, **keywords)
    rows = gradcheck.check(under_check, batch=2, steps=3, inputs=3, hidden=4, seed=7)
    worst = max(row.rel_error for row in rows)
    assert worst <= 1e-7, gradcheck.summary(rows)


def layer_step(
    backend: str, x: Any, dtype: Any = np.float64, **forward: Any
) -> tuple[nn.Recurrent, Any, Any]:
    layer = nn.Recurrent(
        "gru_cho", x.shape[2], 5, rng=np.random.default_rng(3), dtype=dtype,
        backend=backend,
    )  # fmt: skip
    out = layer.forward(x, **forward)
    d_x = layer.backward(np.cos(out), d_final_state={"h": np.sin(out[:, -1])})
    return layer, out, d_x


def test_recurrent_runs_the_whole_sequence_and_equals_numpy(backend: Any) -> None:
    from lstm_derive.nn.compiled import SequenceCache  # noqa: PLC0415 (needs Numba)

    x = np.random.default_rng(4).standard_normal((4, 6, 3))
    initial = {"h": np.random.default_rng(5).standard_normal((4, 5))}
    reference, out, d_x = layer_step("numpy", x, initial_state=initial)
    layer, out_c, d_x_c = layer_step("numba", x, initial_state=initial)
    assert layer.cell.backend == backend
    assert isinstance(layer._cache, SequenceCache)
    close(out_c, out, "hidden states")
    close(d_x_c, d_x, "d_x")
    close(layer.initial_state_grads["h"], reference.initial_state_grads["h"], "d_h0")
    for name in reference.grads:
        close(layer.grads[name], reference.grads[name], name)
    for gate, values in reference.gates().items():
        close(layer.gates()[gate], values, gate)


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("forward", ["lengths", "recurrent_dropout", "both"])
def test_lengths_and_recurrent_dropout_run_the_whole_sequence(
    forward: str, return_sequences: bool, backend: Any
) -> None:
    """nn.Recurrent(backend="numba") runs them in one call each, equal to NumPy."""
    from lstm_derive.nn.compiled import SequenceCache  # noqa: PLC0415 (needs Numba)

    del backend  # Numba is there
    x = np.random.default_rng(4).standard_normal((4, 6, 3))
    initial = {"h": np.random.default_rng(5).standard_normal((4, 5))}
    results = {}
    for name in ("numpy", "numba"):
        layer = nn.Recurrent(
            "lstm", 3, 5, rng=np.random.default_rng(3), backend=name,
            return_sequences=return_sequences,
            recurrent_dropout=0.0 if forward == "lengths" else 0.5,
        )  # fmt: skip
        lengths = None if forward == "recurrent_dropout" else np.array([6, 2, 1, 4])
        out = layer.forward(x, initial_state=initial, lengths=lengths)
        assert isinstance(
            layer._cache, SequenceCache if name == "numba" else bptt.Cache
        )
        last = out[:, -1] if return_sequences else out
        d_x = layer.backward(np.cos(out), d_final_state={"c": np.sin(last)})
        results[name] = out, d_x, layer.grads, layer.initial_state_grads
    (out, d_x, grads, d_0), (out_c, d_x_c, grads_c, d_0_c) = results.values()
    close(out_c, out, "hidden states")
    close(d_x_c, d_x, "d_x")
    for name in grads:
        close(grads_c[name], grads[name], name)
    for state in d_0:
        close(d_0_c[state], d_0[state], f"d_{state}0")


def test_float32_stays_float32_and_close(backend: Any) -> None:
    del backend
    x = np.random.default_rng(5).standard_normal((3, 4, 2)).astype(np.float32)
    _, out, _ = layer_step("numpy", x, np.float32)
    layer, out_c, d_x_c = layer_step("numba", x, np.float32)
    assert out_c.dtype == d_x_c.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    np.testing.assert_allclose(out_c, out, rtol=1e-5, atol=1e-6)


def test_data_of_another_type_is_left_to_the_driver(backend: Any) -> None:
    cell = bptt.Cell.of(generated.load("lstm"))
    a = arrays(cell)
    assert (
        backend.forward_sequence(cell, a["x"].astype(int), a["states0"], a["params"])
        is None
    )
    states32 = {s: v.astype(np.float32) for s, v in a["states0"].items()}
    assert backend.forward_sequence(cell, a["x"], states32, a["params"]) is None


def test_the_caller_changing_x_later_changes_nothing(backend: Any) -> None:
    """x [1, T, I] is a view of the time-major rows: the pass keeps a copy."""
    cell = bptt.Cell.of(generated.load("rnn"))
    a = arrays(cell)
    x = a["x"][:1].copy()
    states0 = {s: v[:1] for s, v in a["states0"].items()}
    _, _, cache = backend.forward_sequence(cell, x, states0, a["params"])
    before = cache.backward(a["d_hs"][:1])["W_x"]
    x[:] = 0
    np.testing.assert_array_equal(cache.backward(a["d_hs"][:1])["W_x"], before)
