"""Print SymPy expressions as NumPy code (ruff-formatted) and as one-line comments.

How each activation is called comes from its entry in
:data:`lstm_derive.cells.functions.ACTIVATIONS`; nothing here lists activations.
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from lstm_derive.cells.functions import activation_of


class NumPyCodePrinter(StrPrinter):  # type: ignore[misc]
    """SymPy's ``str`` printer with NumPy calls and the step as a comparison."""

    def _print_Function(self, expr: Any) -> str:
        entry = activation_of(expr)
        if entry is None:  # validation rejects these before printing
            msg = f"no NumPy for {expr}"
            raise ValueError(msg)
        argument = self._print(expr.args[0])
        if "{z}" in entry.numpy:
            return entry.numpy.format(z=argument)
        return f"{entry.numpy}({argument})"

    def _print_Heaviside(self, expr: Any) -> str:
        # A derivative read from a saved output: 1 where the value is > 0, else 0.
        return f"({self._print(expr.args[0])} > 0)"

    def _print_Abs(self, expr: Any) -> str:
        return f"np.abs({self._print(expr.args[0])})"

    def _print_Pi(self, expr: Any) -> str:  # noqa: ARG002
        return "np.pi"

    def _print_Exp1(self, expr: Any) -> str:  # noqa: ARG002
        return "np.e"


def spaced(text: str) -> str:
    """Put the spaces ruff format wants around ``*`` and ``/`` (not ``**``)."""
    text = re.sub(r"(?<!\*)\*(?!\*)", " * ", text)
    text = text.replace("/", " / ")
    # ruff keeps `a**b` tight only for simple operands.
    return re.sub(
        r"(\))\*\*|\*\*(\()",
        lambda m: f"{m.group(1) or ''} ** {m.group(2) or ''}",
        text,
    )


def code(expr: sympy.Expr) -> str:
    """The NumPy expression for ``expr``."""
    return spaced(NumPyCodePrinter().doprint(expr))


class CommentPrinter(StrPrinter):  # type: ignore[misc]
    """Compact maths for comments: σ for sigmoid, · for products, ² for squares."""

    def _print_Function(self, expr: Any) -> str:
        entry = activation_of(expr)
        name = (entry.comment or entry.name) if entry else type(expr).__name__
        return f"{name}({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr: Any) -> str:
        return f"[{self._print(expr.args[0])} > 0]"

    def _print_Abs(self, expr: Any) -> str:
        return f"|{self._print(expr.args[0])}|"


def comment(expr: sympy.Expr) -> str:
    """The maths of ``expr`` for a comment line."""
    text = CommentPrinter().doprint(expr)
    text = re.sub(r"(?<!\*)\*(?!\*)", "·", text).replace("**2", "²")
    return text.replace(" - ", " − ")
