"""The activation functions a cell spec may use: one entry each, in one table.

An :class:`Activation` says everything the project needs to know about a function:

* ``definition``: the function in elementary SymPy terms (what it *is*; the tests'
  independent autodiff evaluates this, never the derivative below);
* ``derivative``: its derivative written in the saved forward value ``y = f(z)``
  (and, where needed, the argument ``z``): ``sigmoid' = y (1 - y)``, ``tanh' = 1 - y²``,
  ``relu' = [y > 0]``. The generated backward code reads saved values, so it never
  re-evaluates ``exp``;
* ``numpy``: how the generated module calls it (``np.tanh``), with the source of a
  helper function where NumPy has none (the overflow-free ``sigmoid``);
* ``scalar``: how the compiled (Numba) kernels call it on one number
  (``math.tanh({z})``), with a compiled helper where ``math`` has none;
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
    """One elementwise function: its maths, its derivative, its NumPy and its LaTeX."""

    name: str
    definition: Callable[[sympy.Expr], sympy.Expr]
    derivative: Callable[[sympy.Expr, sympy.Expr], sympy.Expr]
    numpy: str
    latex: str
    helper: str = ""
    doc: str = ""
    comment: str = ""  # its name in the generated code's comments, if not ``name``
    scalar: str = ""  # the compiled kernels' call on one number, ``{z}`` the argument
    scalar_helpers: tuple[str, ...] = ()  # compiled helpers the call needs, if any


_SIGMOID_HELPER = '''
def sigmoid(z: Array) -> Array:
    """Logistic sigmoid 1 / (1 + exp(-z)), accurate to a few ulps for every z.

    Where exp(-z) overflows (z < -88 in float32, z < -709 in float64) it is inf and
    the result 1 / inf = 0 is the correctly rounded value: the overflow is expected,
    so its warning is silenced.
    """
    with np.errstate(over="ignore"):
        s = np.exp(-z)
    s += 1
    return np.reciprocal(s, out=s)
'''

# The compiled kernels' exp, in the precision of the data: for x in [-43, 0],
# exp(x) = s (1 + q) and expm1(x) = s q + (s - 1), with s = 2^n (its exponent bits
# written directly) and q = expm1(r) a Taylor polynomial on |r| <= ln(2)/2: 13 terms
# in float64 (error below 1e-17), 7 in float32 (below 6e-9, a tenth of float32's
# ulp). Plain arithmetic without a division, so the compiler turns the loop over
# columns into vector instructions, which it cannot do around the C library's exp.
_EXP_PARTS_SCALAR_HELPER = '''
@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def exp_parts64(x):
    """(s, q) with exp(x) = s (1 + q) for x in [-43, 0] (x below -43 counts as -43)."""
    x = max(x, -43.0)
    n = math.floor(x * 1.4426950408889634 + 0.5)
    r = (x - n * 0.6931471803691238) - n * 1.9082149292705877e-10
    # expm1(r) = r + r^2/2! + ... + r^13/13!, by Horner's rule
    q = 1.6059043836821613e-10
    q = q * r + 2.08767569878681e-09
    q = q * r + 2.505210838544172e-08
    q = q * r + 2.755731922398589e-07
    q = q * r + 2.7557319223985893e-06
    q = q * r + 2.48015873015873e-05
    q = q * r + 0.0001984126984126984
    q = q * r + 0.001388888888888889
    q = q * r + 0.008333333333333333
    q = q * r + 0.041666666666666664
    q = q * r + 0.16666666666666666
    q = q * r + 0.5
    q = q * r * r + r
    # s = 2^n: the float64 whose exponent field (bits 52-62) holds n + 1023
    s = np.int64((int(n) + 1023) << 52).view(np.float64)
    return s, q


@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def exp_parts32(x):
    """exp_parts64 in float32 for a float32 x: the same steps, 7 terms."""
    x = max(x, np.float32(-43.0))
    n = np.floor(x * np.float32(1.4426950408889634) + np.float32(0.5))
    # ln 2 = 0.693145751953125 (n times it is exact) + 1.4286068e-06
    r = (x - n * np.float32(0.693145751953125)) - n * np.float32(1.4286068e-06)
    q = np.float32(0.0001984126984126984)
    q = q * r + np.float32(0.001388888888888889)
    q = q * r + np.float32(0.008333333333333333)
    q = q * r + np.float32(0.041666666666666664)
    q = q * r + np.float32(0.16666666666666666)
    q = q * r + np.float32(0.5)
    q = q * r * r + r
    # s = 2^n: the float32 whose exponent field (bits 23-30) holds n + 127
    s = np.int32((int(n) + 127) << 23).view(np.float32)
    return s, q
'''

_SIGMOID_SCALAR_HELPER = '''
@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def sigmoid64(z):
    """1 / (1 + exp(-z)) of one number, as e / (1 + e) with e = exp(z) where z < 0.

    Never overflows: exp is only taken of -|z|. Below z = -43 the result stays at
    sigmoid(-43) ~ 2e-19 (NumPy's decays on towards 0).
    """
    s, q = exp_parts64(-abs(z))
    e = s * (1.0 + q)
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def sigmoid32(z):
    """sigmoid64 in float32 for a float32 z."""
    one = np.float32(1.0)
    s, q = exp_parts32(-abs(z))
    e = s * (one + q)
    return one / (one + e) if z >= 0 else e / (one + e)


def sigmoid(z):
    """σ(z) in the precision of z: sigmoid32 for a float32, else sigmoid64."""
    return sigmoid32(z) if isinstance(z, np.float32) else sigmoid64(z)


@overload(sigmoid)
def _sigmoid_of(z):
    # compiled code picks the function for z's type when it is compiled; overload
    # takes a Python function to compile, not a compiled one, hence the lambdas
    if z == numba.float32:
        return lambda z: sigmoid32(z)  # noqa: PLW0108
    return lambda z: sigmoid64(z)  # noqa: PLW0108
'''

_TANH_SCALAR_HELPER = '''
@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def tanh64(z):
    """tanh of one number: -t / (t + 2) with t = expm1(-2|z|), the sign of z.

    Accurate to a few ulps for every z, tiny ones included (no cancellation);
    |z| > 21.5 gives exactly +-1, as the rounded true value is.
    """
    s, q = exp_parts64(-2.0 * abs(z))
    t = s * q + (s - 1.0)
    y = -t / (t + 2.0)
    return y if z >= 0 else -y


@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def tanh32(z):
    """tanh64 in float32 for a float32 z."""
    one = np.float32(1.0)
    s, q = exp_parts32(np.float32(-2.0) * abs(z))
    t = s * q + (s - one)
    y = -t / (t + np.float32(2.0))
    return y if z >= 0 else -y


def tanh(z):
    """tanh(z) in the precision of z: tanh32 for a float32, else tanh64."""
    return tanh32(z) if isinstance(z, np.float32) else tanh64(z)


@overload(tanh)
def _tanh_of(z):
    # compiled code picks the function for z's type when it is compiled; overload
    # takes a Python function to compile, not a compiled one, hence the lambdas
    if z == numba.float32:
        return lambda z: tanh32(z)  # noqa: PLW0108
    return lambda z: tanh64(z)  # noqa: PLW0108
'''

_HARD_SIGMOID_HELPER = '''
def hard_sigmoid(z: Array) -> Array:
    """Piecewise-linear sigmoid clip(0.2 z + 0.5, 0, 1) (Keras 2's hard_sigmoid)."""
    return np.clip(0.2 * z + 0.5, 0, 1)
'''

_SOFTSIGN_HELPER = '''
def softsign(z: Array) -> Array:
    """z / (1 + |z|): a sigmoid-shaped squashing to (-1, 1) without exp."""
    return z / (1 + np.abs(z))
'''


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
            helper=_SIGMOID_HELPER,
            scalar="sigmoid({z})",
            scalar_helpers=(_EXP_PARTS_SCALAR_HELPER, _SIGMOID_SCALAR_HELPER),
            doc="logistic sigmoid 1 / (1 + e^(-z))",
        ),
        Activation(
            "tanh",
            definition=lambda z: (
                (sympy.exp(z) - sympy.exp(-z)) / (sympy.exp(z) + sympy.exp(-z))
            ),
            derivative=lambda _z, y: 1 - y**2,
            numpy="np.tanh",
            scalar="tanh({z})",
            scalar_helpers=(_EXP_PARTS_SCALAR_HELPER, _TANH_SCALAR_HELPER),
            latex=r"\tanh",
            doc="hyperbolic tangent",
        ),
        Activation(
            "relu",
            definition=lambda z: sympy.Max(0, z),
            # relu(z) > 0 exactly when z > 0, so the step can read the saved output.
            derivative=lambda _z, y: _step(y),
            numpy="np.maximum({z}, 0)",
            scalar="max({z}, 0.0)",
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
            scalar="min(max(0.2 * {z} + 0.5, 0.0), 1.0)",
            latex=r"\sigma_{\mathrm{hard}}",
            helper=_HARD_SIGMOID_HELPER,
            doc="clip(0.2 z + 0.5, 0, 1)",
        ),
        Activation(
            "softsign",
            definition=lambda z: z / (1 + sympy.Abs(z)),
            # y = z / (1 + |z|)  =>  1 - |y| = 1 / (1 + |z|)  =>  y' = (1 - |y|)²
            derivative=lambda _z, y: (1 - sympy.Abs(y)) ** 2,
            numpy="softsign",
            scalar="{z} / (1 + abs({z}))",
            latex=r"\operatorname{softsign}",
            helper=_SOFTSIGN_HELPER,
            doc="z / (1 + |z|)",
        ),
        Activation(
            "exp",
            definition=sympy.exp,
            derivative=lambda _z, y: y,
            numpy="np.exp",
            scalar="math.exp({z})",
            latex=r"\exp",
            doc="exponential",
        ),
        Activation(
            "log",
            definition=sympy.log,
            derivative=lambda z, _y: 1 / z,
            numpy="np.log",
            scalar="math.log({z})",
            latex=r"\log",
            doc="natural logarithm",
        ),
        Activation(
            "sqrt",
            definition=sympy.sqrt,
            derivative=lambda _z, y: 1 / (2 * y),
            numpy="np.sqrt",
            scalar="math.sqrt({z})",
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
