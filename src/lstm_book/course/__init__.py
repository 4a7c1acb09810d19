"""The deeplearning.ai exercise "Building your Recurrent Neural Network - Step by Step".

Its functions, with its names, argument order, column-major shapes (``xt`` is
``(n_x, m)``, ``x`` is ``(n_x, m, T_x)``, ``Wf`` is ``(n_a, n_a + n_x)``) and return
values (cache tuples included), computed by the project's generated cells
(:mod:`lstm_derive.generated.rnn`, :mod:`lstm_derive.generated.lstm`):

* :func:`rnn_cell_forward`, :func:`rnn_forward`, :func:`rnn_cell_backward`,
  :func:`rnn_backward`;
* :func:`lstm_cell_forward`, :func:`lstm_forward`, :func:`lstm_cell_backward`,
  :func:`lstm_backward`.

Code written for the course runs unchanged with ``from lstm_book.course import *``.
:mod:`~lstm_book.course.layout` shows how the course's per-gate matrices become
the generated code's one stacked matrix. This package imports NumPy only.
"""

from __future__ import annotations

from lstm_book.course.layout import softmax
from lstm_book.course.lstm import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)
from lstm_book.course.rnn import (
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

__all__ = [
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "softmax",
]
