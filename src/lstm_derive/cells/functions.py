"""The activation functions a cell spec may use: one entry each, in one table.

An :class:`Activation` says everything the project needs to know about a function:

* ``definition``: the function in elementary SymPy terms (what it *is*; the tests'
  independent autodiff evaluates this, never the derivative below);
* ``derivative``: its derivative written in the saved forward value ``y = f(z)``
  (and, where needed, the argument ``z``): ``sigmoid' = y (1 - y)``, ``tanh' = 1 - y²``,
  ``relu' = [y > 0]``. The generated backward code reads saved values, so it never
  re-evaluates ``exp``;
* ``numpy``: how the generated module calls it (``np.tanh``); where NumPy has no
  such function, ``helper`` names the one in :mod:`lstm_derive.numerics.arrays`
  (the overflow-free ``sigmoid``), whose source the generator copies into the
  generated module;
* ``math``: how the compiled (Numba) kernels call it on one number
  (``math.exp({z})``); ``imports`` names what a kernel module imports for it from
  :mod:`lstm_derive.numerics.scalars`;
* ``latex``: how the site prints it.

Adding an activation is adding one entry to :data:`ACTIVATIONS`; the SymPy function a
spec imports (``from lstm_derive.cells.functions import sigmoid``) is made from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy


@dataclass(frozen=True)
class Activation:
    """One elementwise function: its maths, its derivative, its code and its LaTeX."""

    name: str
    definition: Callable[[sympy.Expr], sympy.Expr]
    derivative: Callable[[sympy.Expr, sympy.Expr], sympy.Expr]
    numpy: str
    latex: str
    helper: str = ""  # its function in lstm_derive.numerics.arrays, if NumPy has none
    doc: str = ""
    comment: str = ""  # its name in the generated code's comments, if not ``name``
    math: str = ""  # the compiled kernels' call on one number, ``{z}`` the argument
    imports: tuple[str, ...] = ()  # what the kernels import from numerics.scalars


def _step(y: sympy.Expr) -> sympy.Expr:
    return sympy.Heaviside(y, 0)


ACTIVATIONS: dict[str, Activation] = {
    entry.name: entry
    for entry in (
        Activation(
            "sigmoid",
            definition=lambda z: 1 / (1 + sympy.exp(-z)),
            derivative=lambda _z, y: y * (1 - y),
            numpy="sigmoid",
            latex=r"\sigma",
            comment="σ",
            helper="sigmoid",
            math="sigmoid({z})",
            imports=("sigmoid",),
            doc="logistic sigmoid 1 / (1 + e^(-z))",
        ),
        Activation(
            "tanh",
            definition=lambda z: (
                (sympy.exp(z) - sympy.exp(-z)) / (sympy.exp(z) + sympy.exp(-z))
            ),
            derivative=lambda _z, y: 1 - y**2,
            numpy="np.tanh",
            math="tanh({z})",
            imports=("tanh",),
            latex=r"\tanh",
            doc="hyperbolic tangent",
        ),
        Activation(
            "relu",
            definition=lambda z: sympy.Max(0, z),
            # relu(z) > 0 exactly when z > 0, so the step can read the saved output.
            derivative=lambda _z, y: _step(y),
            numpy="np.maximum({z}, 0)",
            math="max({z}, 0.0)",
            latex=r"\operatorname{relu}",
            doc="rectifier max(0, z)",
        ),
        Activation(
            "hard_sigmoid",
            definition=lambda z: sympy.Min(
                1, sympy.Max(0, z / 5 + sympy.Rational(1, 2))
            ),
            # slope 1/5 where the output is strictly between 0 and 1, else 0
            derivative=lambda _z, y: _step(y) * _step(1 - y) / 5,
            numpy="hard_sigmoid",
            math="min(max(0.2 * {z} + 0.5, 0.0), 1.0)",
            latex=r"\sigma_{\mathrm{hard}}",
            helper="hard_sigmoid",
            doc="clip(0.2 z + 0.5, 0, 1)",
        ),
        Activation(
            "softsign",
            definition=lambda z: z / (1 + sympy.Abs(z)),
            # y = z / (1 + |z|)  =>  1 - |y| = 1 / (1 + |z|)  =>  y' = (1 - |y|)²
            derivative=lambda _z, y: (1 - sympy.Abs(y)) ** 2,
            numpy="softsign",
            math="{z} / (1 + abs({z}))",
            latex=r"\operatorname{softsign}",
            helper="softsign",
            doc="z / (1 + |z|)",
        ),
        Activation(
            "exp",
            definition=sympy.exp,
            derivative=lambda _z, y: y,
            numpy="np.exp",
            math="math.exp({z})",
            latex=r"\exp",
            doc="exponential",
        ),
        Activation(
            "log",
            definition=sympy.log,
            derivative=lambda z, _y: 1 / z,
            numpy="np.log",
            math="math.log({z})",
            latex=r"\log",
            doc="natural logarithm",
        ),
        Activation(
            "sqrt",
            definition=sympy.sqrt,
            derivative=lambda _z, y: 1 / (2 * y),
            numpy="np.sqrt",
            math="math.sqrt({z})",
            latex=r"\operatorname{sqrt}",
            doc="square root",
        ),
    )
}


def _make(entry: Activation) -> type[sympy.Function]:
    """The SymPy function of one entry: differentiates by ``entry.derivative``."""

    def fdiff(self: Any, argindex: int = 1) -> sympy.Expr:  # noqa: ARG001 (one argument)
        z = self.args[0]
        return entry.derivative(z, self.func(z))

    def latex(self: Any, printer: Any, exp: Any = None) -> str:
        text = rf"{entry.latex}\left({printer._print(self.args[0])}\right)"
        return rf"{text}^{{{exp}}}" if exp else text

    def rewrite_as_definition(self: Any, z: sympy.Expr, **_: Any) -> sympy.Expr:
        del self
        return entry.definition(z)

    namespace = {
        "fdiff": fdiff,
        "_latex": latex,
        "_eval_rewrite_as_exp": rewrite_as_definition,
        "__doc__": f"{entry.name}: ``{entry.doc}``.",
        "__module__": __name__,
    }
    return type(entry.name, (sympy.Function,), namespace)


#: The SymPy function of each activation, by name.
FUNCTIONS: dict[str, type[sympy.Function]] = {
    name: _make(entry) for name, entry in ACTIVATIONS.items()
}

sigmoid = FUNCTIONS["sigmoid"]
tanh = FUNCTIONS["tanh"]
relu = FUNCTIONS["relu"]
hard_sigmoid = FUNCTIONS["hard_sigmoid"]
softsign = FUNCTIONS["softsign"]
exp = FUNCTIONS["exp"]
log = FUNCTIONS["log"]
sqrt = FUNCTIONS["sqrt"]


def activation_of(function: Any) -> Activation | None:
    """The table entry of a SymPy function application or class, if it is one of ours."""
    cls = function if isinstance(function, type) else type(function)
    entry = ACTIVATIONS.get(getattr(cls, "__name__", ""))
    return entry if entry is not None and FUNCTIONS[entry.name] is cls else None
