"""Long lags: the adding problem of 1997 for the RNN, the LSTM and the GRU.

* :mod:`~lstm_book.experiments.long_lags.runs`: one run per cell, lag and seed,
  the record the site reads, and the command that makes it;
* :mod:`~lstm_book.experiments.long_lags.plots`: the chapter's figures.
"""

from __future__ import annotations
