"""What the site's chapters need besides the experiments: the languages of figures
and tables (:mod:`~lstm_book.site.language`) and tables glued as HTML
(:mod:`~lstm_book.site.html_table`)."""

from __future__ import annotations
