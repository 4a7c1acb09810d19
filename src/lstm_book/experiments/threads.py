"""Run training on one BLAS thread.

The matrices of these models are small (a batch of 128 by a few hundred columns),
and on a two-core machine that is busy with anything else, OpenBLAS' extra threads
cost far more than they give: one epoch of the report's setup took 0.44 s on one
thread and 1.0 s on two, with one core busy elsewhere (5 times slower still under
heavier load).

The limit reaches only the libraries loaded when the block starts. The Numba
backend's matrix products call SciPy's BLAS, a library of its own that Numba loads
on its first product; so when Numba is installed, SciPy's BLAS is loaded first.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit the BLAS libraries (OpenBLAS, MKL, ...) to one thread inside the block."""
    if all(importlib.util.find_spec(name) for name in ("numba", "scipy")):
        importlib.import_module("scipy.linalg.cython_blas")  # Numba's BLAS
    with threadpool_limits(limits=1, user_api="blas"):
        yield
