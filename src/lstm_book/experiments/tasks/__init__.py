"""The study's tasks, each with generated data (nothing is downloaded).

* :mod:`~lstm_book.experiments.tasks.reber`: the embedded Reber grammar;
* :mod:`~lstm_book.experiments.tasks.adding`: the adding problem at a chosen lag;
* :mod:`~lstm_book.experiments.tasks.digits`: scikit-learn's 8x8 digits read row
  by row, and the logistic-regression baseline;
* :mod:`~lstm_book.experiments.tasks.sorting`: read digits, then write them sorted;
* :mod:`~lstm_book.experiments.tasks.model`: the shared recurrent model and loop;
* :mod:`~lstm_book.experiments.tasks.suite`: every task as a study entry
  (bit-serial binary addition and copy reuse the experiments that already exist).
"""

from __future__ import annotations
