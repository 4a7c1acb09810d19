"""Run points of the study: one (task, cell, seed, setting) each, deterministically.

A run depends only on its point: its generator is seeded with the seed, every
test set with a fixed seed, and the BLAS library is held to one thread (sums in
a fixed order), so re-running a recorded point gives the recorded numbers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from lstm_book.environment import numeric_environment
from lstm_book.experiments.tasks.model import Settings
from lstm_book.experiments.tasks.suite import TASKS
from lstm_book.experiments.threads import one_blas_thread
from lstm_book.study.grid import settings_for
from lstm_book.study.records import Record, cell_code_hash, versions


@dataclass(frozen=True)
class Point:
    """What one run trains: a task, a cell, a seed and a setting of the grid."""

    task: str
    cell: str
    seed: int
    settings: Settings


def plan(tasks: Sequence[str], cells: Sequence[str], seeds: int) -> list[Point]:
    """Every point of the grid for ``tasks`` x ``cells`` x seeds 0..seeds-1."""
    return [
        Point(task, cell, seed, settings)
        for task in tasks
        for cell in cells
        for settings in settings_for(cell)
        for seed in range(seeds)
    ]


def recorded_keys(
    recorded: Sequence[Record],
) -> set[tuple[str, str, int, float, float | None]]:
    """The points of ``recorded`` that today's code would reproduce: the task's
    budget and the cell's generated code are those of the record."""
    return {
        r.key for r in recorded
        if r.task in TASKS
        and (r.hidden, r.updates, r.batch) == (
            TASKS[r.task].hidden, TASKS[r.task].updates, TASKS[r.task].batch
        )
        and r.versions.get("cell_code") == cell_code_hash(r.cell)
    }  # fmt: skip


def missing(points: Sequence[Point], recorded: Sequence[Record]) -> list[Point]:
    """The points without a reproducible record in ``recorded``."""
    have = recorded_keys(recorded)
    return [p for p in points if point_key(p) not in have]


def point_key(point: Point) -> tuple[str, str, int, float, float | None]:
    """The key a record of ``point`` has (see ``Record.key``)."""
    return (point.task, point.cell, point.seed, point.settings.learning_rate,
            point.settings.forget_bias)  # fmt: skip


def run_point(point: Point) -> Record:
    """Train and score one point (on one BLAS thread)."""
    task = TASKS[point.task]
    start, cpu_start = time.perf_counter(), time.process_time()
    with one_blas_thread():
        outcome = task.run(point.cell, point.seed, point.settings)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return Record(
        task=point.task,
        cell=point.cell,
        seed=point.seed,
        learning_rate=point.settings.learning_rate,
        forget_bias=point.settings.forget_bias,
        hidden=task.hidden,
        updates=task.updates,
        batch=task.batch,
        metric=outcome.metric,
        success=outcome.success,
        seconds=round(seconds, 3),
        cpu_seconds=round(cpu_seconds, 3),
        details=outcome.details,
        versions=versions(point.cell),
        environment=numeric_environment(),
    )


def run_points(points: Sequence[Point], *, jobs: int = 1) -> Iterator[Record]:
    """Records of ``points`` in order, on ``jobs`` worker processes."""
    if jobs <= 1:
        yield from map(run_point, points)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(run_point, points)
