"""``lstm-book study``: run the study (or part of it) on Dask, record it, resume it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace

from tqdm import tqdm

from lstm_book.study import analysis, protocol, records, sweep
from lstm_book.study.cells import FAMILY
from lstm_book.study.protocol import Point
from lstm_book.study.records import Record
from lstm_book.study.runner import fastest_backend
from lstm_book.study.tasks import TASKS
from lstm_derive.arguments import positive
from lstm_derive.errors import CommandError

PHASES = ("search", "final", "bias")
SAVE_EVERY = 10
"""With --record, the records are saved after every this many runs."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lstm-book study``."""
    parser.add_argument(
        "--task", action="append", choices=sorted(TASKS), dest="tasks",
        help="a task to run (repeat for several; default: every task)",
    )  # fmt: skip
    parser.add_argument(
        "--cells", nargs="+", metavar="CELL", choices=FAMILY,
        help="cells to run (default: every cell of the study)",
    )  # fmt: skip
    parser.add_argument(
        "--phase", choices=(*PHASES, "all"), default="all",
        help="search (candidate settings), final (seeds at the chosen settings, "
        "from recorded search runs), bias (the LSTM at forget-gate biases 0 and 1), "
        "or all three in turn (default)",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=positive, default=1,
        help="worker processes of the embedded local Dask cluster (default 1: no Dask)",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT",
        help="run on this existing Dask cluster instead of a local one",
    )  # fmt: skip
    parser.add_argument(
        "--backend", choices=("numpy", "numba"), default=None,
        help="the cells' backend (default: the fastest installed)",
    )  # fmt: skip
    parser.add_argument(
        "--missing", action="store_true",
        help="run only the points without a record made by today's cell code",
    )  # fmt: skip
    parser.add_argument(
        "--record", action="store_true",
        help="merge the runs into the book's recorded JSON files as they finish",
    )  # fmt: skip
    parser.add_argument(
        "--updates", type=positive, default=None,
        help="train every run for this many updates instead (a quick try: not "
        "recordable)",
    )  # fmt: skip


def _cells(args: argparse.Namespace) -> list[str]:
    return list(dict.fromkeys(args.cells)) if args.cells else list(FAMILY)


def plan(
    phase: str, tasks: list[str], cells: list[str], known: Sequence[Record]
) -> list[Point]:
    """The points of one phase for ``tasks`` x ``cells`` (final and bias runs need
    the search runs in ``known``)."""
    if phase == "search":
        return protocol.search_points(tasks, cells)
    chosen = {
        key: setting
        for key, setting in analysis.choose(known).items()
        if key[0] in tasks and key[1] in cells
    }
    if phase == "final":
        return protocol.final_points(chosen)
    return [p for p in protocol.bias_points(chosen) if p.cell in cells]


def missing(points: list[Point], recorded: Sequence[Record]) -> list[Point]:
    """The points without a record of today's cell code and budget."""
    hashes = {cell: records.cell_code_hash(cell) for cell in {p.cell for p in points}}
    have = {
        (r.key, r.updates) for r in recorded
        if r.versions.get("cell_code") == hashes.get(r.cell)
    }  # fmt: skip
    return [p for p in points if (p.key, p.updates) not in have]


def run(args: argparse.Namespace) -> int:
    """Run the chosen phases with a progress bar; record the runs if asked."""
    if args.record and args.updates is not None:
        msg = "--updates is for quick tries: such runs are not recorded (drop --record)"
        raise CommandError(msg)
    if args.scheduler is not None and not args.scheduler.startswith("tcp://"):
        msg = f"--scheduler must look like tcp://HOST:PORT, received {args.scheduler!r}"
        raise CommandError(msg)
    tasks: list[str] = list(dict.fromkeys(args.tasks or TASKS))
    cells = _cells(args)
    backend = args.backend or fastest_backend()
    recorded = records.load_recorded()
    known = list(recorded)
    start, done = time.perf_counter(), 0
    for phase in PHASES if args.phase == "all" else (args.phase,):
        points = plan(phase, tasks, cells, known)
        if args.updates is not None:
            points = [replace(p, updates=args.updates) for p in points]
        if args.missing:
            points = missing(points, recorded)
        if not points:
            if phase != "search" and not analysis.choose(known):
                print(
                    f"{phase}: no search runs to choose settings from yet",
                    file=sys.stderr,
                )
            else:
                print(f"{phase}: every point is recorded", file=sys.stderr)
            continue
        new = _run_phase(phase, points, args, backend)
        known += new
        done += len(new)
    elapsed = time.perf_counter() - start
    print(
        f"{done} runs in {elapsed:.1f} s on {args.scheduler or f'{args.jobs} local job(s)'}"
    )
    return 0


def _run_phase(
    phase: str, points: list[Point], args: argparse.Namespace, backend: str
) -> list[Record]:
    new: list[Record] = []
    unsaved: list[Record] = []
    bar = tqdm(total=len(points), desc=f"study: {phase}", unit="run", file=sys.stderr)
    with bar:
        for record in sweep.run_points(
            points, jobs=args.jobs, scheduler=args.scheduler, backend=backend
        ):
            new.append(record)
            unsaved.append(record)
            bar.set_postfix_str(f"{record.task} {record.cell}", refresh=False)
            bar.update()
            if args.record and len(unsaved) >= SAVE_EVERY:
                records.save_recorded(unsaved)
                unsaved = []
    if args.record and unsaved:
        records.save_recorded(unsaved)
    for record in sorted(new, key=lambda r: r.key):
        final = record.curve["metric"][-1] if record.curve["metric"] else float("nan")
        print(
            f"{phase} {record.task} {record.cell} seed {record.seed} "
            f"{record.setting.label()}: validation metric {final:.3f} after "
            f"{record.updates} updates ({record.seconds:.1f} s)"
        )
    return new
