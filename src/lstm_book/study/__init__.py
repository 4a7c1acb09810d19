"""A search-space odyssey in miniature: every cell of the family on every task.

* :mod:`~lstm_book.study.family`: the cells compared, and which of
  them have generated code today;
* :mod:`~lstm_book.study.grid`: the shared hyper-parameter grid;
* :mod:`~lstm_book.study.records`: one run's record, read and written
  as JSON (``recorded/<task>.json``);
* :mod:`~lstm_book.study.runner`: run points of the study
  deterministically, with progress bars;
* :mod:`~lstm_book.study.summary` and
  :mod:`~lstm_book.study.claims`: success rates, and the verdict on
  each claim of the papers, computed from records;
* :mod:`~lstm_book.study.plots`: the spread over seeds (matplotlib);
* :mod:`~lstm_book.study.commands`: ``lstm-book study``.
"""

from __future__ import annotations
