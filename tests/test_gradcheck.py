"""Every generated backward against central differences, on random shapes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_derive import generated, gradcheck

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
    module = generated.load(cell)
    expected = (
        (hidden + inputs) * len(module.GATES) * hidden  # weight
        + len(module.GATES) * hidden  # bias
        + len(module.PARAMETERS) * hidden
        + batch * steps * inputs  # x
        + len(module.STATES) * batch * hidden  # initial states
    )
    assert len(rows) == expected


def _wrong_backward(module: Any) -> SimpleNamespace:
    """The generated LSTM with seed 001's first mistake: every gate's bias gradient shared."""

    def backward(d_hs: Any, cache: Any, **last: Any) -> dict[str, Any]:
        grads = dict(module.backward(d_hs, cache, **last))
        hidden = cache["shape"][3]
        shared = grads["d_bias"][:hidden]
        grads["d_bias"] = np.tile(shared, len(module.GATES))
        return grads

    return SimpleNamespace(
        GATES=module.GATES,
        STATES=module.STATES,
        PARAMETERS=module.PARAMETERS,
        forward=module.forward,
        backward=backward,
    )


def test_gradient_check_catches_a_wrong_backward() -> None:
    rows = gradcheck.check(_wrong_backward(generated.load("lstm")))
    failed = [row for row in rows if not row.ok]
    assert failed
    assert {row.name for row in failed} == {"bias"}
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
    module = generated.load("lstm_relu")
    problem = gradcheck.Problem.random(module, 1, 1, 2, 3, seed=0)
    arrays = problem.arrays
    hidden = 3
    candidate = (2 * hidden,)  # bias entry of unit 0's candidate g = relu(z_g)
    h_x = np.concatenate((arrays["h0"], arrays["x"][:, 0]), axis=1)
    z_g0 = float((h_x @ arrays["weight"] + arrays["bias"])[0, 2 * hidden])
    arrays["bias"][candidate] += 2e-3 - z_g0  # z_g of unit 0 is now 2e-3
    analytic = float(problem.backward()["bias"][candidate])
    assert analytic != 0

    def loss() -> float:
        return problem.loss(problem.arrays)

    naive = gradcheck.central_difference(loss, arrays["bias"], candidate)
    assert gradcheck.relative_error(naive, analytic) > 1e-3
    careful = problem.numeric("bias", candidate, gradcheck.STEP)
    assert gradcheck.relative_error(careful, analytic) <= 1e-10
    # the same point seen from the other side of the kink: slope zero
    arrays["bias"][candidate] -= 4e-3  # z_g = -2e-3
    assert problem.backward()["bias"][candidate] == 0
    assert abs(problem.numeric("bias", candidate, gradcheck.STEP)) <= 1e-12
