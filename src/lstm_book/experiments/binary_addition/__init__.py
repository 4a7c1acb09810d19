"""Binary addition with an LSTM: a student's lab report, reproduced and done better.

* :mod:`~lstm_book.experiments.binary_addition.data`: bit encodings, all 16384
  pairs of 0..127, the held-out split;
* :mod:`~lstm_book.experiments.binary_addition.report_setup`: the report's two-step
  Keras model, reproduced on the generated ``lstm_relu`` cell, scored on held-out,
  seen and all pairs;
* :mod:`~lstm_book.experiments.binary_addition.bit_serial`: one pair of bits per
  step, least significant first; a 16-unit LSTM that adds numbers of any width;
* :mod:`~lstm_book.experiments.binary_addition.width`: accuracy against width;
* :mod:`~lstm_book.experiments.binary_addition.plots`: the figures (matplotlib);
* :mod:`~lstm_book.experiments.binary_addition.commands`: ``lstm-book train
  binary-addition`` and ``lstm-book add``.
"""

from __future__ import annotations
