"""The stage table: what the BPTT driver needs to know about a cell, as data.

Both generated modules of a cell (the NumPy one and the compiled kernels) carry
the same table, printed by :func:`table_source`; the driver
(:mod:`lstm_derive.nn.bptt`) reads it and nothing else (no signature, no name
taken apart). It holds:

* ``PROJECTIONS``: per projection ``z<p>`` the vector it multiplies, its weight,
  its bias (or None) and its column blocks;
* ``INPUTS``: what every name means that a stage or a projection reads without
  having made it: ``("input", "x")``, ``("state", "c")`` for ``c_prev``,
  ``("parameter", "p_f")``, ``("projection", "zx")``, or ``("value", "rh")`` for
  a value made by an earlier stage;
* ``STAGE_TABLE``: per stage, the names its forward reads (in order), the values
  it outputs (needed after it) and the values its backward reads after the
  upstream gradients (its saved values); the values it writes (outputs, then the
  saved values it makes: the compiled kernels' arrays); for each gradient array
  its backward returns, the names it is the gradient of (projections whose
  gradients are one and the same array are *fused* and share one entry); and the
  projections of values it makes, which the driver computes after it.

"Fused" is decided here, once, for both printers: :func:`fused`.
"""

from __future__ import annotations

import pprint
from dataclasses import dataclass

import sympy

from lstm_derive.cells.spec import CellSpec, Projection
from lstm_derive.derive.backprop import projection_level
from lstm_derive.derive.model import Derivation, Stage


def key(projection: Projection) -> str:
    """The name a projection's result has in the stage functions: ``zx``."""
    return f"z{projection.name}"


def _names(symbols: tuple[sympy.Symbol, ...]) -> tuple[str, ...]:
    return tuple(str(s) for s in symbols)


@dataclass(frozen=True)
class StageEntry:
    """One stage's row of the table (see the module docstring)."""

    reads: tuple[str, ...]
    outputs: tuple[str, ...]
    saved: tuple[str, ...]
    writes: tuple[str, ...]
    gradients: tuple[tuple[str, ...], ...]
    projections_after: tuple[str, ...]


def fused(derivation: Derivation, stage: Stage) -> bool:
    """Whether every block is read only through its sum ``z_<block>`` of all projections.

    Then the sums are one addition of whole projections (``z = zx + zh``), and the
    gradients of all the stage's projections are one and the same array (no other
    stage may read them, or their gradients would differ).
    """
    spec = derivation.spec
    projections = stage.projections
    blocks = projections[0].blocks
    if len(projections) < 2:
        return False
    elsewhere = {
        p
        for other in derivation.stages
        if other is not stage
        for p in other.projections
    }
    if elsewhere & set(projections):
        return False
    if any(p.blocks != blocks for p in projections) or blocks != spec.blocks:
        return False
    sums = {eq.target for eq in stage.forward if eq.kind == "sum"}
    if len(sums) != len(blocks):
        return False
    block_symbols = {p.symbol(b) for p in projections for b in blocks}
    for eq in stage.forward:
        if eq.kind != "sum" and eq.expr.free_symbols & block_symbols:
            return False
    return all(
        eq.expr.free_symbols <= block_symbols
        for eq in stage.forward
        if eq.kind == "sum"
    )


def entry(derivation: Derivation, stage: Stage) -> StageEntry:
    """The table row of ``stage``."""
    spec = derivation.spec
    projections = tuple(key(p) for p in stage.projections)
    inputs = _names(stage.inputs)
    defined = {str(eq.target) for eq in stage.forward}
    defined |= {str(p.symbol(b)) for p in stage.projections for b in p.blocks}
    saved = _names(stage.saved)
    outputs = _names(stage.outputs)
    writes = tuple(dict.fromkeys([*outputs, *(s for s in saved if s in defined)]))
    gradients: tuple[tuple[str, ...], ...] = (
        (projections,) if fused(derivation, stage) else tuple((p,) for p in projections)
    )
    stage_of = {eq.target: s.index for s in derivation.stages for eq in s.forward}
    after = tuple(
        key(p)
        for p in spec.all_projections
        if projection_level(p, stage_of) == stage.index
    )
    return StageEntry(
        reads=projections + inputs,
        outputs=outputs,
        saved=saved,
        writes=writes,
        gradients=gradients + tuple((name,) for name in inputs),
        projections_after=after,
    )


def entries(derivation: Derivation) -> tuple[StageEntry, ...]:
    """Every stage's row, in order."""
    return tuple(entry(derivation, stage) for stage in derivation.stages)


def projections(spec: CellSpec) -> dict[str, dict[str, object]]:
    """``PROJECTIONS``: per projection its vector, weight, bias and blocks."""
    return {
        key(p): {
            "reads": p.reads,
            "weight": p.weight,
            "bias": p.bias_name,
            "blocks": tuple(p.blocks),
        }
        for p in spec.all_projections
    }


def inputs(derivation: Derivation) -> dict[str, tuple[str, str]]:
    """``INPUTS``: what each name read but not made by a stage or projection means."""
    spec = derivation.spec
    meaning: dict[str, tuple[str, str]] = {"x": ("input", "x")}
    meaning |= {f"{s}_prev": ("state", s) for s in spec.states}
    meaning |= {name: ("parameter", name) for name in spec.parameters}
    meaning |= {key(p): ("projection", key(p)) for p in spec.all_projections}
    made = {str(eq.target) for eq in derivation.forward}
    read = {p.reads for p in spec.all_projections}
    read |= {name for stage in derivation.stages for name in _names(stage.inputs)}
    meaning |= {name: ("value", name) for name in sorted(read & made)}
    return meaning


def table_source(derivation: Derivation) -> str:
    """The text of ``PROJECTIONS``, ``INPUTS`` and ``STAGE_TABLE`` in a generated module."""
    rows = [
        {
            "reads": e.reads,
            "outputs": e.outputs,
            "saved": e.saved,
            "writes": e.writes,
            "gradients": e.gradients,
            "projections_after": e.projections_after,
        }
        for e in entries(derivation)
    ]

    def literal(value: object) -> str:
        return pprint.pformat(value, width=80, sort_dicts=False)

    return f"""# The stage table: what the BPTT driver knows about this cell (it reads nothing
# else). Per projection, the vector it multiplies, its weight, bias and blocks:
PROJECTIONS = {literal(projections(derivation.spec))}
# What each name means that a stage or a projection reads without making it:
INPUTS = {literal(inputs(derivation))}
# Per stage: the names its forward reads, the values it outputs (needed after it),
# the values its backward reads after the upstream gradients (d_<output>_next),
# the values it writes, per gradient array the names it is the gradient of (one
# array for fused projections), and the projections of its values.
STAGE_TABLE = {literal(tuple(rows))}"""
