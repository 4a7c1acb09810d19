"""Run one point of the study, deterministically.

A run depends only on its point: the model's initial weights come from a generator
seeded with ``(INIT, seed)`` and the training batches from another seeded with
``(DATA, seed)``, so every cell sees the same sequences at the same seed (a paired
design, whatever its number of parameters); the validation and test sets are fixed.
The BLAS library is held to one thread, so on the same numeric environment a
re-run gives the recorded numbers bit for bit.
"""

from __future__ import annotations

import importlib.util
import time

import numpy as np

from lstm_book.environment import numeric_environment
from lstm_book.experiments.threads import one_blas_thread
from lstm_book.study import protocol
from lstm_book.study.cells import retention_of
from lstm_book.study.protocol import MAX_GRAD_NORM, Point
from lstm_book.study.records import Record, versions
from lstm_book.study.tasks import TASKS
from lstm_derive import nn

INIT, DATA = 1, 2
"""The first word of the seed of the initial weights' and the data's generators."""


def fastest_backend() -> str:
    """``numba`` if Numba is installed, else ``numpy`` (the records agree within
    float tolerance)."""
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


def run_point(point: Point, backend: str | None = None) -> Record:
    """Train and score one point (on one BLAS thread)."""
    backend = backend or fastest_backend()
    start, cpu_start = time.perf_counter(), time.process_time()
    with one_blas_thread():
        curve, test, reached = _train(point, backend)
    return Record(
        task=point.task, cell=point.cell, seed=point.seed,
        learning_rate=point.setting.learning_rate, retention=point.setting.retention,
        updates=point.updates, phase=point.phase, curve=curve, test=test,
        reached=reached, seconds=round(time.perf_counter() - start, 3),
        cpu_seconds=round(time.process_time() - cpu_start, 3), backend=backend,
        versions=versions(point.cell), environment=numeric_environment(),
    )  # fmt: skip


def _train(
    point: Point, backend: str
) -> tuple[dict[str, list[float]], dict[str, dict[str, float]], int | None]:
    task = TASKS[point.task]
    retention = retention_of(point.cell)
    gate_bias = {} if retention is None else {
        retention.gate: retention.bias(point.setting.retention)
    }  # fmt: skip
    model = task.model(
        point.cell, np.random.default_rng([INIT, point.seed]), gate_bias, backend
    )
    batches = task.batches(np.random.default_rng([DATA, point.seed]))
    optimizer = nn.Adam(model.params, point.setting.learning_rate)
    loss = task.loss()
    marks = set(protocol.checkpoints(point.updates))
    curve: dict[str, list[float]] = {"updates": [], "loss": [], "metric": []}
    test: dict[str, dict[str, float]] = {}
    reached = None
    for update in range(1, point.updates + 1):
        batch = next(batches)
        model.lengths = batch.lengths
        nn.train_step(
            model, loss, optimizer, batch.x, batch.target, max_grad_norm=MAX_GRAD_NORM
        )
        if task.continual:  # the next segment continues these streams
            model.carried = {
                s: v.copy() for s, v in model.recurrent.final_state.items()
            }
        if update in marks:
            carried, model.carried = model.carried, None
            scores = task.scores(model, "validation")
            curve["updates"].append(update)
            curve["loss"].append(scores.loss)
            curve["metric"].append(scores.metric)
            if reached is None and task.success(scores.metric):
                reached = update
            if update in protocol.BUDGETS:
                scored = task.scores(model, "test")
                test[str(update)] = {"loss": scored.loss, "metric": scored.metric}
            model.carried = carried
    return curve, test, reached
