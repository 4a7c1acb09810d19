"""A search-space odyssey in miniature: every cell of the family on every task.

* :mod:`~lstm_derive.experiments.study.family`: the cells compared, and which of
  them have generated code today;
* :mod:`~lstm_derive.experiments.study.grid`: the shared hyper-parameter grid;
* :mod:`~lstm_derive.experiments.study.records`: one run's record, read and written
  as JSON (``recorded/<task>.json``);
* :mod:`~lstm_derive.experiments.study.runner`: run points of the study
  deterministically, with progress bars;
* :mod:`~lstm_derive.experiments.study.summary` and
  :mod:`~lstm_derive.experiments.study.claims`: success rates, and the verdict on
  each claim of the papers, computed from records;
* :mod:`~lstm_derive.experiments.study.plots`: the spread over seeds (matplotlib);
* :mod:`~lstm_derive.experiments.study.commands`: ``lstm-derive study``.
"""

from __future__ import annotations
