"""The course bridge: the deeplearning.ai exercise's snippets, run on the derived code.

* :mod:`~lstm_book.experiments.course_bridge.snippets`: the inputs of the
  exercise's test snippets, drawn as the course draws them (seed 1, in its order);
* :mod:`~lstm_book.experiments.course_bridge.printed`: the values the course
  prints under "Expected Output", and a comparison at the printed precision;
* :mod:`~lstm_book.experiments.course_bridge.published`: what the exercise's
  text actually says where it is wrong, computed, next to the derived values.
"""

from __future__ import annotations
