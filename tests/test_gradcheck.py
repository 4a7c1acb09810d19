"""Every generated backward against central differences, on random shapes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_derive import generated, gradcheck
from lstm_derive.nn import bptt

sizes = st.integers(min_value=1, max_value=6)


@settings(max_examples=60, deadline=None)
@given(
    cell=st.sampled_from(generated.names()),
    batch=sizes,
    steps=sizes,
    inputs=sizes,
    hidden=sizes,
    seed=st.integers(0, 2**32 - 1),
)
def test_generated_backward_passes_gradient_check(
    cell: str, batch: int, steps: int, inputs: int, hidden: int, seed: int
) -> None:
    rows = gradcheck.check(
        cell, batch=batch, steps=steps, inputs=inputs, hidden=hidden, seed=seed
    )
    worst = max(row.rel_error for row in rows)
    assert worst <= 1e-7, gradcheck.summary(rows)
    runner = bptt.Cell.of(generated.load(cell))
    expected = (
        sum(int(np.prod(s)) for s in runner.shapes(inputs, hidden).values())
        + batch * steps * inputs  # x
        + len(runner.states) * batch * hidden  # initial states
    )
    assert len(rows) == expected


def _wrong_backward(cell: bptt.Cell) -> SimpleNamespace:
    """The generated LSTM with seed 001's first mistake: every gate's bias gradient shared."""

    def backward(d_hs: Any, cache: Any, d_last: Any = None) -> dict[str, Any]:
        grads = dict(cell.backward(d_hs, cache, d_last))
        hidden = cache.shape[3]
        shared = grads["b_x"][:hidden]
        grads["b_x"] = np.tile(shared, len(cell.gates))
        return grads

    return SimpleNamespace(
        states=cell.states,
        layout=cell.layout,
        shapes=cell.shapes,
        forward=cell.forward,
        backward=backward,
    )


def test_gradient_check_catches_a_wrong_backward() -> None:
    rows = gradcheck.check(_wrong_backward(bptt.Cell.of(generated.load("lstm"))))
    failed = [row for row in rows if not row.ok]
    assert failed
    assert {row.name for row in failed} == {"b_x"}
    assert all(row.line().endswith("[FAIL]") for row in failed)


def test_rows_use_the_seed_000_layout() -> None:
    rows = gradcheck.check("lstm", batch=1, steps=1, inputs=1, hidden=1)
    first = rows[0].line()
    assert first.startswith("parameter (0,0,0) numeric: ")
    assert " backward: " in first
    assert " rel_error: " in first
    assert first.endswith("[OK]")
    kinds = [row.kind for row in rows]
    assert kinds == sorted(kinds, key=gradcheck.KINDS.index)


def test_a_relu_kink_inside_the_stencil_is_stepped_around() -> None:
    """A pre-activation 2e-3 from the ReLU kink: the 3e-3 central stencil straddles it."""
    cell = bptt.Cell.of(generated.load("lstm_relu"))
    problem = gradcheck.Problem.random(cell, 1, 1, 2, 3, seed=0)
    arrays = problem.arrays
    hidden = 3
    candidate = (2 * hidden,)  # bias entry of unit 0's candidate g = relu(z_g)
    z = arrays["x"][:, 0] @ arrays["W_x"] + arrays["h0"] @ arrays["W_h"] + arrays["b_x"]
    z_g0 = float(z[0, 2 * hidden])
    arrays["b_x"][candidate] += 2e-3 - z_g0  # z_g of unit 0 is now 2e-3
    analytic = float(problem.backward()["b_x"][candidate])
    assert analytic != 0

    def loss() -> float:
        return problem.loss(problem.arrays)

    naive = gradcheck.central_difference(loss, arrays["b_x"], candidate)
    assert gradcheck.relative_error(naive, analytic) > 1e-3
    careful = problem.numeric("b_x", candidate, gradcheck.STEP)
    assert gradcheck.relative_error(careful, analytic) <= 1e-10
    # the same point seen from the other side of the kink: slope zero
    arrays["b_x"][candidate] -= 4e-3  # z_g = -2e-3
    assert problem.backward()["b_x"][candidate] == 0
    assert abs(problem.numeric("b_x", candidate, gradcheck.STEP)) <= 1e-12
