"""The study: its tasks, protocol, statistics, verdicts, records and Dask sweep."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from distributed import Client

from lstm_book.cli import main
from lstm_book.environment import (
    Comparison,
    describe_difference,
    relative_differences,
    same_environment,
)
from lstm_book.experiments.tasks import adding, reber
from lstm_book.experiments.tasks.streams import (
    AverageStream,
    ReberStream,
    strings_right,
)
from lstm_book.study import analysis, claims, protocol, records, stats, sweep
from lstm_book.study.cells import FAMILY, LEFT_OUT, Retention, retention_of
from lstm_book.study.protocol import Point, Setting
from lstm_book.study.records import Record
from lstm_book.study.runner import run_point
from lstm_derive import generated

# --- the cells ------------------------------------------------------------------------


def test_every_generated_cell_is_studied_or_left_out_with_a_reason() -> None:
    assert sorted([*FAMILY, *LEFT_OUT]) == generated.names()
    assert all(len(reason) > 20 for reason in LEFT_OUT.values())


def test_the_retention_knob_is_read_from_each_spec() -> None:
    expected = {
        "rnn": None, "greff_nfg": None,
        "lstm": Retention("f", 1), "peephole_lstm": Retention("f", 1),
        "greff_cifg": Retention("i", -1), "mgu": Retention("f", -1),
        "gru": Retention("u", 1), "gru_cho": Retention("u", 1),
    }  # fmt: skip
    for cell, retention in expected.items():
        assert retention_of(cell) == retention, cell
    assert Retention("i", -1).bias(1.5) == -1.5


# --- the tasks' data ------------------------------------------------------------------


def test_the_adding_problem_of_1997() -> None:
    x, y, lengths = adding.adding_1997_batch(4000, 30, np.random.default_rng(0))
    assert x.shape == (4000, 33, 2)
    assert lengths.min() == 30
    assert lengths.max() == 33
    markers, values = x[..., 1], x[..., 0]
    for row in range(0, 4000, 97):
        marked = np.flatnonzero(markers[row] == 1)
        assert len(marked) == 2
        assert marked[0] < 10 or marked[1] < 10
        assert marked.max() < 30 // 2 - 1 or marked.min() < 10
        total = sum(0.0 if k == 0 else values[row, k] for k in marked)
        assert y[row, 0] == pytest.approx(0.5 + total / 4)
        length = lengths[row]
        assert not x[row, length:].any()  # nothing after the end
        if 0 not in marked:
            assert markers[row, 0] == -1
        assert markers[row, length - 1] == -1  # the last step is never marked
    assert (y >= 0).all()
    assert (y <= 1).all()


def test_the_continual_reber_stream_never_resets() -> None:
    stream = ReberStream(3, np.random.default_rng(1))
    first = stream.next(50)
    second = stream.next(50)
    for x, target, ends in (first, second):
        assert x.shape == target.shape == (3, 50, 7)
        assert (x.sum(axis=-1) == 1).all()
        # after each string's final E, the next string's B follows
        symbols = x.argmax(axis=-1)
        following = np.argwhere(ends[:, :-1])
        for row, t in following:
            assert reber.SYMBOLS[symbols[row, t]] == "E"
            assert reber.SYMBOLS[symbols[row, t + 1]] == "B"
    x, target, ends = first
    perfect = target.astype(float)
    good, total = strings_right(perfect, target, ends)
    assert good == total > 0
    wrong = perfect.copy()
    wrong[0, 0] = 1 - wrong[0, 0]
    assert strings_right(wrong, target, ends)[0] == total - 1


def test_the_leaky_average_stream() -> None:
    stream = AverageStream(2, np.random.default_rng(2))
    x, y = stream.next(30)
    average = np.full(2, 0.5)
    for t in range(30):
        average = 0.9 * average + 0.1 * x[:, t, 0]
        np.testing.assert_allclose(y[:, t, 0], average)
    x2, y2 = stream.next(5)
    np.testing.assert_allclose(y2[:, 0, 0], 0.9 * average + 0.1 * x2[:, 0, 0])


# --- the protocol ---------------------------------------------------------------------


def test_search_candidates_are_shared_stratified_and_in_range() -> None:
    for task in ("adding-10", "reber"):
        settings = protocol.search_settings(task)
        assert len(settings) == protocol.SEARCH_SETTINGS
        rates = np.log10([s.learning_rate for s in settings])
        slices = np.floor((rates + 3) / 2 * len(settings)).astype(int)
        assert sorted(slices) == list(range(len(settings)))  # one per slice
        assert all(0 <= s.retention <= 3 for s in settings)
    points = protocol.search_points(["adding-10"], ["lstm", "gru"])
    by_cell = {
        cell: {p.setting for p in points if p.cell == cell} for cell in ("lstm", "gru")
    }
    assert by_cell["lstm"] == by_cell["gru"]  # the same candidates for every cell


def test_a_setting_chosen_for_several_budgets_trains_once_for_the_largest() -> None:
    a, b = Setting(0.01, 1.0), Setting(0.003, 2.0)
    chosen = {
        ("reber", "lstm", 400): b,
        ("reber", "lstm", 1600): a,
        ("reber", "lstm", 6400): a,
    }
    points = protocol.final_points(chosen, seeds=3)
    assert {(p.setting, p.updates) for p in points} == {(a, 6400), (b, 400)}
    assert len(points) == 6


def fake_record(task: str, cell: str, seed: int, setting: Setting, *,
                phase: str = "final", loss: float = 0.1, metric: float = 0.5,
                validation: float | None = None, reached: int | None = None) -> Record:  # fmt: skip
    """A made-up record with the same scores at every budget."""
    longest = max(protocol.BUDGETS)
    updates = list(range(protocol.EVERY, longest + 1, protocol.EVERY))
    value = loss if validation is None else validation
    return Record(
        task=task, cell=cell, seed=seed, learning_rate=setting.learning_rate,
        retention=setting.retention, updates=longest, phase=phase,
        curve={"updates": [float(u) for u in updates], "loss": [value] * len(updates),
               "metric": [metric] * len(updates)},
        test={str(b): {"loss": loss, "metric": metric} for b in protocol.BUDGETS},
        reached=reached, seconds=1.0, cpu_seconds=1.0, backend="numpy",
    )  # fmt: skip


def test_settings_are_chosen_on_validation_never_on_test() -> None:
    good, bad = Setting(0.01, 1.0), Setting(0.05, 0.0)
    search = [
        fake_record("adding-10", "lstm", 1000, good, phase="search", loss=9.0, validation=0.1),
        fake_record("adding-10", "lstm", 1000, bad, phase="search", loss=0.0, validation=0.2),
    ]  # fmt: skip
    longest = max(protocol.BUDGETS)
    assert analysis.choose(search)[("adding-10", "lstm", longest)] == good
    finals = [
        fake_record("adding-10", "lstm", s, good, loss=0.01 * (s + 1))
        for s in range(10)
    ]
    result = analysis.results(search + finals)[("adding-10", "lstm", longest)]
    assert result.seeds == 10
    assert result.losses == [0.01 * (s + 1) for s in range(10)]


# --- the statistics, on data with known answers -----------------------------------------


def test_holm_matches_a_worked_example() -> None:
    # Holm (1979)'s procedure on four p-values: sorted 0.005, 0.01, 0.03, 0.04
    # are multiplied by 4, 3, 2, 1 and made non-decreasing.
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.03, 0.06, 0.06, 0.02]
    )
    assert stats.holm([0.5]) == [0.5]
    assert stats.holm([0.9, 0.9]) == [1.0, 1.0]


def test_holm_keeps_the_family_error_rate_on_null_data() -> None:
    rng = np.random.default_rng(3)
    rejected = 0
    for _ in range(300):
        pvalues = [
            stats.welch(rng.normal(size=10), rng.normal(size=10)).p for _ in range(20)
        ]
        rejected += min(stats.holm(pvalues)) < stats.ALPHA
    assert rejected / 300 <= 0.08  # at most alpha, within sampling noise


def test_tost_shows_equivalence_only_within_the_margin() -> None:
    rng = np.random.default_rng(4)
    same = [
        stats.tost(rng.normal(0, 0.05, 10), rng.normal(0, 0.05, 10), 0.1)
        for _ in range(50)
    ]
    apart = [
        stats.tost(rng.normal(0.3, 0.05, 10), rng.normal(0, 0.05, 10), 0.1)
        for _ in range(50)
    ]
    noisy = [
        stats.tost(rng.normal(0, 1.0, 10), rng.normal(0, 1.0, 10), 0.1)
        for _ in range(50)
    ]
    assert np.mean(np.array(same) < 0.05) > 0.9
    assert np.mean(np.array(apart) < 0.05) == 0
    assert np.mean(np.array(noisy) < 0.05) < 0.1  # not shown from noise


def test_censored_runs_count_in_the_median_and_the_logrank_test() -> None:
    assert stats.kaplan_meier_median([100, 200, None, 300, None], 6400) == 300
    assert stats.kaplan_meier_median([100, None, None, None], 6400) is None
    # dropping the censored runs would make the slow learner look fast
    slow = [400] * 3 + [None] * 7
    fast = [400] * 8 + [None] * 2
    assert stats.logrank(fast, slow, 6400) < 0.05
    assert stats.logrank(fast, fast, 6400) > 0.5
    assert stats.logrank([None] * 4, [None] * 4, 6400) == 1.0


# --- the verdicts ---------------------------------------------------------------------


def synthetic(losses: dict[str, float], tasks: tuple[str, ...], spread: float = 0.02,
              seeds: int = 10) -> list[Record]:  # fmt: skip
    """Search and final records where each cell's test loss is ``losses[cell]``."""
    rng = np.random.default_rng(5)
    setting = Setting(0.01, 1.0)
    made = []
    for task in tasks:
        for cell, loss in losses.items():
            made.append(fake_record(task, cell, 1000, setting, phase="search"))
            for seed in range(seeds):
                noisy = loss * 10 ** rng.normal(0, spread)
                made.append(fake_record(task, cell, seed, setting, loss=noisy))
    return made


def test_greff_verdicts_follow_the_numbers() -> None:
    tasks = ("adding-10", "reber", "stream")
    base = {claims.VANILLA: 0.1, **dict.fromkeys(claims.VARIANTS, 0.1)}
    worst = synthetic(base | {"greff_nfg": 1.0, "greff_noaf": 0.8}, tasks)
    assert claims.greff_worst(worst).verdict == claims.AGREES
    other = synthetic(base | {"greff_nig": 1.0, "greff_nog": 0.8}, tasks)
    assert claims.greff_worst(other).verdict == claims.DISAGREES
    harmless = claims.greff_harmless(worst)
    assert harmless.verdict == claims.AGREES
    assert "equivalence within the margin shown for 6 of 6" in harmless.evidence
    hurt = claims.greff_harmless(synthetic(base | {"greff_cifg": 0.5}, tasks))
    assert hurt.verdict == claims.DISAGREES
    noisy = claims.greff_harmless(synthetic(base, tasks, spread=0.5))
    assert noisy.verdict == claims.CANNOT_TELL  # never "agrees" from noise
    assert claims.greff_fgr(worst).verdict == claims.AGREES
    assert (
        claims.greff_fgr(synthetic(base | {"greff_fgr": 0.01}, tasks)).verdict
        == claims.DISAGREES
    )


def test_claims_without_their_cells_cannot_tell() -> None:
    verdicts = claims.all_verdicts(synthetic({"lstm": 0.1}, ("reber",)))
    assert {v.verdict for v in verdicts} == {claims.CANNOT_TELL}
    assert all(v.evidence_zh and v.scope_zh for v in verdicts)


# --- records and their reproduction ---------------------------------------------------


def test_records_round_trip_and_merge_by_point(tmp_path: Path) -> None:
    setting = Setting(0.01, 1.0)
    first = [fake_record("reber", "lstm", s, setting) for s in range(2)]
    records.save_recorded(first, tmp_path)
    replaced = fake_record("reber", "lstm", 1, setting, loss=0.9)
    records.save_recorded(
        [replaced, fake_record("stream", "rnn", 0, setting)], tmp_path
    )
    loaded = records.load_recorded(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reber.json", "stream.json"]
    assert [r.test_at(400)["loss"] for r in loaded] == [0.1, 0.9, 0.1]
    assert records.from_json(records.to_json(loaded)) == loaded


# On another numeric environment, 400 updates drift in the last bits: measured
# 3.3e-12 relative in the adding problem's MSE under another OpenBLAS kernel. A
# continuous score may drift 300 times that; a thresholded metric may lose or gain
# one sequence in a thousand whose answer sits within that drift of its threshold.
LOSS_RTOL = 1e-9
METRIC_TOLERANCE = 0.002


@pytest.mark.reproduction
def test_a_recorded_point_reruns_to_the_recorded_number(
    report_comparison: Callable[[Comparison], None],
) -> None:
    """A short final run of the record is re-run (its first budget only).

    The LSTM on the stream: its record ran as it runs today, the whole sequence in
    one compiled call. (The adding problem's records ran its sequences of
    different lengths step by step, before the compiled path took lengths; today's
    run agrees with them within the tolerance, not bit for bit.)
    """
    recorded = [r for r in records.load_recorded() if r.phase == "final"]
    assert recorded, "no recorded study: run `lstm-book study --record`"
    saved = min(
        (r for r in recorded if r.task == "stream" and r.cell == "lstm"),
        key=lambda r: (r.updates, r.seed),
    )
    assert saved.versions["cell_code"] == records.cell_code_hash(saved.cell)
    budget = min(protocol.BUDGETS)
    point = replace(records.point_of(saved), updates=budget)
    again = run_point(point, saved.backend)
    what = f"study, {saved.task}, {saved.cell}, seed {saved.seed}, {budget} updates"
    mine, theirs = again.test_at(budget), saved.test_at(budget)
    length = len(again.curve["loss"])
    if same_environment(saved.environment) and again.backend == saved.backend:
        assert mine == theirs
        assert again.curve["loss"] == saved.curve["loss"][:length]
        report_comparison(
            Comparison(what, True, "same numeric environment and backend")
        )
        return
    drift = relative_differences(saved.curve["loss"][:length], again.curve["loss"])
    drift += relative_differences([theirs["loss"]], [mine["loss"]])
    assert max(drift) <= LOSS_RTOL, drift
    assert abs(mine["metric"] - theirs["metric"]) <= METRIC_TOLERANCE
    report_comparison(
        Comparison(
            what, False,
            f"losses within rtol {LOSS_RTOL:g} (largest {max(drift):.1e}), metric within "
            f"{METRIC_TOLERANCE}; the environment differs: {describe_difference(saved.environment)}",
        )
    )  # fmt: skip


# --- the sweep: locally, and on a Dask cluster of subprocesses ----------------------


def tiny_points() -> list[Point]:
    setting = Setting(0.01, 1.0)
    return [Point("adding-10", cell, seed, setting, 40, "final")
            for cell in ("rnn", "lstm") for seed in (0, 1)]  # fmt: skip


def comparable(record: Record) -> dict[str, Any]:
    """A record without its times (which vary from run to run)."""
    fields = dict(record.__dict__)
    del fields["seconds"], fields["cpu_seconds"]
    return fields


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def dask_cluster() -> Iterator[str]:
    """A Dask scheduler and two workers on 127.0.0.1, as subprocesses."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    processes = [
        subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    for _ in range(2):
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    if len(client.scheduler_info()["workers"]) == 2:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the Dask cluster did not start"
            time.sleep(0.5)
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_a_sweep_on_a_dask_cluster_gives_the_records_of_a_local_run(
    dask_cluster: str,
) -> None:
    points = tiny_points()
    local = {r.key: comparable(r) for r in sweep.run_points(points, backend="numpy")}
    remote = {
        r.key: comparable(r)
        for r in sweep.run_points(points, scheduler=dask_cluster, backend="numpy")
    }
    assert remote == local
    assert len(remote) == 4


def test_the_study_command_runs_on_a_scheduler(
    dask_cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(records, "RECORDED", tmp_path)
    argv = ["study", "--phase", "search", "--task", "adding-10", "--cells", "rnn",
            "--backend", "numpy", "--scheduler", dask_cluster, "--updates", "40"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"{protocol.SEARCH_SETTINGS} runs in" in out
    assert dask_cluster in out
    assert "validation metric nan" not in out  # scored at the end of a short run
    assert list(tmp_path.iterdir()) == []  # --updates runs are never recorded


def test_the_study_command_records_and_resumes_every_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A miniature protocol (2 candidates, budgets of 20 and 40 updates, 2 seeds)
    through all three phases, recorded; --missing then runs nothing."""
    monkeypatch.setattr(records, "RECORDED", tmp_path)
    for name, value in {"SEARCH_SETTINGS": 2, "BUDGETS": (20, 40), "EVERY": 20,
                        "FINAL_SEEDS": 2}.items():  # fmt: skip
        monkeypatch.setattr(protocol, name, value)
    argv = ["study", "--task", "adding-10", "--cells", "lstm", "gru",
            "--backend", "numpy", "--record"]  # fmt: skip
    assert main(argv) == 0
    saved = records.load_recorded(tmp_path)
    phases = {
        phase: [r for r in saved if r.phase == phase]
        for phase in ("search", "final", "bias")
    }
    assert len(phases["search"]) == 4  # 2 cells x 2 candidates
    assert 4 <= len(phases["final"]) <= 8  # 2 cells x 2 seeds, per distinct choice
    assert len(phases["bias"]) == 4  # the LSTM at 2 biases x 2 seeds
    assert all(r.environment and r.versions["cell_code"] for r in saved)
    capsys.readouterr()
    assert main([*argv, "--missing"]) == 0
    captured = capsys.readouterr()
    assert "0 runs in" in captured.out
    assert "every point is recorded" in captured.err
    assert records.load_recorded(tmp_path) == saved


def test_the_study_command_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["study", "--updates", "5", "--record"]) == 2
    assert "--updates is for quick tries" in capsys.readouterr().err
    assert main(["study", "--scheduler", "127.0.0.1:8786"]) == 2
    assert "--scheduler must look like tcp://HOST:PORT" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["study", "--cells", "nonsense"])


def test_the_longest_lag_runs_the_cells_its_claims_are_about() -> None:
    points = protocol.search_points(["adding-100", "adding-30"], list(FAMILY))
    on_100 = {p.cell for p in points if p.task == "adding-100"}
    assert on_100 == {"rnn", "lstm", "gru"}
    assert {p.cell for p in points if p.task == "adding-30"} == set(FAMILY)


@pytest.mark.parametrize(("task", "cell"), [("adding-10", "lstm"), ("stream", "gru")])
def test_the_two_backends_record_the_same_run(task: str, cell: str) -> None:
    # the adding problem has lengths, the stream carries its states from segment
    # to segment: both run as whole sequences in one compiled call each
    budget = min(protocol.BUDGETS)
    point = Point(task, cell, 0, Setting(0.01, 1.0), budget, "final")
    numpy_run, numba_run = run_point(point, "numpy"), run_point(point, "numba")
    assert (numpy_run.backend, numba_run.backend) == ("numpy", "numba")
    drift = relative_differences(numpy_run.curve["loss"], numba_run.curve["loss"])
    assert max(drift) <= LOSS_RTOL
    mine, theirs = numba_run.test_at(budget), numpy_run.test_at(budget)
    assert relative_differences([theirs["loss"]], [mine["loss"]])[0] <= LOSS_RTOL
    assert abs(mine["metric"] - theirs["metric"]) <= METRIC_TOLERANCE


def test_a_records_code_hash_sees_code_not_comments() -> None:
    source = Path(generated.load("lstm").__file__ or "").read_text(encoding="utf-8")
    before = records.code_hash(source)
    assert before == records.cell_code_hash("lstm")
    commented = source.replace('"""LSTM', '"""An LSTM', 1).replace(
        "    # forget gate:", "    # the forget gate:"
    )
    assert commented != source
    assert records.code_hash(commented) == before
    changed = source.replace("RETENTION = (", "RETENTION = None and (", 1)
    assert changed != source
    assert records.code_hash(changed) != before
