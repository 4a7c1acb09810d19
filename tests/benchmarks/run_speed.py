"""The speed benchmark: generated code (NumPy, Numba), torch and the GEMM bound, each in a fresh interpreter.

``nox -s bench`` runs this file. Every configuration (implementation x cell x size
x dtype x mode) is timed by a child process of its own (``speed_child.py``) that
imports only its implementation; the children of one round run one after the
other, the rounds repeat the whole list (rotated by one each round), so drift of
a shared machine hits every configuration alike. Every child gets the same thread
settings: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to
``--threads`` and ``torch.set_num_threads(--threads)``; OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE are removed, so OpenBLAS runs the kernel it picks for the CPU
(the record names it). The report gives the median and the quartiles of all
samples in ms per step; ``--record`` writes it for the site's Speed chapter.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from speed_configs import (
    CELLS,
    DTYPES,
    IMPLEMENTATIONS,
    MODES,
    REPEATS,
    ROUNDS,
    THREADS,
    Config,
    configurations,
    default_plan,
    parse_size,
)
from speed_machine import (
    CLEARED_VARIABLES,
    THREAD_VARIABLES,
    child_environment,
    load_average,
    machine_facts,
)

from lstm_book.experiments.benchmarks.recorded import (
    SpeedRecord,
    Timing,
    comparisons,
    to_json,
)
from lstm_derive import generated

HERE = Path(__file__).resolve().parent
RECORDED_IN_SOURCE = (
    HERE.parents[1] / "src/lstm_book/experiments/benchmarks/recorded_speed.json"
)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nox -s bench --", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="samples per child per round"
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        metavar="B,T,I,H",
        help="sizes to time (default: the three training sizes and 1,100,32,128)",
    )
    parser.add_argument("--modes", nargs="+", choices=MODES, help="with --sizes")
    parser.add_argument("--dtypes", nargs="+", choices=DTYPES, default=list(DTYPES))
    parser.add_argument(
        "--cells", nargs="+", choices=CELLS, help="default: the generated ones"
    )
    parser.add_argument(
        "--implementations",
        nargs="+",
        choices=IMPLEMENTATIONS,
        default=list(IMPLEMENTATIONS),
    )
    parser.add_argument(
        "--record", action="store_true", help=f"write {RECORDED_IN_SOURCE.name}"
    )
    parser.add_argument("--json", type=Path, help="write the record to this file")
    args = parser.parse_args(argv)
    for name in ("threads", "rounds", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.modes and not args.sizes:
        parser.error("--modes applies to --sizes")
    try:
        args.plan = (
            [(parse_size(s), m) for s in args.sizes for m in args.modes or ["train"]]
            if args.sizes
            else default_plan()
        )
    except ValueError as error:
        parser.error(str(error))
    return args


def run_child(config: Config, repeats: int, threads: int) -> dict[str, Any]:
    """Time ``config`` in a fresh interpreter; its JSON report."""
    command = [
        sys.executable,
        str(HERE / "speed_child.py"),
        *config.arguments(),
        str(repeats),
        str(threads),
    ]
    done = subprocess.run(
        command,
        env=child_environment(threads),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"{config.label()} failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def timed_configurations(args: argparse.Namespace) -> list[Config]:
    """Every configuration, without the generated code of cells it has no code for."""
    cells = args.cells or [c for c in CELLS if c in generated.names()]
    available = set(generated.names())
    ours = {"generated", "numba", "numba_sequence"}
    for cell in cells:
        if cell not in available and ours & set(args.implementations):
            print(f"note: no generated code for {cell!r}; timing torch and gemm only")
    return [
        c
        for c in configurations(args.plan, cells, args.dtypes, args.implementations)
        if c.implementation not in ours or c.cell in available
    ]


def run(args: argparse.Namespace) -> SpeedRecord:
    """Every round over every configuration; the record."""
    plan = timed_configurations(args)
    machine = machine_facts()
    samples: dict[Config, list[float]] = {c: [] for c in plan}
    memory: dict[Config, list[float]] = {c: [] for c in plan}
    libraries: dict[str, Any] = {}
    start = time.perf_counter()
    for round_index in range(args.rounds):
        shift = round_index % len(plan)
        for config in plan[shift:] + plan[:shift]:
            report = run_child(config, args.repeats, args.threads)
            samples[config] += report["samples_ms"]
            memory[config].append(report["peak_rss_growth_mib"])
            libraries.setdefault(config.implementation, report)
        print(
            f"round {round_index + 1}/{args.rounds} done "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    machine.update(library_facts(libraries))
    machine["load_average_end"] = load_average()
    machine["seconds"] = round(time.perf_counter() - start, 1)
    settings = {
        "threads": args.threads,
        "environment": dict.fromkeys(THREAD_VARIABLES, str(args.threads)),
        "torch_set_num_threads": args.threads,
        "cleared": list(CLEARED_VARIABLES),
        "rounds": args.rounds,
        "repeats": args.repeats,
        "memory": (
            "peak RSS growth (ru_maxrss) over the first step, after imports and setup"
        ),
    }
    timings = [
        Timing(
            c.implementation,
            c.cell,
            c.size,
            c.dtype,
            c.mode,
            samples[c],
            sorted(memory[c])[len(memory[c]) // 2],
        )
        for c in plan
    ]
    return SpeedRecord(machine, settings, timings)


def library_facts(reports: dict[str, Any]) -> dict[str, Any]:
    """Versions and BLAS kernels, as the children saw them."""
    facts: dict[str, Any] = {}
    for implementation, report in reports.items():
        facts[f"blas_{implementation}"] = report["blas"]
        facts["numpy"] = report["numpy"]
        for key in ("torch", "torch_blas", "torch_threads"):
            if key in report:
                facts[key] = report[key]
        if "torch_onednn" in report:  # whether oneDNN was on in this child
            facts[f"onednn_{implementation}"] = report["torch_onednn"]
    return facts


def format_table(record: SpeedRecord) -> str:
    """Median ms (quartiles) per implementation, and the ratios.

    ``nb`` is Numba per step, ``seq`` Numba's whole sequence in one call.
    """
    header = f"{'cell':5} {'B,T,I,H':>14} {'dtype':>7} {'mode':>7} "
    header += f"{'generated':>20} {'numba':>20} {'numba, sequence':>20} "
    header += f"{'torch':>20} {'torch, no oneDNN':>20} "
    header += f"{'gemm':>20} {'gen/torch':>9} {'gen/gemm':>8} {'nb/torch':>8} "
    header += f"{'nb/gemm':>7} {'seq/torch':>9} {'seq/gemm':>8} {'seq/native':>10}"
    lines = [header]

    def cell(timing: Timing | None) -> str:
        if timing is None:
            return f"{'-':>20}"
        spread = f"({timing.q1_ms:.3g}-{timing.q3_ms:.3g})"
        return f"{timing.median_ms:>8.3g} {spread:>11}"

    def ratio(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for row in comparisons(record):
        size = ",".join(map(str, row.size))
        lines.append(
            f"{row.cell:5} {size:>14} {row.dtype:>7} {row.mode:>7} "
            f"{cell(row.generated)} {cell(row.numba)} {cell(row.numba_sequence)} "
            f"{cell(row.torch)} {cell(row.torch_native)} {cell(row.gemm)} "
            f"{ratio(row.generated_over_torch):>9} "
            f"{ratio(row.generated_over_gemm):>8} {ratio(row.numba_over_torch):>8} "
            f"{ratio(row.numba_over_gemm):>7} "
            f"{ratio(row.numba_sequence_over_torch):>9} "
            f"{ratio(row.numba_sequence_over_gemm):>8} "
            f"{ratio(row.numba_sequence_over_torch_native):>10}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    args = parse_arguments(argv)
    record = run(args)
    print(f"median ms per step (quartiles), {args.threads} threads, {args.rounds}")
    print(f"rounds x {args.repeats} samples; BLAS: {blas_summary(record)}")
    print(format_table(record))
    largest = max((t.size for t in record.timings), key=lambda s: s[0] * s[1] * s[3])
    peak = [t for t in record.timings if t.size == largest]
    for timing in peak:
        if timing.mode == "train":
            print(
                f"peak memory growth of a training step, {timing.implementation} "
                f"{timing.cell} {timing.dtype}: {timing.peak_rss_growth_mib:.1f} MiB"
            )
    outputs = [args.json] if args.json else []
    outputs += [RECORDED_IN_SOURCE] if args.record else []
    for path in outputs:
        path.write_text(to_json(record), encoding="utf-8")
        print(f"wrote {path}")


def blas_summary(record: SpeedRecord) -> str:
    """numpy's OpenBLAS kernel and torch's BLAS, in one line."""
    parts = []
    for key, libraries in record.machine.items():
        if key.startswith("blas_"):
            for library in libraries:
                if library.get("internal_api") == "openblas":
                    kernel = library.get("architecture")
                    parts.append(f"{key[5:]}: OpenBLAS {library['version']} {kernel}")
                    break
    if "torch_blas" in record.machine:
        parts.append(f"torch: {record.machine['torch_blas']}")
    return "; ".join(parts)


if __name__ == "__main__":
    main(sys.argv[1:])
