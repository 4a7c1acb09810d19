"""Tables glued as HTML: escaped cells, one header, rows of the header's width."""

from __future__ import annotations

import pytest

from lstm_book.site.html_table import html_table


def test_cells_are_escaped_and_in_order() -> None:
    html = html_table(["task", "success"], [["a < b", "5/5"], ["copy & sort", 0]])
    assert html.count("<th>") == 2
    assert html.count("<tr>") == 3  # the header and two rows
    assert "<td>a &lt; b</td><td>5/5</td>" in html
    assert "<td>copy &amp; sort</td><td>0</td>" in html
    assert html.startswith('<div style="overflow-x: auto"><table class="table">')


def test_a_row_of_the_wrong_width_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        html_table(["task", "success"], [["only one"]])
