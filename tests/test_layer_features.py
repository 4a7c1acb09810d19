"""What users of the layers expect: states in and out, lengths, gates, dropout,
both directions, their own cell, and a gradient check of a whole model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstm_derive
from lstm_derive import cells, generated, gradcheck, nn
from lstm_derive.errors import ShapeError

CELLS = ["lstm", "gru", "gru_cho", "peephole_lstm", "rnn", "mgu"]


def model_input(batch: int = 4, time: int = 6, inputs: int = 3) -> Any:
    return np.random.default_rng(1).standard_normal((batch, time, inputs))


# --- sequences of different lengths --------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_a_masked_run_equals_each_sequence_at_its_own_length(
    cell: str, return_sequences: bool
) -> None:
    x = model_input()
    lengths = np.array([6, 2, 1, 4])
    layer = nn.Recurrent(
        cell, 3, 5, rng=np.random.default_rng(0), return_sequences=return_sequences
    )
    out = layer.forward(x, lengths=lengths)
    d_out = np.random.default_rng(2).standard_normal(out.shape)
    d_x = layer.backward(d_out)
    grads = {name: g.copy() for name, g in layer.grads.items()}
    finals = dict(layer.final_state)
    expected_grads = {name: np.zeros_like(g) for name, g in grads.items()}
    for b, length in enumerate(lengths):
        alone = layer.forward(x[b : b + 1, :length])
        d_alone = d_out[b : b + 1, :length] if return_sequences else d_out[b : b + 1]
        d_x_alone = layer.backward(d_alone)
        if return_sequences:
            np.testing.assert_allclose(
                out[b, :length], alone[0], rtol=1e-12, atol=1e-14
            )
            assert not out[b, length:].any()  # padded steps output zero
        else:
            np.testing.assert_allclose(out[b], alone[0], rtol=1e-12, atol=1e-14)
        for state, value in layer.final_state.items():
            np.testing.assert_allclose(
                finals[state][b], value[0], rtol=1e-12, atol=1e-14
            )
        np.testing.assert_allclose(
            d_x[b, :length], d_x_alone[0], rtol=1e-12, atol=1e-14
        )
        assert not d_x[b, length:].any()  # padded steps receive no gradient
        for name, gradient in layer.grads.items():
            expected_grads[name] += gradient
    for name, gradient in grads.items():
        np.testing.assert_allclose(
            gradient, expected_grads[name], rtol=1e-10, atol=1e-13
        )


@pytest.mark.parametrize(
    ("lengths", "message"),
    [
        (np.array([3, 0]), "lengths must be whole numbers in 1..6"),
        (np.array([3, 7]), "lengths must be whole numbers in 1..6"),
        (np.array([3.0, 2.0]), "lengths must be whole numbers"),
        (np.array([3]), r"expected lengths of shape \(2,\), received \(1,\)"),
        ([3, 2], r"expected lengths of shape \(2,\), received list"),
    ],
)
def test_bad_lengths_are_one_clear_error(lengths: Any, message: str) -> None:
    layer = nn.Recurrent("lstm", 3, 2, rng=np.random.default_rng(0))
    with pytest.raises(ShapeError, match=message):
        layer.forward(model_input(batch=2), lengths=lengths)


def test_a_bidirectional_masked_run_reads_each_sequence_backwards_from_its_end() -> (
    None
):
    rng = np.random.default_rng(0)
    pair = nn.Bidirectional(
        nn.Recurrent("gru", 3, 4, rng=rng), nn.Recurrent("gru", 3, 4, rng=rng)
    )
    x, lengths = model_input(), np.array([6, 3, 1, 5])
    out = pair.forward(x, lengths=lengths)
    backward_layer = pair.layers["backward"]
    for b, length in enumerate(lengths):
        reversed_alone = backward_layer.forward(x[b : b + 1, :length][:, ::-1])
        np.testing.assert_allclose(
            out[b, :length, 4:], reversed_alone[0, ::-1], rtol=1e-12
        )
        assert not out[b, length:].any()


# --- states, gates --------------------------------------------------------------------


def test_initial_state_continues_a_sequence_split_in_two() -> None:
    layer = nn.Recurrent("lstm", 3, 4, rng=np.random.default_rng(0))
    x = model_input()
    whole = layer.forward(x)
    first = layer.forward(x[:, :3])
    second = layer.forward(x[:, 3:], initial_state=layer.final_state)
    np.testing.assert_allclose(
        np.concatenate([first, second], axis=1), whole, rtol=1e-14
    )
    with pytest.raises(ShapeError, match="initial_state has no state 'q'"):
        layer.forward(x, initial_state={"q": np.zeros((4, 4))})
    with pytest.raises(
        ShapeError, match=r"expected initial_state\['c'\] of shape \[4, 4\]"
    ):
        layer.forward(x, initial_state={"c": np.zeros((4, 5))})


@pytest.mark.parametrize("cell", generated.names())
def test_every_gate_is_recorded_at_every_step(cell: str) -> None:
    layer = nn.Recurrent(cell, 3, 4, rng=np.random.default_rng(0))
    hs = layer.forward(model_input())
    gates = layer.gates()
    assert set(gates) == set(layer.cell.gates)
    for values in gates.values():
        assert values.shape == (4, 6, 4)
    np.testing.assert_array_equal(layer.values("h"), hs)
    with pytest.raises(KeyError, match="keeps no value 'nothing'"):
        layer.values("nothing")


def test_the_forget_gate_of_the_lstm_is_a_sigmoid_of_its_pre_activation() -> None:
    layer = nn.Recurrent("lstm", 3, 2, rng=np.random.default_rng(0))
    x = model_input()
    layer.forward(x)
    hidden = 2
    w, b, u = layer.params["W_x"], layer.params["b_x"], layer.params["W_h"]
    h_prev = np.zeros((4, hidden))
    z_f = x[:, 0] @ w[:, :hidden] + b[:hidden] + h_prev @ u[:, :hidden]
    np.testing.assert_allclose(layer.gates()["f"][:, 0], 1 / (1 + np.exp(-z_f)))


# --- dropout, modes -------------------------------------------------------------------


def test_dropout_drops_in_training_and_passes_in_evaluation() -> None:
    rng = np.random.default_rng(0)
    layer = nn.Dropout(0.25, rng=rng)
    x = np.ones((200, 50))
    y = layer.forward(x)
    kept = y != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)
    layer.eval()
    np.testing.assert_array_equal(layer.forward(x), x)
    shared = nn.Dropout(0.5, rng=rng, across_time=True).forward(np.ones((3, 7, 5)))
    assert (shared == shared[:, :1]).all()  # one mask for every step


def test_train_and_eval_reach_every_layer_and_recurrent_dropout_only_trains() -> None:
    rng = np.random.default_rng(0)
    inner = nn.Recurrent("lstm", 3, 4, rng=rng, recurrent_dropout=0.5)
    model = nn.Sequential(
        nn.Bidirectional(inner, nn.Recurrent("lstm", 3, 4, rng=rng)),
        nn.Dropout(0.5, rng=rng),
    )
    x = model_input()
    assert training(model)
    assert training(inner)
    first, second = model.forward(x), model.forward(x)
    assert not np.array_equal(first, second)  # new masks every pass
    model.eval()
    assert not training(inner)
    np.testing.assert_array_equal(model.forward(x), model.forward(x))
    model.train()
    assert training(inner)


def training(layer: nn.Layer) -> bool:
    """Whether ``layer`` is in training mode (read through a call, not narrowed)."""
    return layer.training


# --- your own cell --------------------------------------------------------------------

MY_CELL = """
from sympy import symbols

from lstm_derive.cells.functions import sigmoid, softsign
from lstm_derive.cells.spec import CellSpec

z_f, z_n = symbols("z_f z_n")
h_prev = symbols("h_prev")
f, n, h = symbols("f n h")

SPEC = CellSpec(
    name="my_cell",
    title="A leaky softsign cell",
    gates=("f", "n"),
    states=("h",),
    equations={f: sigmoid(z_f), n: softsign(z_n), h: f * h_prev + (1 - f) * n},
)
"""


def test_a_cell_from_a_file_outside_the_package_trains_and_passes_gradcheck(
    tmp_path: Path,
) -> None:
    spec_file = tmp_path / "my_cell.py"
    spec_file.write_text(MY_CELL)
    before = sorted(p.name for p in Path(generated.__file__).parent.glob("*.py"))
    module = lstm_derive.compile_spec(spec_file)
    rows = gradcheck.check(module, batch=2, steps=3, inputs=3, hidden=4)
    assert max(row.rel_error for row in rows) <= 1e-7
    layer = nn.Recurrent(module, 3, 4, rng=np.random.default_rng(0))
    assert layer.forward(model_input()).shape == (4, 6, 4)
    # the command line writes the same module into a folder of the user's
    out = tmp_path / "generated"
    result = subprocess.run(
        [sys.executable, "-m", "lstm_derive.cli", "regen", "--spec", str(spec_file),
         "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (out / "compiled" / "my_cell.py").exists()
    written = generated.load_file(out / "my_cell.py")
    rows = gradcheck.check(written, batch=2, steps=3, inputs=3, hidden=4)
    assert max(row.rel_error for row in rows) <= 1e-7
    check = subprocess.run(
        [sys.executable, "-m", "lstm_derive.cli", "regen", "--spec", str(spec_file),
         "--out", str(out), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout
    after = sorted(p.name for p in Path(generated.__file__).parent.glob("*.py"))
    assert after == before  # nothing written into the installed package
    assert "my_cell" not in cells.names()


# --- a gradient check of a whole model ------------------------------------------------


def whole_model() -> tuple[nn.Sequential, Any, Any]:
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Bidirectional(
            nn.Recurrent("lstm", 3, 3, rng=rng, recurrent_dropout=0.3),
            nn.Recurrent("gru", 3, 3, rng=rng),
        ),
        nn.Dropout(0.3, rng=rng),
        nn.Recurrent("peephole_lstm", 6, 3, rng=rng, return_sequences=False),
        nn.Tanh(),
        nn.Dense(3, 4, rng=rng),
    )
    return model, model_input(batch=2, time=4), np.array([1, 3])


def test_a_whole_model_passes_its_gradient_check() -> None:
    model, x, target = whole_model()
    rows = gradcheck.check_model(model, nn.SoftmaxCrossEntropy(), x, target)
    assert all(row.ok for row in rows), gradcheck.summary(rows)
    names = {row.name for row in rows}
    assert {"x", "0.forward.W_h", "0.backward.b_h", "2.p_f", "4.weight"} <= names


def test_the_model_check_catches_a_wrong_dense_backward(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    right = nn.Dense.backward

    def wrong(self: nn.Dense, d_out: Any) -> Any:
        d_x = right(self, d_out)
        self.grads["weight"] = self.grads["weight"] * 1.01  # one percent off
        return d_x

    monkeypatch.setattr(nn.Dense, "backward", wrong)
    model, x, target = whole_model()
    rows = gradcheck.check_model(model, nn.SoftmaxCrossEntropy(), x, target)
    failed = {row.name for row in rows if not row.ok}
    assert failed == {"4.weight"}
