"""Hand-written numerics that the generated code uses, one function per activation.

* :mod:`~lstm_derive.numerics.arrays`: NumPy functions on whole arrays where
  NumPy has none (an overflow-free ``sigmoid``, ``hard_sigmoid``, ``softsign``).
  The code generator copies the source of each one a cell uses into that cell's
  generated module, which therefore stays a file that imports NumPy only.
* :mod:`~lstm_derive.numerics.scalars`: the compiled kernels' functions of one
  number (Numba), imported by every kernel module. Each kernel module records a
  digest of this file: editing it makes ``lstm-derive regen`` rewrite the kernels,
  so Numba's cache of them is renewed.

Which function an activation uses is its entry in
:data:`lstm_derive.cells.functions.ACTIVATIONS`. This package imports NumPy (and
Numba, for the scalars) only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SCALARS = Path(__file__).resolve().parent / "scalars.py"


def scalars_digest() -> str:
    """The first 16 hex digits of the SHA-256 of ``scalars.py`` (read, not imported).

    Every kernel module records the digest it was written against; the compiled
    backend refuses kernels whose digest is not today's.
    """
    return hashlib.sha256(SCALARS.read_bytes()).hexdigest()[:16]
