"""Print SymPy expressions as Python on single numbers, for the compiled kernels.

The NumPy printer (:mod:`lstm_derive.codegen.printer`) writes whole-array calls; this
one writes the same expression for one entry (``math.tanh(c)``), as the Numba kernels
evaluate it inside their loop over rows and columns. How each activation is called
comes from its ``scalar`` entry in :data:`lstm_derive.cells.functions.ACTIVATIONS`.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from lstm_derive.cells.functions import activation_of
from lstm_derive.codegen.printer import spaced


class ScalarCodePrinter(StrPrinter):  # type: ignore[misc]
    """SymPy's ``str`` printer with ``math`` calls and the step as a conditional."""

    def _print_Function(self, expr: Any) -> str:
        entry = activation_of(expr)
        if entry is None or not entry.scalar:
            msg = f"no compiled scalar code for {expr}"
            raise ValueError(msg)
        return entry.scalar.format(z=self._print(expr.args[0]))

    def _print_Heaviside(self, expr: Any) -> str:
        # A derivative read from a saved output: 1 where the value is > 0, else 0.
        return f"(1.0 if {self._print(expr.args[0])} > 0 else 0.0)"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Pi(self, expr: Any) -> str:  # noqa: ARG002
        return "math.pi"

    def _print_Exp1(self, expr: Any) -> str:  # noqa: ARG002
        return "math.e"


def scalar_code(expr: sympy.Expr) -> str:
    """The expression for one entry of ``expr``'s arrays."""
    return spaced(ScalarCodePrinter().doprint(expr))
