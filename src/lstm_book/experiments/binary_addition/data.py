"""Binary encodings of the operands and the pairs the experiments train and test on.

Numbers of any size are handled as Python ints in NumPy ``object`` arrays, so 64-bit
operands (and their 65-bit sums) convert exactly; bit arrays are ``uint8``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_derive.nn.layer import Array

REPORT_BITS = 8
"""The report's width: operands 0..127 written as 8 bits, so every sum fits in 8."""
REPORT_MAX_OPERAND = 2 ** (REPORT_BITS - 1) - 1


def to_bits(values: Array | list[int], width: int, *, lsb_first: bool) -> Array:
    """The ``width`` lowest bits of each value: shape [..., width], ``uint8``.

    ``lsb_first=False`` writes the most significant bit first (the report's order).
    Values must be whole numbers in 0 .. 2**width - 1.
    """
    numbers = np.asarray(values, dtype=object)
    if any(int(v) < 0 or int(v) >> width for v in numbers.ravel()):
        msg = f"every value must lie in 0..2**{width} - 1"
        raise ValueError(msg)
    shifts = np.arange(width) if lsb_first else np.arange(width - 1, -1, -1)
    bits: Array = (numbers[..., None] >> shifts.astype(object)) & 1
    result: Array = bits.astype(np.uint8)
    return result


def from_bits(bits: Array, *, lsb_first: bool) -> Array:
    """The numbers written by ``bits`` [..., width] (0/1 entries): an ``object`` array.

    The inverse of :func:`to_bits`; the entries are exact Python ints.
    """
    width = bits.shape[-1]
    powers = [1 << k for k in (range(width) if lsb_first else range(width - 1, -1, -1))]
    place = np.array(powers, dtype=object)
    total: Array = (np.asarray(bits).astype(int).astype(object) * place).sum(axis=-1)
    return np.asarray(total, dtype=object)


def all_pairs(max_operand: int = REPORT_MAX_OPERAND) -> Array:
    """Every pair (a, b) with 0 <= a, b <= max_operand: [(max+1)², 2], a major."""
    values = np.arange(max_operand + 1)
    a, b = np.meshgrid(values, values, indexing="ij")
    return np.stack([a.ravel(), b.ravel()], axis=1)


def pair_index(pairs: Array, max_operand: int = REPORT_MAX_OPERAND) -> Array:
    """The row of each pair in :func:`all_pairs` (a * (max + 1) + b)."""
    return np.asarray(pairs[:, 0] * (max_operand + 1) + pairs[:, 1], dtype=np.int64)


@dataclass(frozen=True)
class PairSplit:
    """All pairs of one width split into a training pool and a held-out set.

    Training samples are drawn (with replacement, as the report's ``random.randint``
    does) from ``pool`` only; ``held_out`` pairs are never trained on.
    """

    pool: Array
    held_out: Array
    max_operand: int


def split_pairs(
    rng: np.random.Generator,
    held_out_fraction: float = 0.2,
    max_operand: int = REPORT_MAX_OPERAND,
) -> PairSplit:
    """Put a random ``held_out_fraction`` of all pairs aside, the rest in the pool."""
    if not 0 < held_out_fraction < 1:
        msg = f"held_out_fraction must lie strictly between 0 and 1, got {held_out_fraction}"
        raise ValueError(msg)
    pairs = all_pairs(max_operand)
    order = rng.permutation(len(pairs))
    cut = round(held_out_fraction * len(pairs))
    return PairSplit(pairs[order[cut:]], pairs[order[:cut]], max_operand)


def sample_pairs(pool: Array, count: int, rng: np.random.Generator) -> Array:
    """``count`` pairs drawn uniformly with replacement from ``pool`` [n, 2]."""
    drawn: Array = pool[rng.integers(0, len(pool), count)]
    return drawn


def distinct_pairs(pairs: Array, max_operand: int = REPORT_MAX_OPERAND) -> Array:
    """The different pairs among ``pairs``, each once, in :func:`all_pairs` order."""
    unique = np.unique(pair_index(pairs, max_operand))
    distinct: Array = all_pairs(max_operand)[unique]
    return distinct


def random_operands(count: int, width: int, rng: np.random.Generator) -> Array:
    """``count`` numbers uniform in 0 .. 2**width - 1, exact for any width (``object``)."""
    bits = rng.integers(0, 2, size=(count, width), dtype=np.uint8)
    numbers: Array = from_bits(bits, lsb_first=True)
    return numbers
