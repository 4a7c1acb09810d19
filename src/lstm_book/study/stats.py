"""The statistics of the study's verdicts, each a small function with its test.

* :func:`welch`: the difference of two means, its 95 % interval and its p-value
  (Welch's t, unequal variances);
* :func:`holm`: Holm's step-down correction of many p-values (a "hurts" verdict
  among many comparisons);
* :func:`tost`: two one-sided tests of equivalence within a margin stated before
  the data ("does not hurt" is shown, not assumed from a non-significant test);
* :func:`kaplan_meier_median` and :func:`logrank`: updates to criterion where a
  run that never met it within its budget is *censored*, not left out.

SciPy does the distributions (``scipy.stats``); the logic is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

ALPHA = 0.05
Sample = Sequence[float] | NDArray[Any]
"""A sample of scores: a list or an array."""


@dataclass(frozen=True)
class Difference:
    """mean(a) - mean(b), its 95 % interval and the two-sided p-value."""

    estimate: float
    low: float
    high: float
    p: float


def welch(a: Sample, b: Sample) -> Difference:
    """Welch's t-test of mean(a) = mean(b).

    Two samples without spread are compared exactly: the same mean gives p = 1,
    different means p = 0 (the t statistic is infinite).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    estimate = float(x.mean() - y.mean())
    if x.var() == 0 and y.var() == 0:
        p = 1.0 if estimate == 0 else 0.0
        return Difference(estimate, estimate, estimate, p)
    result = stats.ttest_ind(x, y, equal_var=False)
    interval = result.confidence_interval(1 - ALPHA)
    return Difference(
        estimate, float(interval.low), float(interval.high), float(result.pvalue)
    )


def holm(pvalues: Sample) -> list[float]:
    """Holm-adjusted p-values, in the order given (reject where adjusted < alpha).

    The smallest of m p-values is multiplied by m, the next by m - 1, ..., each
    adjusted value at least the one before it, at most 1.
    """
    order = np.argsort(pvalues, kind="stable")
    m = len(pvalues)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(pvalues[index])))
        adjusted[index] = running
    return adjusted


def tost(a: Sample, b: Sample, margin: float) -> float:
    """The p-value of equivalence: mean(a) - mean(b) lies within (-margin, margin).

    The larger of the two one-sided Welch tests' p-values (H0: difference <=
    -margin; H0: difference >= margin). Equivalence is shown when it is below alpha.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    difference = float(x.mean() - y.mean())
    if x.var() == 0 and y.var() == 0:
        return 0.0 if abs(difference) < margin else 1.0
    above = stats.ttest_ind(x + margin, y, equal_var=False, alternative="greater")
    below = stats.ttest_ind(x - margin, y, equal_var=False, alternative="less")
    return float(max(above.pvalue, below.pvalue))


def not_better_by(a: Sample, b: Sample, margin: float) -> float:
    """The p-value of "mean(a) - mean(b) < margin" (one-sided: a gains less than
    the margin over b). Shown when below alpha."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.var() == 0 and y.var() == 0:
        return 0.0 if float(x.mean() - y.mean()) < margin else 1.0
    result = stats.ttest_ind(x - margin, y, equal_var=False, alternative="less")
    return float(result.pvalue)


def kaplan_meier_median(times: Sequence[int | None], limit: int) -> float | None:
    """The median updates to criterion, runs that never met it censored at ``limit``.

    ``times`` holds each run's updates to criterion, ``None`` for a censored run.
    Returns ``None`` when fewer than half of the runs met the criterion (the
    median lies beyond the budget).
    """
    observed = np.array([t if t is not None else limit for t in times], dtype=float)
    events = np.array([t is not None for t in times])
    if not events.any():
        return None
    data = stats.CensoredData(uncensored=observed[events], right=observed[~events])
    survival = stats.ecdf(data).sf
    below = np.flatnonzero(survival.probabilities <= 0.5)
    if len(below) == 0:
        return None
    return float(survival.quantiles[below[0]])


def logrank(a: Sequence[int | None], b: Sequence[int | None], limit: int) -> float:
    """The log-rank test's p-value that ``a`` and ``b`` reach the criterion alike.

    Censored runs (``None``) count up to ``limit``. 1.0 when neither sample has an
    event.
    """

    def censored(times: Sequence[int | None]) -> stats.CensoredData:
        observed = np.array([t if t is not None else limit for t in times], dtype=float)
        events = np.array([t is not None for t in times])
        return stats.CensoredData(uncensored=observed[events], right=observed[~events])

    if all(t is None for t in [*a, *b]):
        return 1.0
    return float(stats.logrank(censored(a), censored(b)).pvalue)
