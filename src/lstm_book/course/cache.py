"""The course's cache tuples, carrying the generated code's own cache alongside.

``rnn_cell_forward`` returns ``(a_next, a_prev, xt, parameters)`` and
``lstm_cell_forward`` ``(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt,
parameters)``, exactly as in the exercise: indexing, unpacking and ``len`` behave as
the course's snippets expect. The values the generated backward reads (the step
cache of ``step_forward``) ride along in the attribute :attr:`CourseCache.generated`,
so the backward pass never recomputes the forward one. A plain tuple of the same
layout (from another implementation) works too: the backward then re-runs the
generated ``step_forward`` on the tuple's inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

from numpy.typing import NDArray

Caches = tuple[Sequence[tuple[Any, ...]], NDArray[Any]]
"""What the sequence functions return as ``caches``: (list of step caches, x)."""


class CourseCache(tuple[Any, ...]):
    """A course cache tuple with the generated step cache in ``generated``."""

    generated: dict[str, Any] | None

    def __new__(
        cls, items: Iterable[Any], generated: dict[str, Any] | None = None
    ) -> Self:
        """The tuple of ``items``; ``generated`` is the generated step cache."""
        cache = super().__new__(cls, items)
        cache.generated = generated
        return cache


def generated_cache(cache: tuple[Any, ...]) -> dict[str, Any] | None:
    """The generated step cache riding on ``cache``, or None for a plain tuple."""
    return cache.generated if isinstance(cache, CourseCache) else None


def check_steps(da_steps: int, forward_steps: int) -> None:
    """Accept a ``da`` covering the first T' <= T_x steps; refuse one with more.

    A ``da`` of T' < T_x steps means dJ/da<t> = 0 for the steps after it (as if it
    were padded with zeros): the loss depends on the first T' hidden states only.
    The course's own ``lstm_backward`` test draws such a ``da`` (4 steps for a
    forward pass of 7), and its reference loop computes exactly that gradient.
    """
    if da_steps < 1 or da_steps > forward_steps:
        msg = (
            f"da has {da_steps} time steps but the forward pass ran {forward_steps}: "
            f"da must be (n_a, m, T) with 1 <= T <= {forward_steps} (the steps of "
            "the caches it covers, from the first)"
        )
        raise ValueError(msg)
