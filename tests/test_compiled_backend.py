"""The compiled (Numba) backends: every cell gradient-checked, and equal to NumPy.

The kernels are generated from the same derivation as the NumPy modules
(``lstm-derive regen`` writes both); here each cell's per-step kernels, run by the
driver, pass the same central-difference check as the NumPy functions, and the
whole training step (the hidden states, d_x and every parameter gradient) of both
compiled backends, per step and the whole sequence, matches the NumPy backend to
rounding in float64 (tests/test_sequence_backend.py checks the whole-sequence
functions further). Numba is in the test dependencies: under ``nox -s tests`` or in
CI a missing Numba fails these tests instead of skipping them.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from conftest import require

from lstm_derive import generated, gradcheck, nn
from lstm_derive.errors import MissingExtraError
from lstm_derive.nn import bptt

CELLS = generated.names()


@pytest.fixture(scope="module")
def numba_backend() -> bptt.Backend:
    require("numba")
    from lstm_derive.nn.compiled import NumbaStepBackend  # noqa: PLC0415 (needs Numba)

    return NumbaStepBackend()


class CompiledUnderCheck:
    """A cell whose forward and backward run compiled, for gradcheck.check.

    The central differences evaluate the loss in extended precision (long double),
    which Numba cannot compile: those evaluations run the NumPy forward. The
    backward under test, and the forward whose saved values it reads, are compiled.
    """

    def __init__(self, cell: str, backend: bptt.Backend) -> None:
        self.reference = bptt.Cell.of(generated.load(cell))
        self.compiled = self.reference.using(backend)
        self.states = self.reference.states
        self.layout = self.reference.layout
        self.shapes = self.reference.shapes

    def forward(self, x: Any, states0: Any, params: Any) -> Any:
        cell = self.reference if x.dtype == np.longdouble else self.compiled
        return cell.forward(x, states0, params)

    def backward(self, d_hs: Any, cache: Any, d_last: Any = None) -> Any:
        assert cache.cell is self.compiled  # the compiled forward's saved values
        return self.compiled.backward(d_hs, cache, d_last)


@pytest.mark.parametrize("cell", CELLS)
def test_compiled_backward_passes_gradient_check(
    cell: str, numba_backend: bptt.Backend
) -> None:
    rows = gradcheck.check(
        CompiledUnderCheck(cell, numba_backend),
        batch=2,
        steps=3,
        inputs=3,
        hidden=4,
        seed=7,
    )
    worst = max(row.rel_error for row in rows)
    assert worst <= 1e-7, gradcheck.summary(rows)


def training_step(
    cell: str, backend: str, dtype: Any, x: Any, return_sequences: bool = True
) -> tuple[Any, Any, dict[str, Any]]:
    layer = nn.Recurrent(
        cell,
        x.shape[2],
        5,
        rng=np.random.default_rng(3),
        dtype=dtype,
        backend=backend,
        return_sequences=return_sequences,
    )
    out = layer.forward(x)
    d_x = layer.backward(np.cos(out))  # any gradient that varies by entry
    return out, d_x, layer.grads


@pytest.mark.parametrize("backend", ["numba_per_step", "numba"])
@pytest.mark.parametrize("cell", CELLS)
def test_compiled_step_equals_numpy_in_float64(
    cell: str, backend: str, numba_backend: bptt.Backend
) -> None:
    del numba_backend  # Numba is there
    x = np.random.default_rng(11).standard_normal((4, 6, 3))
    out, d_x, grads = training_step(cell, "numpy", np.float64, x)
    out_c, d_x_c, grads_c = training_step(cell, backend, np.float64, x)
    np.testing.assert_allclose(out_c, out, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(d_x_c, d_x, rtol=1e-12, atol=1e-13)
    assert grads_c.keys() == grads.keys()
    for name in grads:
        np.testing.assert_allclose(grads_c[name], grads[name], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("backend", ["numba_per_step", "numba"])
@pytest.mark.parametrize("cell", ["lstm", "gru_cho"])
def test_compiled_float32_stays_float32_and_close(
    cell: str, backend: str, numba_backend: bptt.Backend
) -> None:
    del numba_backend
    x = np.random.default_rng(5).standard_normal((3, 4, 2)).astype(np.float32)
    out, _, grads = training_step(cell, "numpy", np.float32, x, False)
    out_c, d_x_c, grads_c = training_step(cell, backend, np.float32, x, False)
    assert out_c.dtype == d_x_c.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads_c.values())
    np.testing.assert_allclose(out_c, out, rtol=1e-5, atol=1e-6)
    for name in grads:
        np.testing.assert_allclose(grads_c[name], grads[name], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("backend", ["numba_per_step", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_pre_activations_stay_finite_and_saturate(
    dtype: Any, backend: str, numba_backend: bptt.Backend
) -> None:
    """Huge weights drive every gate to +-1e4: no NaN, no warning, gates at 0 or 1."""
    del numba_backend
    layers = {}
    for name in ("numpy", backend):
        layer = nn.Recurrent(
            "lstm", 2, 3, rng=np.random.default_rng(1), dtype=dtype, backend=name
        )
        for parameter in layer.params:
            layer.params[parameter] *= 3e4
        layers[name] = layer
    x = np.array([[[1.0, -1.0], [-1.0, 1.0], [0.5, 0.5]]], dtype=dtype)
    hs = {name: layer.forward(x) for name, layer in layers.items()}
    assert np.all(np.isfinite(hs[backend]))
    np.testing.assert_allclose(hs[backend], hs["numpy"], atol=1e-6)
    d_x = layers[backend].backward(np.ones_like(hs[backend]))
    assert np.all(np.isfinite(d_x))


def test_activations_match_numpy_over_the_whole_range(
    numba_backend: bptt.Backend,
) -> None:
    """The kernels' sigmoid and tanh against NumPy's, tiny to huge arguments."""
    del numba_backend
    from lstm_derive.numerics import scalars  # noqa: PLC0415 (imports Numba)

    z = np.concatenate(
        [
            -np.logspace(-12, 3, 400),
            [0.0],
            np.logspace(-12, 3, 400),
            np.linspace(-50, 50, 1001),
        ]
    )
    with np.errstate(over="ignore"):
        expected_sigmoid = 1 / (1 + np.exp(-z))
    sigmoid = np.array([scalars.sigmoid64(v) for v in z])
    tanh = np.array([scalars.tanh64(v) for v in z])
    np.testing.assert_allclose(tanh, np.tanh(z), rtol=4e-16, atol=0)
    # relative accuracy down to sigmoid(-43) ~ 2e-19; below, within 3e-19 of NumPy
    above = z >= -43
    np.testing.assert_allclose(
        sigmoid[above], expected_sigmoid[above], rtol=1e-15, atol=0
    )
    assert np.all(np.abs(sigmoid - expected_sigmoid) <= 3e-19 + 1e-15 * sigmoid)


def test_float32_activations_are_float32_and_within_two_ulps(
    numba_backend: bptt.Backend,
) -> None:
    """Float32 data runs the float32 helpers (7-term exp): still within 2 ulps."""
    del numba_backend
    from lstm_derive.numerics import scalars  # noqa: PLC0415 (imports Numba)

    z = np.concatenate(
        [-np.logspace(-12, 2, 300), [0.0], np.logspace(-12, 2, 300)]
    ).astype(np.float32)
    exact = z.astype(np.float64)
    sigmoid = np.array([scalars.sigmoid32(v) for v in z])
    tanh = np.array([scalars.tanh32(v) for v in z])
    ulp = float(np.finfo(np.float32).eps)
    above = z >= -43
    expected = 1 / (1 + np.exp(-exact[above]))
    assert np.max(np.abs(sigmoid[above] - expected) / expected) <= 2 * ulp
    assert np.max(np.abs(tanh - np.tanh(exact)) / np.abs(np.tanh(exact) + 1e-300)) <= (
        2 * ulp
    )
    # the dispatch compiled code uses: a float32 gate is computed in float32
    dispatch: Any = scalars.sigmoid
    assert dispatch(np.float32(0.3)) == scalars.sigmoid32(np.float32(0.3))
    assert dispatch(0.3) == scalars.sigmoid64(0.3)


def test_the_backend_reaches_the_driver_through_recurrent(
    numba_backend: bptt.Backend,
) -> None:
    layer = nn.Recurrent(
        "lstm", 2, 3, rng=np.random.default_rng(0), backend="numba_per_step"
    )
    assert layer.cell.backend == numba_backend
    names = {
        backend: nn.Recurrent(
            "lstm", 2, 3, rng=np.random.default_rng(0), backend=backend
        ).cell.backend.name
        for backend in nn.recurrent.BACKENDS
    }
    assert names == {name: name for name in ("numpy", "numba", "numba_per_step")}
    assert nn.Recurrent(
        "lstm", 2, 3, rng=np.random.default_rng(0)
    ).cell.backend.name == ("numpy")


def test_an_unknown_backend_is_named() -> None:
    with pytest.raises(
        ValueError, match=r"unknown backend 'fortran'.*numpy, numba, numba_per_step"
    ):
        nn.Recurrent("lstm", 2, 3, rng=np.random.default_rng(0), backend="fortran")


def test_without_numba_the_numpy_path_works_and_numba_is_one_clear_error() -> None:
    """A fresh interpreter where ``import numba`` fails, as after a plain pip install."""
    script = """
import sys
sys.modules["numba"] = None  # import numba now raises ImportError
import importlib.util
importlib.util.find_spec = lambda name, *a: None if name == "numba" else _find(name, *a)
"""
    script = (
        "import importlib.util\n_find = importlib.util.find_spec\n"
        + script
        + """
import numpy as np
from lstm_derive import nn
from lstm_derive.errors import MissingExtraError
layer = nn.Recurrent("lstm", 2, 3, rng=np.random.default_rng(0))
layer.backward(layer.forward(np.ones((1, 2, 2))))
try:
    nn.Recurrent("lstm", 2, 3, rng=np.random.default_rng(0), backend="numba")
except MissingExtraError as error:
    print(error)
"""
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    message = done.stdout.strip()
    assert "\n" not in message
    assert message == (
        "the numba backend needs Numba, which is not installed: "
        "pip install 'lstm-derive[numba]'"
    )
    assert issubclass(MissingExtraError, ImportError)
