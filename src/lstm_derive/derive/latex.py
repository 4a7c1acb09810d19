"""LaTeX for the derived objects, with the notation of the site.

Current-step values carry the subscript t (``f_t``, ``c_t``), previous states
``t-1`` (``c_{t-1}``), pre-activations ``z_{f,t}``, and the gradient of the loss
w.r.t. a value ``v`` is ``\\delta v``. Products of values are elementwise and
print as ``\\odot``, their factors in the order the spec file writes them
(``c_t = f_t \\odot c_{t-1} + i_t \\odot g_t``), a gradient first
(``\\delta c_{t-1} = \\delta c_t \\odot f_t``).
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from lstm_derive.cells.functions import ACTIVATIONS
from lstm_derive.cells.spec import CellSpec
from lstm_derive.derive.model import Adjoint, Derivation, Equation, Partial

_FUNCTIONS = {name: entry.latex for name, entry in ACTIVATIONS.items()}


def symbol_tex(name: str) -> str:
    """The site's LaTeX for one symbol name."""
    if name.startswith("d_"):
        rest = name[2:]
        if rest.endswith("_next"):
            return rf"\delta {symbol_tex(rest[: -len('_next')])}^{{\uparrow}}"
        return rf"\delta {symbol_tex(rest)}"
    if name.endswith("_prev"):
        return f"{_base(name[: -len('_prev')])}_{{t-1}}"
    projection = re.fullmatch(r"z([A-Za-z0-9]+)_(\w+)", name)
    if projection:  # a projection's block: zx_f is z^x_{f,t}
        source, block = projection.groups()
        return f"z^{{{source}}}_{{{block},t}}"
    for prefix, accent in (("z_", "z"), ("net_", r"\tilde z")):
        if name.startswith(prefix):
            return f"{accent}_{{{name[len(prefix) :]},t}}"
    for function, tex in _FUNCTIONS.items():
        if name.startswith(function + "_"):
            return rf"{tex}({symbol_tex(name[len(function) + 1 :])})"
    if name.startswith("p_"):
        return f"p_{{{name[2:]}}}"
    return f"{_base(name)}_t"


def _base(name: str) -> str:
    return name.replace("_", r"\_")


Order = dict[str, float]
"""The rank of each name in a formula: where it is first written in the spec."""


def written_order(spec: CellSpec, name: str | None = None) -> Order:
    """The names of ``spec``'s formula for ``name`` ranked by first appearance,
    then every other name of the spec's formulas, then each projection's blocks
    in the spec's order of projections (``z^x`` before ``z^h``)."""
    first = list(spec.written.get(name, ())) if name else []
    names = first + [n for written in spec.written.values() for n in written]
    order: Order = {n: float(rank) for rank, n in enumerate(dict.fromkeys(names))}
    for k, projection in enumerate(spec.all_projections):
        for block in projection.blocks:
            order.setdefault(str(projection.symbol(block)), -0.9 + 0.01 * k)
    return order


class _Printer(LatexPrinter):  # type: ignore[misc]
    """SymPy's LaTeX printer with elementwise products as ``\\odot``, ordered."""

    def __init__(self, names: dict[sympy.Symbol, str], order: Order) -> None:
        super().__init__({"symbol_names": names, "mul_symbol": None})
        self.written = order

    def rank(self, expr: sympy.Expr) -> tuple[tuple[float, ...], bool, str]:
        """Where a factor or a term goes: numbers and gradients first, then as
        written (the ranks of all its names, the earliest first, decide)."""
        if expr.is_number:
            return ((-2.0,), False, str(expr))
        ranks = sorted(self._rank_of(str(s)) for s in expr.free_symbols)
        return (tuple(ranks), bool(expr.is_Add), str(expr))

    def _rank_of(self, name: str) -> float:
        if name.startswith("d_"):
            return -1.0
        if name in self.written:
            return self.written[name]
        for prefix in [*(f"{f}_" for f in _FUNCTIONS), "net_"]:
            if name.startswith(prefix) and name[len(prefix) :] in self.written:
                return self.written[name[len(prefix) :]] + 0.5
        return float(len(self.written))

    def _print_Mul(self, expr: sympy.Mul) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        factors = sympy.Mul.make_args(rest)
        if any(f.is_Pow and f.exp.is_negative for f in factors) or len(factors) < 2:
            return str(super()._print_Mul(expr))
        ordered = sorted(factors, key=self.rank)
        parts = [
            rf"\left({self._print(f)}\right)" if f.is_Add else self._print(f)
            for f in ordered
        ]
        text = r" \odot ".join(parts)
        if coefficient == -1:
            return f"- {text}"
        if coefficient != 1:
            return f"{self._print(coefficient)} {text}"
        return text

    def _print_Add(self, expr: sympy.Add, order: object = None) -> str:
        del order
        terms = sorted(sympy.Add.make_args(expr), key=self.rank)
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        if positive and terms[0].could_extract_minus_sign():  # begin with a + term
            terms.remove(positive[0])
            terms.insert(0, positive[0])
        text = ""
        for k, term in enumerate(terms):
            negative = term.could_extract_minus_sign()
            printed = self._print(-term if negative else term)
            if k == 0:
                text = f"- {printed}" if negative else printed
            else:
                text += f" - {printed}" if negative else f" + {printed}"
        return text

    def _print_Heaviside(self, expr: sympy.Heaviside) -> str:
        # a ReLU's derivative read from its saved output: 1 where it is positive
        return rf"\mathbf{{1}}\left[{self._print(expr.args[0])} > 0\right]"


def latex(expr: sympy.Expr, order: Order | None = None) -> str:
    """LaTeX of an expression in the site's notation (``order``: the spec's)."""
    names = {
        s: symbol_tex(str(s)) for s in expr.free_symbols if isinstance(s, sympy.Symbol)
    }
    return str(_Printer(names, order or {}).doprint(expr))


def _order(order: Order | CellSpec | None, name: str) -> Order | None:
    """An order given, or the spec's order for the formula of ``name``."""
    return written_order(order, name) if isinstance(order, CellSpec) else order


def latex_equation(equation: Equation, order: Order | CellSpec | None = None) -> str:
    """``f_t = \\sigma(z_{f,t})``; with the spec, products as it writes them."""
    name = equation.gate or str(equation.target)
    return f"{symbol_tex(str(equation.target))} = {latex(equation.expr, _order(order, name))}"


def latex_partial(partial: Partial, order: Order | CellSpec | None = None) -> str:
    """``\\frac{\\partial f_t}{\\partial z_{f,t}} = f_t \\odot (1 - f_t)``."""
    of, wrt = symbol_tex(str(partial.of)), symbol_tex(str(partial.wrt))
    rhs = latex(partial.expr, _order(order, str(partial.of)))
    return rf"\frac{{\partial {of}}}{{\partial {wrt}}} = {rhs}"


def latex_adjoint(adjoint: Adjoint, order: Order | CellSpec | None = None) -> str:
    """``\\delta z_{f,t} = \\delta f_t \\odot f_t \\odot (1 - f_t)``, summed over the
    batch for a parameter; with the spec, products as it writes them."""
    rhs = latex(adjoint.expr, _order(order, str(adjoint.of)))
    if adjoint.kind == "parameter":
        rhs = rf"\sum_{{\text{{batch}}}} \left({rhs}\right)"
    return f"{symbol_tex(str(adjoint.target))} = {rhs}"


def latex_forward(derivation: Derivation) -> list[str]:
    """Every forward line of a step, each product in the order its spec writes it."""
    spec = derivation.spec
    lines = [latex_equation(eq, spec) for eq in derivation.forward]
    # a lifted function value prints as its own formula (tanh(c_t) = tanh(c_t))
    return [line for line in lines if not _prints_as_itself(line)]


def _prints_as_itself(line: str) -> bool:
    left, _, right = line.partition(" = ")
    return left.replace("(", r"\left(").replace(")", r"\right)") == right


def latex_backward(derivation: Derivation) -> list[str]:
    """Every adjoint of a step, in the order the backward pass computes them.

    The trivial adjoints of a projection's blocks (``\\delta z^x_{f,t} =
    \\delta z_{f,t}``: a sum passes its gradient on unchanged) are folded into
    one line per projection, and the zero ones (a block read by another stage of
    the step) left out.
    """
    spec = derivation.spec
    lines, folded = [], []
    for adjoint in derivation.backward:
        block = str(adjoint.of).partition("_")[2]
        if adjoint.kind == "projection" and adjoint.expr == sympy.Symbol(
            f"d_z_{block}"
        ):
            folded.append(str(adjoint.of).partition("_")[0])
            continue
        if adjoint.kind == "projection" and adjoint.expr == 0:
            continue
        lines.append(latex_adjoint(adjoint, spec))
    for projection in dict.fromkeys(folded):
        lines.append(
            rf"\delta z^{{{projection[1:]}}}_{{k,t}} = \delta z_{{k,t}}"
            r"\quad\text{for each block } k"
        )
    return lines
