"""Inside the bit-serial adder: the carry unit, found by a number, and its gates.

* :mod:`~lstm_book.experiments.adder_inside.analysis`: traces of every gate and
  state, correlations with the true carry, the gate table, silencing a unit;
* :mod:`~lstm_book.experiments.adder_inside.plots`: the chapter's figures.
"""

from __future__ import annotations
