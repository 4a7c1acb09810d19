"""The toy tasks of the README of ``lstm_batch`` (a fork of nicodjimenez/lstm).

* :mod:`~lstm_book.experiments.toy_tasks.minimal_example`: nicodjimenez/lstm's
  minimal example, on the original's cell (``h = o * c``) and on the project's LSTM;
* :mod:`~lstm_book.experiments.toy_tasks.sine`: fitting sin(x) as a sequence;
* :mod:`~lstm_book.experiments.toy_tasks.symbol_sequences` and
  :mod:`~lstm_book.experiments.toy_tasks.copy_reverse`: copying and reversing
  random symbol sequences, scored by length;
* :mod:`~lstm_book.experiments.toy_tasks.plots`: their figures (needs matplotlib).

Every task trains in seconds on two CPU cores with the generated NumPy cells.
"""

from __future__ import annotations

from lstm_book.experiments.toy_tasks.copy_reverse import (
    AnswerCrossEntropy,
    LengthAccuracy,
    SymbolModel,
    accuracy_by_length,
    train_symbol_task,
)
from lstm_book.experiments.toy_tasks.minimal_example import (
    FirstUnitSquaredError,
    MinimalExampleRun,
    compare_cells,
    run_minimal_example,
)
from lstm_book.experiments.toy_tasks.sine import (
    SineCurves,
    SineFit,
    one_step_mse,
    sine_curves,
    train_sine,
)
from lstm_book.experiments.toy_tasks.symbol_sequences import symbol_batch

__all__ = [
    "AnswerCrossEntropy",
    "FirstUnitSquaredError",
    "LengthAccuracy",
    "MinimalExampleRun",
    "SineCurves",
    "SineFit",
    "SymbolModel",
    "accuracy_by_length",
    "compare_cells",
    "one_step_mse",
    "run_minimal_example",
    "sine_curves",
    "symbol_batch",
    "train_sine",
    "train_symbol_task",
]
