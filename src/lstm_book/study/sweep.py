"""Run many points of the study on Dask: a local cluster, or one that exists.

By default the points run on an embedded local cluster (``dask.distributed``'s
``LocalCluster``) of ``jobs`` worker processes with one thread each on this
machine; ``scheduler="tcp://HOST:PORT"`` sends them to a cluster that is already
running (``dask scheduler`` and ``dask worker`` processes with the book installed),
with no other change. A point's record depends only on the point and the numeric
environment of the worker that ran it (see :mod:`~lstm_book.study.runner`).

:func:`run_points` yields each record as its run finishes; the caller saves them
(``lstm-book study --record`` every few records, so an interrupted sweep keeps
what it finished and ``--missing`` resumes it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from lstm_book.study.protocol import Point
from lstm_book.study.records import Record
from lstm_book.study.runner import run_point


def run_points(
    points: Sequence[Point],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    backend: str | None = None,
) -> Iterator[Record]:
    """Records of ``points``, in the order they finish.

    ``jobs == 1`` and no ``scheduler``: in this process, in order (no Dask).
    Otherwise on Dask: a local cluster of ``jobs`` processes, or ``scheduler``.
    """
    if scheduler is None and jobs <= 1:
        for point in points:
            yield run_point(point, backend)
        return
    from distributed import Client, LocalCluster, as_completed  # noqa: PLC0415

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler, timeout="30s"))
        # pure=False: two identical points are two runs (none is in the list twice)
        futures = [
            client.submit(run_point, point, backend, pure=False, key=_key(point))
            for point in points
        ]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)


def _key(point: Point) -> str:
    """A readable, unique Dask key for a point's task."""
    setting = point.setting
    return (
        f"study-{point.task}-{point.cell}-{point.phase}-seed{point.seed}-"
        f"lr{setting.learning_rate:g}-b{setting.retention:g}-{point.updates}"
    )
