"""The recorded speed benchmark: one training step, generated code against torch and the GEMM bound.

The benchmark itself lives with the tests (``nox -s bench``, ``tests/benchmarks/``)
and times each implementation in a fresh interpreter; ``nox -s bench -- --record``
writes :data:`~lstm_book.experiments.benchmarks.recorded.RECORDED`, which the
site's Speed chapter reads and plots with these modules:

* :mod:`~lstm_book.experiments.benchmarks.recorded`: the record (machine, settings,
  one timing per configuration), read and written as JSON;
* :mod:`~lstm_book.experiments.benchmarks.plots`: its figure, in English or Chinese.
"""

from __future__ import annotations
