"""The speed benchmark runs end to end at a tiny size, and the recorded run is complete.

No timing is asserted: the smoke test checks that every implementation runs in its
own child, that the report has the structure the site reads, and that the thread
settings and the cleared OpenBLAS overrides are what the benchmark says they are.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require

from lstm_book.experiments.benchmarks import recorded
from lstm_derive import generated

DRIVER = Path(__file__).parent / "benchmarks" / "run_speed.py"
TINY = (3, 2, 2, 4)


def run_driver(*arguments: str, extra_env: dict[str, str] | None = None) -> str:
    environment = {**os.environ, **(extra_env or {})}
    done = subprocess.run(
        [sys.executable, str(DRIVER), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def tiny_record(tmp_path_factory: pytest.TempPathFactory) -> recorded.SpeedRecord:
    require("torch")
    output = tmp_path_factory.mktemp("bench") / "speed.json"
    stdout = run_driver(
        "--sizes", ",".join(map(str, TINY)), "--modes", "train", "forward",
        "--dtypes", "float32", "--cells", "lstm", "gru",
        "--rounds", "1", "--repeats", "2", "--threads", "1", "--json", str(output),
        extra_env={"OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_L2_SIZE": "65536"},
    )  # fmt: skip
    assert "gen/torch" in stdout  # the table was printed
    return recorded.read(output)


def test_every_implementation_ran_once_per_configuration(
    tiny_record: recorded.SpeedRecord,
) -> None:
    ran = {(t.implementation, t.cell, t.mode) for t in tiny_record.timings}
    for cell in ("lstm", "gru"):
        for mode in ("train", "forward"):
            assert ("torch", cell, mode) in ran
            assert ("gemm", cell, mode) in ran
            # torch without oneDNN only where torch uses it: the float32 LSTM
            assert (("torch_native", cell, mode) in ran) == (cell == "lstm")
            # the generated side (NumPy and the compiled backend) runs exactly for
            # the cells that have code
            has_code = cell in generated.names()
            assert (("generated", cell, mode) in ran) == has_code
            assert (("numba", cell, mode) in ran) == has_code
            assert (("numba_sequence", cell, mode) in ran) == has_code
    assert len(ran) == len(tiny_record.timings)  # no configuration twice
    # the switch took effect in each torch child
    assert tiny_record.machine["onednn_torch"] is True
    assert tiny_record.machine["onednn_torch_native"] is False


def test_timings_have_samples_and_a_consistent_summary(
    tiny_record: recorded.SpeedRecord,
) -> None:
    for timing in tiny_record.timings:
        assert timing.size == TINY
        assert timing.dtype == "float32"
        assert len(timing.samples_ms) == 2  # rounds x repeats
        assert all(sample > 0 for sample in timing.samples_ms)
        assert timing.min_ms <= timing.q1_ms <= timing.median_ms
        assert timing.median_ms <= timing.q3_ms <= timing.max_ms
        assert timing.peak_rss_growth_mib >= 0


def test_comparisons_line_up_the_implementations(
    tiny_record: recorded.SpeedRecord,
) -> None:
    rows = recorded.comparisons(tiny_record)
    assert len(rows) == 4  # 2 cells x 2 modes
    for row in rows:
        assert row.torch is not None
        assert row.gemm is not None
        if row.generated is None:
            assert row.generated_over_torch is None
        else:
            ratio = row.generated.median_ms / row.torch.median_ms
            assert row.generated_over_torch == pytest.approx(ratio)
        if row.numba is None:
            assert row.numba_over_torch is None
        else:
            ratio = row.numba.median_ms / row.torch.median_ms
            assert row.numba_over_torch == pytest.approx(ratio)


def test_the_record_names_the_machine_and_the_thread_settings(
    tiny_record: recorded.SpeedRecord,
) -> None:
    machine, settings = tiny_record.machine, tiny_record.settings
    for key in ("cpu", "cores", "numpy", "torch", "torch_blas", "date"):
        assert machine[key], key
    assert machine["torch_threads"] == 1
    assert settings["threads"] == 1
    assert settings["environment"] == {
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    # the overrides were in the driver's environment and are cleared for the children
    assert machine["cleared_variables"] == {
        "OPENBLAS_CORETYPE": "Prescott",
        "OPENBLAS_L2_SIZE": "65536",
    }
    numpy_blas = [
        library
        for library in machine["blas_gemm"]
        if library["internal_api"] == "openblas"
    ]
    assert numpy_blas, machine["blas_gemm"]
    assert numpy_blas[0]["num_threads"] == 1
    # OpenBLAS picked its kernel itself: the forced Prescott kernel did not run
    assert numpy_blas[0]["architecture"] != "Prescott"


def test_a_malformed_size_is_one_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, str(DRIVER), "--sizes", "3,2,2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "is not four positive integers B,T,I,H" in done.stderr


def test_the_recorded_run_covers_every_default_configuration() -> None:
    record = recorded.read()
    found = {
        (t.implementation, t.cell, t.size, t.dtype, t.mode) for t in record.timings
    }
    sizes = [
        ((128, 8, 2, 16), "train"),
        ((32, 50, 64, 128), "train"),
        ((64, 100, 256, 512), "train"),
        ((1, 100, 32, 128), "train"),
        ((1, 100, 32, 128), "forward"),
    ]
    for implementation in ("generated", "numba", "numba_sequence", "torch", "gemm"):
        for size, mode in sizes:
            for dtype in ("float32", "float64"):
                for cell in ("lstm", "gru"):
                    assert (implementation, cell, size, dtype, mode) in found
    for size, mode in sizes:
        assert ("torch_native", "lstm", size, "float32", mode) in found
    # several samples of every configuration (a quick run records one or two)
    assert all(len(timing.samples_ms) >= 3 for timing in record.timings)
    assert record.machine["cleared_variables"] is not None
