"""A search-space odyssey in miniature: the cells of the family on tasks that
exercise what the papers claim, with settings chosen on validation data.

* :mod:`~lstm_book.study.cells`: the cells compared, and each one's initial
  retention knob, read from its spec;
* :mod:`~lstm_book.study.tasks`: the tasks (the adding problem of 1997 at three
  lags, the continual embedded Reber grammar, a leaky average over an endless
  stream), each with training, validation and test data;
* :mod:`~lstm_book.study.protocol`: random search, the budgets, the seeds;
* :mod:`~lstm_book.study.runner`: one run, deterministically;
* :mod:`~lstm_book.study.sweep`: many runs on Dask (a local cluster or one that
  exists);
* :mod:`~lstm_book.study.records`: a run's record, read and written as JSON
  (``recorded/<task>.json``);
* :mod:`~lstm_book.study.analysis`, :mod:`~lstm_book.study.stats` and
  :mod:`~lstm_book.study.claims`: the chosen settings, the results, and each
  claim's verdict with its scope and power;
* :mod:`~lstm_book.study.plots`: the figures;
* :mod:`~lstm_book.study.commands`: ``lstm-book study``.
"""

from __future__ import annotations
