"""LaTeX for the derived objects, with the notation of the site.

Current-step values carry the subscript t (``f_t``, ``c_t``), previous states
``t-1`` (``c_{t-1}``), pre-activations ``z_{f,t}``, and the gradient of the loss
w.r.t. a value ``v`` is ``\\delta v``.
"""

from __future__ import annotations

import re

import sympy

from lstm_derive.cells.functions import ACTIVATIONS
from lstm_derive.derive.model import Adjoint, Equation, Partial

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


def latex(expr: sympy.Expr) -> str:
    """LaTeX of an expression in the site's notation."""
    names = {
        s: symbol_tex(str(s)) for s in expr.free_symbols if isinstance(s, sympy.Symbol)
    }
    return str(sympy.latex(expr, symbol_names=names, mul_symbol=None))


def latex_equation(equation: Equation) -> str:
    """``f_t = \\sigma(z_{f,t})``."""
    return f"{symbol_tex(str(equation.target))} = {latex(equation.expr)}"


def latex_partial(partial: Partial) -> str:
    """``\\frac{\\partial f_t}{\\partial z_{f,t}} = f_t (1 - f_t)``."""
    of, wrt = symbol_tex(str(partial.of)), symbol_tex(str(partial.wrt))
    return rf"\frac{{\partial {of}}}{{\partial {wrt}}} = {latex(partial.expr)}"


def latex_adjoint(adjoint: Adjoint) -> str:
    """``\\delta z_{f,t} = \\delta f_t \\, f_t (1 - f_t)``, summed over the batch for a parameter."""
    rhs = latex(adjoint.expr)
    if adjoint.kind == "parameter":
        rhs = rf"\sum_{{b}} \left({rhs}\right)"
    return f"{symbol_tex(str(adjoint.target))} = {rhs}"
