"""``lstm-book study``: run the study (or part of it), print a summary, record it."""

from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from lstm_book.experiments.tasks.suite import TASKS
from lstm_book.study import family, grid, records, runner, summary
from lstm_derive.errors import CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lstm-book study``."""
    parser.add_argument(
        "--task", action="append", choices=sorted(TASKS), dest="tasks",
        help="a task to run (repeat for several; default: every task)",
    )  # fmt: skip
    parser.add_argument(
        "--cells", nargs="+", metavar="CELL",
        help="cells to run (default: every cell of the family that is generated)",
    )  # fmt: skip
    parser.add_argument(
        "--seeds", type=int, default=grid.SEEDS,
        help=f"seeds 0..N-1 per point of the grid (default {grid.SEEDS})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=int, default=1, help="worker processes (default 1)"
    )
    parser.add_argument(
        "--missing", action="store_true",
        help="run only the points without a record at today's budget and code",
    )  # fmt: skip
    parser.add_argument(
        "--record", action="store_true",
        help="merge the runs into the package's recorded JSON files",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run the chosen points with a progress bar; print one line per cell and task."""
    if args.seeds < 1 or args.jobs < 1:
        msg = "--seeds and --jobs must be whole numbers >= 1"
        raise CommandError(msg)
    tasks: list[str] = args.tasks or list(TASKS)
    if args.cells is None:
        cells = family.available()
        absent = family.missing()
        if absent:
            print(f"not generated yet (skipped): {', '.join(absent)}", file=sys.stderr)
    else:
        cells = list(dict.fromkeys(args.cells))
        unknown = [c for c in cells if c not in family.available()]
        if unknown:
            msg = (
                f"no generated code for {', '.join(unknown)}; "
                f"generated cells of the family: {', '.join(family.available())}"
            )
            raise CommandError(msg)
    points = runner.plan(tasks, cells, args.seeds)
    if args.missing:
        points = runner.missing(points, records.load_recorded())
        if not points:
            print("every chosen point is recorded")
            return 0
    start = time.perf_counter()
    done = []
    bar = tqdm(total=len(points), desc="study", unit="run", file=sys.stderr)
    with bar:
        for record in runner.run_points(points, jobs=args.jobs):
            done.append(record)
            bar.set_postfix_str(f"{record.task} {record.cell}", refresh=False)
            bar.update()
    elapsed = time.perf_counter() - start
    for line in summary.lines(done):
        print(line)
    mean = sum(r.seconds for r in done) / len(done)
    print(f"{len(done)} runs in {elapsed:.1f} s (mean {mean:.2f} s per run)")
    if args.record:
        for path in records.save_recorded(done):
            print(f"recorded {path}")
    return 0
