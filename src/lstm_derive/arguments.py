"""Number arguments of the ``lstm-derive`` command line, as argparse types.

Each parser returns the number or raises :class:`argparse.ArgumentTypeError` with
one line saying what is accepted; argparse turns that into ``lstm-derive: error:
...`` and exit status 2. No input makes them raise anything else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

SEED_LIMIT = 2**32 - 1
"""The largest seed (NumPy's legacy RandomState takes seeds below 2**32)."""


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type accepting a decimal whole number in ``minimum .. maximum``."""
    wanted = f">= {minimum}" if maximum is None else f"in {minimum} .. {maximum}"

    def parse(text: str) -> int:
        stripped = text.strip()
        digits = stripped.removeprefix("-").removeprefix("+")
        value = None
        if digits.isascii() and digits.isdigit() and len(digits) <= 30:
            value = int(stripped)
        if (
            value is None
            or value < minimum
            or (maximum is not None and value > maximum)
        ):
            shown = text if len(text) <= 40 else text[:37] + "..."
            msg = f"must be a whole number {wanted}, got {shown!r}"
            raise argparse.ArgumentTypeError(msg)
        return value

    parse.__name__ = f"whole number {wanted}"
    return parse


positive = whole_number(1)
"""A size or a count: 1, 2, 3, ..."""
seed = whole_number(0, SEED_LIMIT)
"""A random seed: 0 .. 2**32 - 1."""
