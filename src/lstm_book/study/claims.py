"""The papers' claims, each judged from the records: agrees, disagrees, or cannot
tell at this power, with its scope (tasks, budget) and its power (seeds, tests).

Scores compare on one scale across tasks: the log10 of each final run's test loss
(lower is better), so a difference of 0.1 is a loss 26 % higher, whatever the
task. Every task weighs the same. "Hurts" is a Welch test corrected with Holm's
method over every comparison of the claim; "does not hurt" and "gains nothing"
are shown by equivalence tests with a margin stated here, before the data:
:data:`MARGIN`, a loss within a factor of 1.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats

from lstm_book.study import protocol, stats
from lstm_book.study.analysis import Key, Result, complete, results
from lstm_book.study.records import Record

AGREES, DISAGREES, CANNOT_TELL = "agrees", "disagrees", "cannot tell at this power"
VERDICTS_ZH = {
    AGREES: "一致",
    DISAGREES: "不一致",
    CANNOT_TELL: "在此统计功效下无法判断",
}
MARGIN = float(np.log10(1.5))
"""Equivalence margin on the log10 test loss: a factor of 1.5 either way."""
BUDGET = max(protocol.BUDGETS)
"""The budget of the claims about final performance."""
VANILLA = "peephole_lstm"
"""Greff et al.'s vanilla LSTM has peepholes; its variants are changes of it."""
VARIANTS = (
    "greff_nig", "greff_nfg", "greff_nog", "greff_niaf",
    "greff_noaf", "greff_np", "greff_cifg", "greff_fgr",
)  # fmt: skip
CONTINUAL = ("reber", "stream")
LAGS = ("adding-10", "adding-30", "adding-100")


@dataclass(frozen=True)
class Verdict:
    """A claim, its verdict, scope, power and evidence (English and Chinese)."""

    claim: str
    verdict: str
    scope: str
    power: str
    evidence: str
    scope_zh: str
    power_zh: str
    evidence_zh: str
    numbers: dict[str, float] = field(default_factory=dict)

    @property
    def verdict_zh(self) -> str:
        """The verdict in Chinese."""
        return VERDICTS_ZH[self.verdict]


def _found(
    found: dict[Key, Result], cells: Sequence[str], tasks: Sequence[str], budget: int
) -> list[str]:
    """The tasks of ``tasks`` where every cell of ``cells`` has its final runs."""
    return [t for t in tasks if all(complete(found.get((t, c, budget))) for c in cells)]


def _missing(claim: str, what: str, what_zh: str) -> Verdict:
    return Verdict(
        claim, CANNOT_TELL, "-", "no final runs yet", f"no records yet of {what}",
        "-", "尚无最终运行", f"尚无 {what_zh} 的记录",
    )  # fmt: skip


def _power(seeds: int, comparisons: int) -> tuple[str, str]:
    return (
        f"{seeds} seeds per cell and task; Holm over {comparisons} comparisons",
        f"每个单元、每个任务 {seeds} 个随机种子；对 {comparisons} 次比较做 Holm 校正",
    )


def greff_worst(records: Sequence[Record], budget: int = BUDGET) -> Verdict:
    """Greff et al.: removing the forget gate (NFG) or the output activation (NOAF)
    hurts most."""
    claim, found = "greff_worst", results(records)
    tasks = _found(
        found, (VANILLA, *VARIANTS), list(dict.fromkeys(t for t, _, _ in found)), budget
    )
    if not tasks:
        return _missing(
            claim, "the vanilla LSTM and all eight variants", "标准 LSTM 及全部八个变体"
        )
    base = {t: found[t, VANILLA, budget] for t in tasks}
    pairs = [(v, t) for v in VARIANTS for t in tasks]
    tests = {
        (v, t): stats.welch(found[t, v, budget].log_losses, base[t].log_losses)
        for v, t in pairs
    }
    adjusted = dict(zip(pairs, stats.holm([tests[p].p for p in pairs]), strict=True))
    worse = {
        v: [
            t
            for t in tasks
            if tests[v, t].estimate > 0 and adjusted[v, t] < stats.ALPHA
        ]
        for v in VARIANTS
    }
    drop = {v: float(np.mean([tests[v, t].estimate for t in tasks])) for v in VARIANTS}
    ranked = sorted(VARIANTS, key=lambda v: -drop[v])
    top = ranked[:2]
    if set(top) == {"greff_nfg", "greff_noaf"} and all(worse[v] for v in top):
        verdict = AGREES
    elif any(worse[v] for v in top) and not set(top) <= {"greff_nfg", "greff_noaf"}:
        verdict = DISAGREES
    else:
        verdict = CANNOT_TELL
    seeds = min(found[t, c, budget].seeds for t in tasks for c in (VANILLA, *VARIANTS))
    power, power_zh = _power(seeds, len(pairs))
    listing = ", ".join(f"{v} {drop[v]:+.2f}" for v in ranked)
    significant = (
        ", ".join(f"{v} ({len(worse[v])})" for v in ranked if worse[v]) or "none"
    )
    return Verdict(
        claim, verdict,
        f"{len(tasks)} tasks at {budget} updates", power,
        f"mean log10 test-loss change against the vanilla LSTM, largest first: "
        f"{listing}; significantly worse on some task (tasks): {significant}",
        f"{len(tasks)} 个任务，{budget} 次更新", power_zh,
        f"相对标准 LSTM 的 log10 测试损失平均变化（从大到小）：{listing}；"
        f"在某些任务上显著更差（任务数）：{significant if significant != 'none' else '无'}",
        {f"drop_{v}": drop[v] for v in VARIANTS},
    )  # fmt: skip


def _equivalent_variants(
    records: Sequence[Record], claim: str, cells: Sequence[str], budget: int, *,
    gains: bool,
) -> Verdict:  # fmt: skip
    """Equivalence (``gains=False``: neither worse nor better by the margin) or no
    gain (``gains=True``: not better by the margin) of ``cells`` to the vanilla."""
    found = results(records)
    tasks = _found(
        found, (VANILLA, *cells), list(dict.fromkeys(t for t, _, _ in found)), budget
    )
    if not tasks:
        return _missing(
            claim,
            f"the vanilla LSTM and {', '.join(cells)}",
            f"标准 LSTM 及 {'、'.join(cells)}",
        )
    pairs = [(c, t) for c in cells for t in tasks]
    base = {t: found[t, VANILLA, budget].log_losses for t in tasks}
    tests = {
        (c, t): stats.welch(found[t, c, budget].log_losses, base[t]) for c, t in pairs
    }
    adjusted = dict(zip(pairs, stats.holm([tests[p].p for p in pairs]), strict=True))
    worse = [p for p in pairs if tests[p].estimate > 0 and adjusted[p] < stats.ALPHA]
    better = [p for p in pairs if tests[p].estimate < 0 and adjusted[p] < stats.ALPHA]
    if gains:  # "gains nothing": its loss is not lower by the margin
        shown = [
            p
            for p in pairs
            if stats.not_better_by(
                base[p[1]], found[p[1], p[0], budget].log_losses, MARGIN
            )
            < stats.ALPHA
        ]
    else:
        shown = [
            p
            for p in pairs
            if stats.tost(found[p[1], p[0], budget].log_losses, base[p[1]], MARGIN)
            < stats.ALPHA
        ]
    if gains:
        verdict = (
            DISAGREES if better else AGREES if len(shown) == len(pairs) else CANNOT_TELL
        )
    else:
        verdict = (
            DISAGREES if worse else AGREES if len(shown) == len(pairs) else CANNOT_TELL
        )
    seeds = min(found[t, c, budget].seeds for c, t in pairs)
    power, power_zh = _power(seeds, len(pairs))

    def named(found_pairs: list[tuple[str, str]]) -> str:
        return ", ".join(f"{c} on {t}" for c, t in found_pairs) or "none"

    def named_zh(found_pairs: list[tuple[str, str]]) -> str:
        return "、".join(f"{c}（{t}）" for c, t in found_pairs) or "无"

    test = "no gain beyond the margin" if gains else "equivalence within the margin"
    test_zh = "提升不超过界限" if gains else "在界限内等价"
    return Verdict(
        claim, verdict, f"{len(tasks)} tasks at {budget} updates; margin: a loss within a factor of 1.5", power,
        f"{test} shown for {len(shown)} of {len(pairs)} cell-task pairs; "
        f"significantly worse: {named(worse)}; significantly better: {named(better)}",
        f"{len(tasks)} 个任务，{budget} 次更新；界限：损失相差不超过 1.5 倍", power_zh,
        f"{len(pairs)} 个（单元，任务）组合中有 {len(shown)} 个证明了{test_zh}；"
        f"显著更差：{named_zh(worse)}；显著更好：{named_zh(better)}",
        {"shown": float(len(shown)), "pairs": float(len(pairs)), "worse": float(len(worse)), "better": float(len(better))},
    )  # fmt: skip


def greff_harmless(records: Sequence[Record], budget: int = BUDGET) -> Verdict:
    """Greff et al.: coupling the input and forget gates (CIFG) or removing the
    peepholes (NP) does not hurt."""
    return _equivalent_variants(
        records, "greff_harmless", ("greff_cifg", "greff_np"), budget, gains=False
    )


def greff_fgr(records: Sequence[Record], budget: int = BUDGET) -> Verdict:
    """Greff et al.: full gate recurrence (FGR) gains nothing."""
    return _equivalent_variants(
        records, "greff_fgr", ("greff_fgr",), budget, gains=True
    )


def continual_forget_gate(records: Sequence[Record], budget: int = BUDGET) -> Verdict:
    """Gers et al. (2000): without a forget gate, an LSTM fails on continual input."""
    claim, found = "continual_forget_gate", results(records)
    tasks = _found(found, ("lstm", "greff_nfg"), CONTINUAL, budget)
    if not tasks:
        return _missing(
            claim,
            "the LSTM and greff_nfg on the continual tasks",
            "LSTM 与 greff_nfg 在持续任务上",
        )
    tests = [
        stats.welch(
            found[t, "greff_nfg", budget].log_losses,
            found[t, "lstm", budget].log_losses,
        )
        for t in tasks
    ]
    adjusted = stats.holm([test.p for test in tests])
    worse = [
        t
        for t, test, p in zip(tasks, tests, adjusted, strict=True)
        if test.estimate > 0 and p < stats.ALPHA
    ]
    successes = {
        t: (found[t, "lstm", budget].successes, found[t, "greff_nfg", budget].successes)
        for t in tasks
    }
    verdict = (
        AGREES
        if len(worse) == len(tasks)
        else DISAGREES
        if all(t.estimate <= 0 for t in tests)
        else CANNOT_TELL
    )
    seeds = min(found[t, c, budget].seeds for t in tasks for c in ("lstm", "greff_nfg"))
    power, power_zh = _power(seeds, len(tasks))
    shown = "; ".join(
        f"{t}: log10 loss {test.estimate:+.2f}, successes LSTM {successes[t][0]}, NFG {successes[t][1]} of {seeds}"
        for t, test in zip(tasks, tests, strict=True)
    )
    shown_zh = "；".join(
        f"{t}：log10 损失 {test.estimate:+.2f}，成功次数 LSTM {successes[t][0]}、NFG {successes[t][1]}（共 {seeds}）"
        for t, test in zip(tasks, tests, strict=True)
    )
    return Verdict(
        claim, verdict, f"{', '.join(tasks)} at {budget} updates", power, f"greff_nfg against the LSTM: {shown}",
        f"{'、'.join(tasks)}，{budget} 次更新", power_zh, f"greff_nfg 对比 LSTM：{shown_zh}",
    )  # fmt: skip


def rnn_long_lags(records: Sequence[Record], budget: int = BUDGET) -> Verdict:
    """Hochreiter and Schmidhuber (1997): a plain RNN cannot learn long time lags
    that the LSTM learns."""
    claim, found = "rnn_long_lags", results(records)
    lags = _found(found, ("rnn", "lstm"), LAGS, budget)
    if not lags:
        return _missing(
            claim,
            "the RNN and the LSTM on the adding problem",
            "RNN 与 LSTM 在加法问题上",
        )
    rows = []
    decisive = []
    for task in lags:
        rnn, lstm = found[task, "rnn", budget], found[task, "lstm", budget]
        table = [
            [lstm.successes, lstm.seeds - lstm.successes],
            [rnn.successes, rnn.seeds - rnn.successes],
        ]
        p = float(scipy_stats.fisher_exact(table, alternative="greater").pvalue)
        rows.append((task, lstm.successes, rnn.successes, lstm.seeds, p))
        if p < stats.ALPHA:
            decisive.append(task)
    matched = [task for task, lstm_ok, rnn_ok, _, _ in rows if rnn_ok >= lstm_ok > 0]
    verdict = (
        AGREES
        if decisive
        else DISAGREES
        if matched and matched[-1] == lags[-1]
        else CANNOT_TELL
    )
    seeds = rows[0][3]
    listing = "; ".join(
        f"{t}: LSTM {a}, RNN {b} of {n} (Fisher p {p:.2g})" for t, a, b, n, p in rows
    )
    listing_zh = "；".join(
        f"{t}：LSTM {a}、RNN {b}（共 {n}，Fisher 检验 p = {p:.2g}）"
        for t, a, b, n, p in rows
    )
    return Verdict(
        claim, verdict, f"{', '.join(lags)} at {budget} updates",
        f"{seeds} seeds per cell and lag; Fisher's exact test of the success counts",
        f"successes on the test set: {listing}",
        f"{'、'.join(lags)}，{budget} 次更新",
        f"每个单元、每个时滞 {seeds} 个随机种子；对成功次数做 Fisher 精确检验",
        f"测试集上的成功次数：{listing_zh}",
    )  # fmt: skip


def _bias_runs(records: Sequence[Record], task: str, knob: float) -> list[float]:
    return [
        float(np.log10(max(r.test_at(BUDGET)["loss"], 1e-12)))
        for r in records
        if r.phase == "bias" and r.task == task and r.retention == knob
    ]


def forget_bias(records: Sequence[Record], budget: int = BUDGET) -> Verdict:
    """Jozefowicz et al. (2015): a forget-gate bias of 1 closes most of the gap
    between the LSTM and the GRU."""
    claim, found = "forget_bias", results(records)
    tasks = [
        t for t in dict.fromkeys(t for t, _, _ in found)
        if complete(found.get((t, "gru", budget)))
        and len(_bias_runs(records, t, 0.0)) >= 2 and len(_bias_runs(records, t, 1.0)) >= 2
    ]  # fmt: skip
    if not tasks:
        return _missing(
            claim,
            "the LSTM at biases 0 and 1 and the GRU",
            "偏置为 0 和 1 的 LSTM 以及 GRU",
        )
    gaps, closed, rows, rows_zh = [], [], [], []
    for task in tasks:
        gru = found[task, "gru", budget].log_losses
        zero, one = _bias_runs(records, task, 0.0), _bias_runs(records, task, 1.0)
        gap0, gap1 = stats.welch(zero, gru), stats.welch(one, gru)
        gain = stats.welch(zero, one)
        if gap0.estimate > 0 and gap0.p < stats.ALPHA:  # a gap to close
            gaps.append(task)
            if (
                gap1.estimate < 0.5 * gap0.estimate
                and gain.estimate > 0
                and gain.p < stats.ALPHA
            ):
                closed.append(task)
        rows.append(
            f"{task}: gap {gap0.estimate:+.2f} at bias 0, {gap1.estimate:+.2f} at bias 1"
        )
        rows_zh.append(
            f"{task}：偏置 0 时差距 {gap0.estimate:+.2f}，偏置 1 时 {gap1.estimate:+.2f}"
        )
    verdict = CANNOT_TELL if not gaps else AGREES if closed == gaps else DISAGREES
    seeds = len(_bias_runs(records, tasks[0], 1.0))
    return Verdict(
        claim, verdict,
        f"{len(tasks)} tasks at {budget} updates; the LSTM at its chosen learning rate, the GRU at its chosen setting",
        f"{seeds} seeds per bias; Welch tests, a gap exists where bias 0 is significantly behind the GRU",
        "log10 test loss of the LSTM minus the GRU's: " + "; ".join(rows)
        + f"; tasks with a gap: {', '.join(gaps) or 'none'}; closed by more than half: {', '.join(closed) or 'none'}",
        f"{len(tasks)} 个任务，{budget} 次更新；LSTM 用其选定的学习率，GRU 用其选定的设置",
        f"每个偏置 {seeds} 个随机种子；Welch 检验；偏置 0 显著落后于 GRU 的任务才算有差距",
        "LSTM 与 GRU 的 log10 测试损失之差：" + "；".join(rows_zh)
        + f"；有差距的任务：{'、'.join(gaps) or '无'}；差距缩小一半以上的任务：{'、'.join(closed) or '无'}",
    )  # fmt: skip


def all_verdicts(records: Sequence[Record]) -> list[Verdict]:
    """Every claim's verdict, in the chapter's order."""
    return [
        rnn_long_lags(records),
        continual_forget_gate(records),
        greff_worst(records),
        greff_harmless(records),
        greff_fgr(records),
        forget_bias(records),
    ]
