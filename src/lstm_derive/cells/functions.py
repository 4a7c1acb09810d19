"""The activation functions a cell spec may use, as SymPy functions.

Each one knows its derivative *in terms of its own value*: the derivative of
``s = sigmoid(z)`` is ``s*(1 - s)``, of ``t = tanh(z)`` is ``1 - t**2`` and of
``r = relu(z)`` is the step ``Heaviside(r, 0)``. After differentiation the
derivation replaces each function application by the name of the saved forward
value, so the generated backward code never re-evaluates ``exp``.
"""

from __future__ import annotations

from typing import Any

import sympy


class sigmoid(sympy.Function):  # type: ignore[misc]
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:  # noqa: ARG002 (one argument)
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z: sympy.Expr, **_: Any) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-z))

    def _latex(self, printer: Any, exp: Any = None) -> str:
        text = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return rf"{text}^{{{exp}}}" if exp else text


class relu(sympy.Function):  # type: ignore[misc]
    r"""The rectifier :math:`\max(0, z)`; its derivative is the step :math:`[z > 0]`."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:  # noqa: ARG002 (one argument)
        # relu(z) > 0 exactly when z > 0, so the step can read the saved output.
        return sympy.Heaviside(relu(self.args[0]), 0)

    def _eval_rewrite_as_Max(self, z: sympy.Expr, **_: Any) -> sympy.Expr:
        return sympy.Max(0, z)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        text = rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"
        return rf"{text}^{{{exp}}}" if exp else text


tanh = sympy.tanh
exp = sympy.exp
log = sympy.log

#: Functions a spec may apply elementwise, by name.
ACTIVATIONS: dict[str, type[sympy.Function]] = {
    "sigmoid": sigmoid,
    "tanh": sympy.tanh,
    "relu": relu,
    "exp": sympy.exp,
    "log": sympy.log,
}
