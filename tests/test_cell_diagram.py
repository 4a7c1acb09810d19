"""The cell diagrams (lstm_derive.diagram) are drawn from the specs."""

from __future__ import annotations

import pytest

from lstm_book.site.language import diagram_words, drawn_words, english_words
from lstm_derive import cells, derive
from lstm_derive import diagram as cell_diagram

NAMES = cells.names()


@pytest.mark.parametrize("name", NAMES)
def test_every_value_projection_and_read_is_drawn(name: str) -> None:
    spec = cells.load(name)
    nodes, edges = cell_diagram.layout(spec)
    pairs = {(source, target) for source, target, _ in edges}
    for projection in spec.all_projections:
        assert (projection.reads, f"proj:{projection.name}") in pairs
    for equation in derive.derive(spec).forward:
        if equation.kind == "sum":
            assert str(equation.target) not in nodes  # drawn as projection arrows
            continue
        target = str(equation.target)
        assert target in nodes
        expected = "state" if target in spec.states else None
        assert expected is None or nodes[target].kind == expected
        for symbol in map(str, equation.expr.free_symbols):
            if symbol.startswith("z_"):  # a sum: an arrow from every projection in it
                blocks = [p for p in spec.all_projections if symbol[2:] in p.blocks]
                assert all((f"proj:{p.name}", target) in pairs for p in blocks)
            elif symbol.startswith("z"):
                prefix = symbol[1:].partition("_")[0]
                assert (f"proj:{prefix}", target) in pairs
            else:
                assert (symbol, target) in pairs
    # every arrow goes from an earlier column to a later one
    assert all(nodes[s].column < nodes[t].column for s, t in pairs)


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_diagram_has_no_english_word(name: str) -> None:
    figure = cell_diagram.cell_diagram(cells.load(name), diagram_words("zh"))
    words = [word for text in drawn_words(figure) for word in english_words(text)]
    assert words == []
    assert any("状态" in text for text in drawn_words(figure))
