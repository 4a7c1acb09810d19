"""Print SymPy expressions as NumPy code (ruff-formatted) and as one-line comments."""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

#: How each function a spec may use is called in the generated module.
NUMPY_FUNCTIONS = {
    "sigmoid": "sigmoid",  # defined in the generated module: stable for any z
    "relu": "relu",
    "tanh": "np.tanh",
    "exp": "np.exp",
    "log": "np.log",
}


class NumPyCodePrinter(StrPrinter):  # type: ignore[misc]
    """SymPy's ``str`` printer with NumPy function names and the step as a comparison."""

    def _print_Function(self, expr: Any) -> str:
        name = NUMPY_FUNCTIONS[type(expr).__name__]
        return f"{name}({self._print(expr.args[0])})"

    _print_tanh = _print_exp = _print_log = _print_Function

    def _print_Heaviside(self, expr: Any) -> str:
        # The derivative of relu, read from its saved output: 1 where r > 0, else 0.
        return f"({self._print(expr.args[0])} > 0)"


def _spaced(text: str) -> str:
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
    return _spaced(NumPyCodePrinter().doprint(expr))


class CommentPrinter(StrPrinter):  # type: ignore[misc]
    """Compact maths for comments: σ for sigmoid, · for products, ² for squares."""

    def _print_Function(self, expr: Any) -> str:
        name = {"sigmoid": "σ"}.get(type(expr).__name__, type(expr).__name__)
        return f"{name}({self._print(expr.args[0])})"

    _print_tanh = _print_exp = _print_log = _print_Function

    def _print_Heaviside(self, expr: Any) -> str:
        return f"[{self._print(expr.args[0])} > 0]"


def comment(expr: sympy.Expr) -> str:
    """The maths of ``expr`` for a comment line."""
    text = CommentPrinter().doprint(expr)
    text = re.sub(r"(?<!\*)\*(?!\*)", "·", text).replace("**2", "²")
    return text.replace(" - ", " − ")
