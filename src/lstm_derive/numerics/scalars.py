"""Activations of one number for the compiled kernels (Numba), in their data's precision.

The kernels (:mod:`lstm_derive.generated.compiled`) import ``sigmoid`` and ``tanh``
from here. Both pick their float32 or float64 version when a kernel is compiled
(a Numba ``overload``), so float32 data is computed in float32.

The exp inside them: for x in [-43, 0], exp(x) = s (1 + q) and
expm1(x) = s q + (s - 1), with s = 2^n (its exponent bits written directly) and
q = expm1(r) a Taylor polynomial on |r| <= ln(2)/2: 13 terms in float64 (error
below 1e-17), 7 in float32 (below 6e-9, a tenth of float32's ulp). Plain
arithmetic without a division, so the compiler turns a kernel's loop over columns
into vector instructions, which it cannot do around the C library's exp.

Numba types the arguments when it compiles, so the functions carry no annotations
(mypy checks their callers only). Every function is compiled with the kernels'
options (:data:`JIT_OPTIONS`): cached
once per machine, NumPy's float semantics, and ``a * b + c`` allowed to be one
fused multiply-add, but nothing else reordered.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numba.extending import overload

JIT_OPTIONS: dict[str, Any] = {
    "cache": True,
    "error_model": "numpy",
    "fastmath": {"contract"},
}


@numba.njit(**JIT_OPTIONS)
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


@numba.njit(**JIT_OPTIONS)
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


@numba.njit(**JIT_OPTIONS)
def sigmoid64(z):
    """1 / (1 + exp(-z)) of one number, as e / (1 + e) with e = exp(z) where z < 0.

    Never overflows: exp is only taken of -|z|. Below z = -43 the result stays at
    sigmoid(-43) ~ 2e-19 (NumPy's decays on towards 0).
    """
    s, q = exp_parts64(-abs(z))
    e = s * (1.0 + q)
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


@numba.njit(**JIT_OPTIONS)
def sigmoid32(z):
    """sigmoid64 in float32 for a float32 z."""
    one = np.float32(1.0)
    s, q = exp_parts32(-abs(z))
    e = s * (one + q)
    return one / (one + e) if z >= 0 else e / (one + e)


@numba.njit(**JIT_OPTIONS)
def tanh64(z):
    """tanh of one number: -t / (t + 2) with t = expm1(-2|z|), the sign of z.

    Accurate to a few ulps for every z, tiny ones included (no cancellation);
    |z| > 21.5 gives exactly +-1, as the rounded true value is.
    """
    s, q = exp_parts64(-2.0 * abs(z))
    t = s * q + (s - 1.0)
    y = -t / (t + 2.0)
    return y if z >= 0 else -y


@numba.njit(**JIT_OPTIONS)
def tanh32(z):
    """tanh64 in float32 for a float32 z."""
    one = np.float32(1.0)
    s, q = exp_parts32(np.float32(-2.0) * abs(z))
    t = s * q + (s - one)
    y = -t / (t + np.float32(2.0))
    return y if z >= 0 else -y


def sigmoid(z):
    """σ(z) in the precision of z: sigmoid32 for a float32, else sigmoid64."""
    return sigmoid32(z) if isinstance(z, np.float32) else sigmoid64(z)


def tanh(z):
    """tanh(z) in the precision of z: tanh32 for a float32, else tanh64."""
    return tanh32(z) if isinstance(z, np.float32) else tanh64(z)


# Compiled code picks the function for z's type when it is compiled. overload takes
# a Python function to compile, not a compiled one, hence the lambdas; its
# arguments must be named as the lambdas' are, without annotations.
@overload(sigmoid)
def _sigmoid_of(z):
    if z == numba.float32:
        return lambda z: sigmoid32(z)  # noqa: PLW0108
    return lambda z: sigmoid64(z)  # noqa: PLW0108


@overload(tanh)
def _tanh_of(z):
    if z == numba.float32:
        return lambda z: tanh32(z)  # noqa: PLW0108
    return lambda z: tanh64(z)  # noqa: PLW0108
