"""One printer of SymPy expressions as code, parameterised by its target module.

As SymPy's own printers are: one class, whose setting ``module`` says where the
expression goes.

* ``"numpy"``: whole arrays, for the generated NumPy modules (``np.tanh(c)``; the
  step of a ReLU read from its saved output as the comparison ``(y > 0)``);
* ``"math"``: one number, for the compiled kernels' loops (``tanh(c)`` from
  :mod:`lstm_derive.numerics.scalars`, ``math.exp(z)``, the step as
  ``(np.float32(1) if y > 0 else np.float32(0))``). A constant that float32
  holds exactly is printed as one (``np.float32(1) - f``), and a small power as
  a product (``(g * g)``): Numba computes a float32 value combined with a Python
  number, or raised to an integer power, in float64, which would make a float32
  kernel convert every such value there and back; a float32 constant in float64
  code is the same number;
* ``"comment"``: compact maths for comments (σ for sigmoid, ``·`` for products,
  ``²`` for squares, ``[y > 0]`` for the step).

How each activation is called comes from its entry in
:data:`lstm_derive.cells.functions.ACTIVATIONS`; nothing here lists activations.
This module needs SymPy, never NumPy.
"""

from __future__ import annotations

import re
import struct
from typing import Any, Literal

import sympy
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from lstm_derive.cells.functions import activation_of

Module = Literal["numpy", "math", "comment"]
FLOAT32 = "np.float32"
"""How a ``math`` constant is typed: the kernel modules import NumPy as ``np``."""


def _float32_exact(value: float) -> bool:
    """Whether float32 holds ``value`` exactly (1, 2, 0.5; not 0.2)."""
    try:
        (rounded,) = struct.unpack("f", struct.pack("f", value))
    except OverflowError:
        return False
    return bool(rounded == value)


class CodePrinter(StrPrinter):  # type: ignore[misc]
    """SymPy's ``str`` printer with the activations, the step and ``abs`` of ``module``."""

    _default_settings = {**StrPrinter._default_settings, "module": "numpy"}  # noqa: RUF012

    @property
    def module(self) -> Module:
        """Where the printed expression goes: ``numpy``, ``math`` or ``comment``."""
        module: Module = self._settings["module"]
        return module

    def _print_Function(self, expr: Any) -> str:
        entry = activation_of(expr)
        argument = self._print(expr.args[0])
        if self.module == "comment":
            name = (entry.comment or entry.name) if entry else type(expr).__name__
            return f"{name}({argument})"
        call = None if entry is None else getattr(entry, self.module)
        if not call:  # validation rejects these before printing
            msg = f"no {self.module} code for {expr}"
            raise ValueError(msg)
        return call.format(z=argument) if "{z}" in call else f"{call}({argument})"

    def _print_Heaviside(self, expr: Any) -> str:
        # A derivative read from a saved output: 1 where the value is > 0, else 0.
        value = self._print(expr.args[0])
        return {
            "numpy": f"({value} > 0)",
            "math": f"({FLOAT32}(1) if {value} > 0 else {FLOAT32}(0))",
            "comment": f"[{value} > 0]",
        }[self.module]

    def _print_Integer(self, expr: Any) -> str:
        return self._constant(expr, super()._print_Integer(expr))

    def _print_Rational(self, expr: Any) -> str:
        return self._constant(expr, super()._print_Rational(expr))

    def _print_Float(self, expr: Any) -> str:
        return self._constant(expr, super()._print_Float(expr))

    def _constant(self, expr: Any, printed: str) -> str:
        """In ``math``: ``np.float32(c)`` for a constant float32 holds exactly."""
        value = float(expr)
        if self.module != "math" or not _float32_exact(value):
            return printed
        text = str(int(value)) if value.is_integer() else repr(value)
        return f"{FLOAT32}({text})"

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        exponent = expr.exp
        if self.module == "math" and exponent.is_Integer and 2 <= abs(exponent) <= 4:
            base = self.parenthesize(expr.base, PRECEDENCE["Mul"], strict=True)
            product = "*".join([base] * abs(int(exponent)))
            return f"({product})" if exponent > 0 else f"({FLOAT32}(1)/({product}))"
        if self.module == "math" and exponent == -1:
            base = self.parenthesize(expr.base, PRECEDENCE["Mul"], strict=True)
            return f"({FLOAT32}(1)/{base})"
        printed: str = super()._print_Pow(expr, rational)
        return printed

    def _print_Abs(self, expr: Any) -> str:
        value = self._print(expr.args[0])
        return {"numpy": f"np.abs({value})", "math": f"abs({value})"}.get(
            self.module, f"|{value}|"
        )

    def _print_Pi(self, expr: Any) -> str:  # noqa: ARG002
        return {"numpy": "np.pi", "math": "math.pi"}.get(self.module, "π")

    def _print_Exp1(self, expr: Any) -> str:  # noqa: ARG002
        return {"numpy": "np.e", "math": "math.e"}.get(self.module, "e")


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


def code(expr: sympy.Expr, module: Module = "numpy") -> str:
    """``expr`` as code for ``module`` (``numpy`` arrays or ``math`` numbers)."""
    return spaced(CodePrinter({"module": module}).doprint(expr))


def comment(expr: sympy.Expr) -> str:
    """The maths of ``expr`` for a comment line."""
    text = CodePrinter({"module": "comment"}).doprint(expr)
    text = re.sub(r"(?<!\*)\*(?!\*)", "·", text).replace("**2", "²")
    return text.replace(" - ", " − ")
