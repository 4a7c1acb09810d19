"""Draw one step of a recurrent cell from its spec: never by hand.

It reads a
:class:`~lstm_derive.cells.spec.CellSpec` and its derivation: the inputs (``x``,
the previous states, elementwise parameters) on the left, each projection as a box
(``W_x``, ``W_h``, ...), each lifted equation as a node, and an arrow for every free
symbol of an equation and every projection's ``reads``. The sums
``z_f = zx_f + zh_f`` are drawn as the arrows from the projections (labelled with
the block symbol) rather than as nodes of their own. New states are outlined.

The words drawn (captions from the spec's notes, the legend) are English unless
a :class:`Words` in another language is given; matplotlib is the ``diagram``
extra (``pip install "lstm-derive[diagram]"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_derive import derive
from lstm_derive.cells.spec import CellSpec


@dataclass(frozen=True)
class Words:
    """The words a diagram draws, in one language.

    ``notes`` translates the first part of a spec's note ("forget gate"); a note
    without a translation is left out. ``None`` keeps the notes as they are.
    ``fonts`` is matplotlib's font family for the text (a font with the
    language's glyphs).
    """

    input: str = "input"
    previous: str = "previous state"
    legend: str = "outlined in red: the new states, passed to the next step"
    notes: Mapping[str, str] | None = None
    fonts: tuple[str, ...] = field(default=("DejaVu Sans",))


ENGLISH = Words()
"""The diagram's words in English (the default)."""
COLOURS = {
    "input": "#e8eef7",
    "projection": "#fde9c9",
    "gate": "#dff0d8",
    "state": "#f7dede",
    "intermediate": "#eeeeee",
    "parameter": "#f3f3f3",
}


def math_label(name: str) -> str:
    """A mathtext label of a spec name: ``h_prev`` -> $h_{t-1}$, ``zx_f`` -> $z^{x}_{f}$."""
    if name.endswith("_prev"):
        return f"${_plain(name[: -len('_prev')])}_{{t-1}}$"
    if name.startswith(("W_", "b_")):
        return f"${name[0]}_{{{name[2:]}}}$"
    if name.startswith("z") and "_" in name and not name.startswith("z_"):
        projection, _, block = name[1:].partition("_")
        return f"$z^{{{projection}}}_{{{block}}}$"
    return f"${_plain(name)}$"


def _plain(name: str) -> str:
    base, _, sub = name.partition("_")
    if base in ("tanh", "relu"):
        function = r"\tanh" if base == "tanh" else r"\mathrm{relu}"
        return f"{function}\\,{sub}"
    if base in ("net", "z") and sub:
        return f"{base}_{{{sub}}}" if base == "z" else rf"\mathrm{{net}}_{{{sub}}}"
    return f"{base}_{{{sub}}}" if sub else base


@dataclass
class Node:
    """One box or circle of the diagram."""

    key: str
    label: str
    kind: str
    caption: str
    column: int = 0
    row: float = 0.0


def caption_of(spec: CellSpec, name: str, words: Words = ENGLISH) -> str:
    """The spec's note of ``name`` (its first part), in the words' language."""
    note = spec.notes.get(name, "").split(",")[0].strip()
    if not note or words.notes is None:
        return note
    return words.notes.get(note, "")


def layout(
    spec: CellSpec, words: Words = ENGLISH
) -> tuple[dict[str, Node], list[tuple[str, str, str]]]:
    """The nodes (placed in columns) and the labelled edges of one step of ``spec``."""
    derivation = derive.derive(spec)
    nodes: dict[str, Node] = {"x": Node("x", "$x_t$", "input", words.input)}
    for state in spec.states:
        nodes[f"{state}_prev"] = Node(
            f"{state}_prev", math_label(f"{state}_prev"), "input", words.previous
        )
    for parameter in spec.parameters:
        nodes[parameter] = Node(parameter, f"${_plain(parameter)}$", "parameter", "")
    block_of = {}  # zx_f -> the projection node that makes it
    for projection in spec.all_projections:
        key = f"proj:{projection.name}"
        nodes[key] = Node(key, math_label(projection.weight), "projection", "")
        for block in projection.blocks:
            block_of[f"z{projection.name}_{block}"] = key
    sums = {
        str(e.target): sorted(str(s) for s in e.expr.free_symbols)
        for e in derivation.forward
        if e.kind == "sum"
    }
    edges: list[tuple[str, str, str]] = []
    for projection in spec.all_projections:
        edges.append((projection.reads, f"proj:{projection.name}", ""))
    for equation in derivation.forward:
        if equation.kind == "sum":
            continue
        name = str(equation.target)
        kind = "state" if name in spec.states else equation.kind
        if kind not in COLOURS:
            kind = "intermediate"
        nodes[name] = Node(name, math_label(name), kind, caption_of(spec, name, words))
        sources: list[str] = []
        for symbol in sorted(str(s) for s in equation.expr.free_symbols):
            sources += sums.get(symbol, [symbol])
        for source in sources:
            if source in block_of:
                edges.append((block_of[source], name, math_label(source)))
            else:
                edges.append((source, name, ""))
    # columns: the longest path from the inputs
    column: dict[str, int] = {
        key: 0 for key, n in nodes.items() if n.kind in ("input", "parameter")
    }
    incoming: dict[str, list[str]] = {}
    for source, target, _ in edges:
        incoming.setdefault(target, []).append(source)
    changed = True
    while changed:
        changed = False
        for key, node in nodes.items():
            if node.kind in ("input", "parameter"):
                continue
            sources = incoming.get(key, [])
            if all(s in column for s in sources):
                depth = 1 + max((column[s] for s in sources), default=0)
                if column.get(key) != depth:
                    column[key] = depth
                    changed = True
    # parameters sit one column before the node that reads them
    for key, node in nodes.items():
        if node.kind == "parameter":
            readers = [t for s, t, _ in edges if s == key]
            column[key] = max(0, min(column[t] for t in readers) - 1)
    by_column: dict[int, list[str]] = {}
    for key, node in nodes.items():
        node.column = column[key]
        by_column.setdefault(node.column, []).append(key)
    for col in sorted(by_column):
        keys = by_column[col]
        if col > 0:  # order by the mean row of the sources (fewer crossings)
            means = {key: _mean_row(nodes, incoming, key, col) for key in keys}
            keys.sort(key=means.__getitem__)
        for index, key in enumerate(keys):
            nodes[key].row = index - (len(keys) - 1) / 2
    return nodes, edges


def _mean_row(
    nodes: dict[str, Node], incoming: dict[str, list[str]], key: str, column: int
) -> float:
    """The mean row of the sources of ``key`` in earlier columns (0 if none)."""
    rows = [nodes[s].row for s in incoming.get(key, []) if nodes[s].column < column]
    return sum(rows) / len(rows) if rows else 0.0


def cell_diagram(spec: CellSpec, words: Words = ENGLISH) -> Figure:
    """One step of ``spec``, drawn from its derivation, with ``words``."""
    nodes, edges = layout(spec, words)
    columns = 1 + max(n.column for n in nodes.values())
    rows = max(sum(1 for n in nodes.values() if n.column == c) for c in range(columns))
    with mpl.rc_context({"font.family": list(words.fonts)}):
        fig, ax = plt.subplots(figsize=(1.2 * columns + 1.2, 0.95 * rows + 0.8))
        _draw(ax, nodes, edges, columns, rows, words)
        fig.tight_layout()
    plt.close(fig)
    return fig


def _draw(
    ax: Axes,
    nodes: dict[str, Node],
    edges: list[tuple[str, str, str]],
    columns: int,
    rows: int,
    words: Words,
) -> None:
    dx, dy = 2.3, 1.45
    ax.set_axis_off()
    place = {k: (n.column * dx, -n.row * dy) for k, n in nodes.items()}
    projections = [k for k, n in nodes.items() if n.kind == "projection"]
    for source, target, label in edges:
        (x0, y0), (x1, y1) = place[source], place[target]
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#555555",
                "lw": 0.9,
                "shrinkA": 17,
                "shrinkB": 17,
                "connectionstyle": "arc3,rad=0.08",
            },
        )
        if label:
            # the labels of neighbouring projections at different distances
            at = 0.3 + 0.4 * (projections.index(source) % 2)
            ax.text(
                x0 + at * (x1 - x0),
                y0 + at * (y1 - y0),
                label,
                fontsize=9,
                ha="center",
                va="center",
                color="#7a4a00",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
            )
    right = (columns - 1) * dx
    styles = {
        "input": "round,pad=0.35",
        "parameter": "round,pad=0.3",
        "projection": "square,pad=0.4",
        "intermediate": "round,pad=0.35",
    }
    for key, node in nodes.items():
        x, y = place[key]
        state = node.kind == "state"
        ax.text(
            x,
            y,
            node.label,
            ha="center",
            va="center",
            fontsize=12,
            bbox={
                "boxstyle": styles.get(node.kind, "circle,pad=0.45"),
                "fc": COLOURS[node.kind],
                "ec": "#b03030" if state else "#777777",
                "lw": 1.8 if state else 0.8,
            },
        )
        if node.caption:
            ax.text(x, y - 0.34 * dy, node.caption, ha="center", va="top", fontsize=7.5)
        if state and node.column == columns - 1:  # the step's output, to the right
            ax.annotate(
                "",
                xy=(x + 0.8 * dx, y),
                xytext=(x, y),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#b03030",
                    "lw": 1.2,
                    "shrinkA": 15,
                    "shrinkB": 0,
                },
            )
    bottom = -(rows / 2 + 0.45) * dy
    ax.text(0, bottom, words.legend, fontsize=8, color="#b03030", va="center")
    ax.set_xlim(-0.6, right + 1.6 * dx)
    ax.set_ylim(-(rows / 2 + 0.7) * dy, (rows / 2 + 0.1) * dy)
    ax.set_aspect("equal")
