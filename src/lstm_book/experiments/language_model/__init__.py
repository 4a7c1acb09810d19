"""A character-level language model on the prose of this book.

* :mod:`~lstm_book.experiments.language_model.corpus`: the text, its split and
  its characters;
* :mod:`~lstm_book.experiments.language_model.ngram`: the counting baselines;
* :mod:`~lstm_book.experiments.language_model.model`: the recurrent model, its
  training by truncated backpropagation through time, perplexity and sampling;
* :mod:`~lstm_book.experiments.language_model.record`: the record the site reads,
  and the command that makes it;
* :mod:`~lstm_book.experiments.language_model.plots`: the chapter's figures.
"""

from __future__ import annotations
