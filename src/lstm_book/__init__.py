"""lstm-book: the book of lstm-derive, apart from the library it teaches.

The library :mod:`lstm_derive` derives, generates and trains the cells; this
package holds what the site's chapters and the ``lstm-book`` command run with it:

``experiments`` (binary addition, the toy tasks, the course bridge, speed records),
``study`` (every cell of the family on every task, with its records), ``course``
(the deeplearning.ai exercise's functions on the generated code), ``site`` (the
languages of figures and tables), :mod:`~lstm_book.environment` (where a record
was made) and :mod:`~lstm_book.cli`.

The arrows point one way: the book imports the library, never the reverse.
"""

from __future__ import annotations

__version__ = "0.1.0"
