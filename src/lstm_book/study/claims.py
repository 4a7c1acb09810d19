"""The papers' claims, each judged from the records: agrees, disagrees, cannot tell.

Differences are judged per task on the best setting of each cell (highest success
rate, then mean metric): a cell is *significantly* worse or better than another
when the difference of their mean metrics exceeds twice its standard error over
seeds (a Welch-style z of 2). A claim whose cells have no records yet is
"cannot tell yet"; one whose differences all stay within the noise is "cannot tell
at this scale".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lstm_book.study.records import Record
from lstm_book.study.summary import Group, best_groups, groups

AGREES, DISAGREES = "agrees", "disagrees"
NOT_YET, AT_THIS_SCALE = "cannot tell yet", "cannot tell at this scale"
VERDICTS_ZH = {
    AGREES: "一致",
    DISAGREES: "不一致",
    NOT_YET: "暂无法判断",
    AT_THIS_SCALE: "在此规模下无法判断",
}
VANILLA = "peephole_lstm"
"""Greff et al.'s vanilla LSTM has peepholes; its variants are changes of it."""
VARIANTS = (
    "greff_nig", "greff_nfg", "greff_nog", "greff_niaf",
    "greff_noaf", "greff_np", "greff_cifg", "greff_fgr",
)  # fmt: skip
Z = 2.0
CHANCE_MARGIN = 0.02
"""A mean metric this close to a constant answer's counts as nothing learned."""
BIAS_RATE = 1e-2
"""The learning rate at which the grid tries both forget-gate biases 0 and 1."""


@dataclass(frozen=True)
class Verdict:
    """A claim, the verdict and the numbers behind it (English and Chinese)."""

    claim: str
    verdict: str
    evidence: str
    evidence_zh: str
    numbers: dict[str, float] = field(default_factory=dict)

    @property
    def verdict_zh(self) -> str:
        """The verdict in Chinese."""
        return VERDICTS_ZH[self.verdict]


def z_score(a: Sequence[float], b: Sequence[float]) -> float:
    """(mean a - mean b) / its standard error; 0 when both have no spread."""
    error = np.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
    difference = float(np.mean(a) - np.mean(b))
    if error == 0:
        return 0.0 if difference == 0 else float(np.sign(difference) * np.inf)
    return difference / float(error)


def _tasks_with(best: dict[tuple[str, str], Group], cells: Sequence[str]) -> list[str]:
    tasks = sorted({task for task, _ in best})
    return [t for t in tasks if all((t, c) in best for c in cells)]


def _missing(records: Sequence[Record], cells: Sequence[str]) -> list[str]:
    present = {r.cell for r in records}
    return [c for c in cells if c not in present]


def _not_yet(claim: str, missing: list[str]) -> Verdict:
    names = ", ".join(missing)
    return Verdict(
        claim, NOT_YET, f"no records yet for {names}", f"尚无 {names} 的记录"
    )


def greff_worst(records: Sequence[Record]) -> Verdict:
    """Greff et al.: removing the forget gate (NFG) or the output activation (NOAF)
    hurts most."""
    claim = "greff_worst"
    missing = _missing(records, (VANILLA, *VARIANTS))
    if missing:
        return _not_yet(claim, missing)
    best = best_groups(records)
    tasks = _tasks_with(best, (VANILLA, *VARIANTS))
    drops = {
        v: float(np.mean([best[t, VANILLA].mean - best[t, v].mean for t in tasks]))
        for v in VARIANTS
    }
    significant = sum(
        z_score(best[t, VANILLA].metrics, best[t, v].metrics) > Z
        for t in tasks
        for v in VARIANTS
    )
    worst = sorted(VARIANTS, key=lambda v: -drops[v])[:2]
    names = " and ".join(worst)
    numbers = {f"drop_{v}": drops[v] for v in VARIANTS}
    if significant == 0:
        verdict = AT_THIS_SCALE
    else:
        verdict = AGREES if set(worst) == {"greff_nfg", "greff_noaf"} else DISAGREES
    return Verdict(
        claim, verdict,
        f"the two largest mean drops below the vanilla LSTM over {len(tasks)} tasks are "
        f"{names} ({drops[worst[0]]:.3f}, {drops[worst[1]]:.3f}); "
        f"{significant} variant-task pairs are significantly worse",
        f"在 {len(tasks)} 个任务上，相对标准 LSTM 平均下降最多的两个变体是 "
        f"{'和'.join(worst)}（{drops[worst[0]]:.3f}、{drops[worst[1]]:.3f}）；"
        f"共有 {significant} 个（变体，任务）组合显著更差",
        numbers,
    )  # fmt: skip


def _not_worse(records: Sequence[Record], claim: str, cells: Sequence[str],
               better: bool) -> Verdict:  # fmt: skip
    missing = _missing(records, (VANILLA, *cells))
    if missing:
        return _not_yet(claim, missing)
    best = best_groups(records)
    tasks = _tasks_with(best, (VANILLA, *cells))
    hits, hits_zh = [], []
    for cell in cells:
        for task in tasks:
            z = z_score(best[task, cell].metrics, best[task, VANILLA].metrics)
            if (z > Z) if better else (z < -Z):
                hits.append(f"{cell} on {task}")
                hits_zh.append(f"{cell}（{task}）")
    word, word_zh = ("better", "更好") if better else ("worse", "更差")
    if hits:
        return Verdict(
            claim,
            DISAGREES,
            f"significantly {word} than the vanilla LSTM: {', '.join(hits)}",
            f"显著{word_zh}于标准 LSTM：{'，'.join(hits_zh)}",
            {"tasks": len(tasks), "significant": len(hits)},
        )
    return Verdict(
        claim, AGREES,
        f"no task of {len(tasks)} shows {', '.join(cells)} significantly {word} "
        "than the vanilla LSTM",
        f"{len(tasks)} 个任务中，{'、'.join(cells)} 均未显著{word_zh}于标准 LSTM",
        {"tasks": len(tasks), "significant": 0},
    )  # fmt: skip


def greff_harmless(records: Sequence[Record]) -> Verdict:
    """Greff et al.: coupling input and forget gates (CIFG) and removing peepholes
    (NP) do not hurt significantly."""
    return _not_worse(records, "greff_harmless", ("greff_cifg", "greff_np"), False)


def greff_fgr(records: Sequence[Record]) -> Verdict:
    """Greff et al.: full gate recurrence (FGR) gains nothing."""
    return _not_worse(records, "greff_fgr", ("greff_fgr",), True)


def _setting_metrics(records: Sequence[Record], task: str, cell: str,
                     bias: float) -> tuple[float, ...]:  # fmt: skip
    candidates = [
        g for g in groups(records)
        if g.task == task and g.cell == cell and g.forget_bias == bias
        and g.learning_rate == BIAS_RATE
    ]  # fmt: skip
    return max(candidates, key=lambda g: (g.success_rate, g.mean)).metrics


def forget_bias(records: Sequence[Record]) -> Verdict:
    """Jozefowicz et al.: a forget-gate bias of 1 closes most of the LSTM-GRU gap."""
    claim = "forget_bias"
    missing = _missing(records, ("lstm", "gru"))
    if missing:
        return _with_bias_effect(_not_yet(claim, missing), records)
    best = best_groups(records)
    tasks = _tasks_with(best, ("lstm", "gru"))
    gap0, gap1, helped = [], [], 0
    for task in tasks:
        zero = _setting_metrics(records, task, "lstm", 0.0)
        one = _setting_metrics(records, task, "lstm", 1.0)
        gru = best[task, "gru"].metrics
        gap0.append(float(np.mean(gru) - np.mean(zero)))
        gap1.append(float(np.mean(gru) - np.mean(one)))
        helped += z_score(one, zero) > Z
    before, after = float(np.mean(gap0)), float(np.mean(gap1))
    numbers = {"gap_bias_0": before, "gap_bias_1": after, "tasks_helped": helped}
    if before <= 0 or helped == 0:
        verdict = AT_THIS_SCALE if helped == 0 else DISAGREES
    else:
        verdict = AGREES if after <= before / 2 else DISAGREES
    return Verdict(
        claim, verdict,
        f"mean GRU minus LSTM metric over {len(tasks)} tasks: {before:.3f} with "
        f"forget bias 0, {after:.3f} with bias 1 (both at learning rate "
        f"{BIAS_RATE:g}); bias 1 is significantly better on {helped} tasks",
        f"{len(tasks)} 个任务上 GRU 减 LSTM 的平均指标差：遗忘门偏置为 0 时 "
        f"{before:.3f}，为 1 时 {after:.3f}（学习率均为 {BIAS_RATE:g}）；"
        f"偏置 1 在 {helped} 个任务上显著更好",
        numbers,
    )  # fmt: skip


def bias_effect(records: Sequence[Record]) -> tuple[int, int, int]:
    """Over the tasks with LSTM records: (tasks, tasks where bias 1 is significantly
    better than bias 0, tasks where it is significantly worse)."""
    biases: dict[str, set[float | None]] = {}
    for r in records:
        if r.cell == "lstm" and r.learning_rate == BIAS_RATE:
            biases.setdefault(r.task, set()).add(r.forget_bias)
    tasks = sorted(t for t, found in biases.items() if {0.0, 1.0} <= found)
    better = worse = 0
    for task in tasks:
        z = z_score(
            _setting_metrics(records, task, "lstm", 1.0),
            _setting_metrics(records, task, "lstm", 0.0),
        )
        better += z > Z
        worse += z < -Z
    return len(tasks), better, worse


def _with_bias_effect(verdict: Verdict, records: Sequence[Record]) -> Verdict:
    if not any(r.cell == "lstm" for r in records):
        return verdict
    tasks, better, worse = bias_effect(records)
    return Verdict(
        verdict.claim, verdict.verdict,
        f"{verdict.evidence}; meanwhile, for the LSTM alone, a forget bias of 1 is "
        f"significantly better than 0 on {better} of {tasks} tasks and worse on {worse}",
        f"{verdict.evidence_zh}；仅就 LSTM 而言，遗忘门偏置 1 在 {tasks} 个任务中有 "
        f"{better} 个显著优于 0，{worse} 个显著更差",
        {"tasks": tasks, "bias_1_better": better, "bias_1_worse": worse},
    )  # fmt: skip


def rnn_long_lags(
    records: Sequence[Record],
    lag_of: dict[str, int],
    chance_of: dict[str, float] | None = None,
) -> Verdict:
    """Hochreiter and Schmidhuber: a plain RNN cannot bridge long time lags.

    ``lag_of`` maps the lagged tasks (the adding problem) to their lag T;
    ``chance_of`` gives their metric for a constant answer, to say from which lag
    the RNN learns nothing at all (its best mean within :data:`CHANCE_MARGIN`).
    """
    claim = "rnn_long_lags"
    missing = _missing(records, ("rnn", "lstm"))
    if missing:
        return _not_yet(claim, missing)
    best = best_groups(records)
    lags = sorted(
        (lag, task) for task, lag in lag_of.items()
        if (task, "rnn") in best and (task, "lstm") in best
    )  # fmt: skip
    if not lags:
        return _not_yet(claim, ["adding"])
    numbers = {}
    for lag, task in lags:
        for cell in ("rnn", "lstm"):
            numbers[f"{cell}_{lag}"] = best[task, cell].success_rate
            numbers[f"{cell}_{lag}_mean"] = best[task, cell].mean
    rnn_fails = [lag for lag, _ in lags if numbers[f"rnn_{lag}"] == 0]
    lstm_solves = [lag for lag, _ in lags if numbers[f"lstm_{lag}"] > 0]
    first_fail = min(rnn_fails) if rnn_fails else None
    numbers["rnn_first_failing_lag"] = float(first_fail or 0)
    rates = "; ".join(
        f"T = {lag}: RNN {numbers[f'rnn_{lag}']:.0%} "
        f"({numbers[f'rnn_{lag}_mean']:.2f}), "
        f"LSTM {numbers[f'lstm_{lag}']:.0%} ({numbers[f'lstm_{lag}_mean']:.2f})"
        for lag, _ in lags
    )
    blank = [
        lag for lag, task in lags
        if chance_of and task in chance_of
        and numbers[f"rnn_{lag}_mean"] <= chance_of[task] + CHANCE_MARGIN
    ]  # fmt: skip
    numbers["rnn_first_blank_lag"] = float(min(blank) if blank else 0)
    rates_zh = rates
    if blank:
        rates += (
            f"; from T = {min(blank)} the RNN does no better than a constant "
            "answer of 0.5"
        )
        rates_zh += f"；自 T = {min(blank)} 起 RNN 不比恒答 0.5 更好"
    if first_fail is None:
        verdict = DISAGREES
        text = f"the RNN succeeds at every lag tried ({rates})"
        text_zh = f"RNN 在所有延迟下都成功（{rates_zh}）"
    elif any(lag in lstm_solves for lag in rnn_fails):
        verdict = AGREES
        reach = max(lstm_solves)
        text = (
            f"the RNN fails from T = {first_fail}, the LSTM succeeds up to "
            f"T = {reach} ({rates})"
        )
        text_zh = (
            f"RNN 自 T = {first_fail} 起失败，LSTM 直到 T = {reach} 仍能成功"
            f"（{rates_zh}）"
        )
    else:
        verdict = AT_THIS_SCALE
        text = (
            f"the RNN fails from T = {first_fail}, but so does the LSTM within this "
            f"budget ({rates})"
        )
        text_zh = (
            f"RNN 自 T = {first_fail} 起失败，但在此预算下 LSTM 也失败（{rates_zh}）"
        )
    return Verdict(claim, verdict, text, text_zh, numbers)


def all_verdicts(
    records: Sequence[Record],
    lag_of: dict[str, int],
    chance_of: dict[str, float] | None = None,
) -> list[Verdict]:
    """Every claim's verdict, in the chapter's order."""
    return [
        greff_worst(records),
        greff_harmless(records),
        greff_fgr(records),
        forget_bias(records),
        rnn_long_lags(records, lag_of, chance_of),
    ]
