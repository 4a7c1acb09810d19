"""The symbolic derivation: the partials a textbook derives, written in saved values."""

from __future__ import annotations

import pytest
import sympy

from lstm_derive import cells, derive, generated
from lstm_derive.cells.functions import relu, sigmoid
from lstm_derive.derive.retention import retention

S = sympy.Symbol


@pytest.fixture(scope="module")
def lstm() -> derive.Derivation:
    return derive.derive(cells.load("lstm"))


def test_every_cell_derives() -> None:
    assert set(cells.names()) >= {"lstm", "peephole_lstm", "rnn"}
    for spec in cells.load_all():
        derivation = derive.derive(spec)
        projections = [a for a in derivation.backward if a.kind == "projection"]
        blocks = {f"z{p.name}_{b}" for p in spec.all_projections for b in p.blocks}
        assert {str(a.of) for a in projections} == blocks


def test_gate_partials_use_saved_values(lstm: derive.Derivation) -> None:
    f, i, g, o = S("f"), S("i"), S("g"), S("o")
    partials = {(str(p.of), str(p.wrt)): p.expr for p in lstm.partials}
    assert sympy.simplify(partials["f", "z_f"] - f * (1 - f)) == 0
    assert sympy.simplify(partials["i", "z_i"] - i * (1 - i)) == 0
    assert sympy.simplify(partials["g", "z_g"] - (1 - g**2)) == 0
    assert sympy.simplify(partials["o", "z_o"] - o * (1 - o)) == 0
    assert partials["c", "c_prev"] == f
    assert partials["h", "o"] == S("tanh_c")


def test_backward_never_reevaluates_exp_or_activations(lstm: derive.Derivation) -> None:
    for adjoint in lstm.backward:
        assert not adjoint.expr.atoms(sympy.Function), adjoint


def test_backward_matches_textbook_lstm(lstm: derive.Derivation) -> None:
    d = {str(a.target): a.expr for a in lstm.backward}
    c_prev, f, o, tanh_c = S("c_prev"), S("f"), S("o"), S("tanh_c")
    d_h, d_c_next = S("d_h_next"), S("d_c_next")
    # Expand the chain: dc = dc_next + dh * o * (1 - tanh(c)^2)
    d_c = d["d_c"].subs({S("d_tanh_c"): d["d_tanh_c"]}).subs({S("d_h"): d_h})
    assert sympy.expand(d_c - (d_c_next + d_h * o * (1 - tanh_c**2))) == 0
    d_z_f = d["d_z_f"].subs({S("d_f"): d["d_f"]})
    assert sympy.expand(d_z_f - S("d_c") * c_prev * f * (1 - f)) == 0
    assert d["d_c_prev"] == S("d_c") * f


def test_sigmoid_derivative_is_written_in_its_value() -> None:
    z = S("z")
    assert sympy.diff(sigmoid(z), z) == sigmoid(z) * (1 - sigmoid(z))
    exact = sympy.diff(1 / (1 + sympy.exp(-z)), z)
    assert sympy.simplify(sigmoid(z).rewrite(sympy.exp).diff(z) - exact) == 0


def test_relu_derivative_is_a_step_of_its_output() -> None:
    z = S("z")
    assert sympy.diff(relu(z), z) == sympy.Heaviside(relu(z), 0)


def test_peephole_parameters_have_adjoints() -> None:
    derivation = derive.derive(cells.load("peephole_lstm"))
    parameters = [a for a in derivation.backward if a.kind == "parameter"]
    assert [str(a.of) for a in parameters] == ["p_i", "p_f", "p_o"]
    assert derivation.adjoint("p_o").expr == S("c") * S("d_net_o")


def test_latex_comes_from_the_objects(lstm: derive.Derivation) -> None:
    partial = next(p for p in lstm.partials if str(p.of) == "f")
    assert derive.latex_partial(partial, lstm.spec) == (
        r"\frac{\partial f_t}{\partial z_{f,t}} = f_t \odot \left(1 - f_t\right)"
    )
    # products in the order the spec file writes them, as a textbook prints them
    assert derive.latex_equation(lstm.equation("c"), lstm.spec) == (
        r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"
    )
    assert derive.latex_adjoint(lstm.adjoint("c_prev"), lstm.spec) == (
        r"\delta c_{t-1} = \delta c_t \odot f_t"
    )
    gru = derive.derive(cells.load("gru"))
    assert derive.latex_equation(gru.equation("h"), gru.spec) == (
        r"h_t = \left(1 - u_t\right) \odot n_t + u_t \odot h_{t-1}"
    )
    backward = derive.latex_backward(lstm)
    assert (
        r"\delta z^{x}_{k,t} = \delta z_{k,t}\quad\text{for each block } k" in backward
    )
    assert not any(line.startswith(r"\delta z^{x}_{f,t}") for line in backward)
    assert set(lstm.gate_partials()) == {"f", "i", "g", "o"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("lstm", ("c", "f", 1)),
        ("greff_cifg", ("c", "i", -1)),  # c = (1 - i) c_prev + i g
        ("gru", ("h", "u", 1)),
        ("mgu", ("h", "f", -1)),
        ("greff_nfg", None),  # c = c_prev + i g: kept, but through no gate
        ("rnn", None),
    ],
)
def test_retention_is_read_off_the_state_equation(
    cell: str, expected: tuple[str, str, int] | None
) -> None:
    found = retention(cells.load(cell))
    assert (None if found is None else tuple(found)) == expected
    recorded = generated.load(cell).RETENTION
    assert recorded == expected
