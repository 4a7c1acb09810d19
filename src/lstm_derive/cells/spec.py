"""What a cell specification is: projections (matrix products) and elementwise formulas.

A recurrent cell step, for a batch of rows (``x`` is ``[B, I]``, states ``[B, H]``):

* **projections**, each a matrix product with its own weight and optional bias:
  ``z<p> = v W_<p> (+ b_<p>)`` of one vector ``v``: the input ``x``, a state of the
  previous step (``h_prev``, or ``i_prev`` for a gate carried as a state), or a value
  computed earlier in the same step (``r * h_prev`` in Cho's GRU). Its columns are
  split into blocks of width ``H``, one per named block: projection ``h`` with blocks
  ``(f, i, g, o)`` gives the symbols ``zh_f, zh_i, zh_g, zh_o``;
* **elementwise formulas**, in order, each defining one name from projection blocks,
  previous states ``<state>_prev``, elementwise parameters (``[H]``, such as
  peephole weights) and earlier names. ``z_<block>`` is the sum of every
  projection's block of that name (``z_f = zx_f + zh_f``);
* the new **states**, the first of which is the hidden state ``h``.

A step therefore has stages: elementwise work, a matrix product of a value it made,
more elementwise work. The derivation finds them; the runtime's one BPTT driver runs
them. A spec file builds one :class:`CellSpec` called ``SPEC``; everything downstream
(derivation, generated code, runtime, site) follows from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

RESERVED_CELL_NAMES = frozenset({
    # lstm_derive.cells and lstm_derive.generated: their functions, imports, folders
    "load", "load_all", "load_file", "names", "compiled", "functions", "spec",
    "importlib", "pkgutil", "ModuleType", "Path", "CellSpec", "Projection",
    "SpecError", "annotations",
    # the modules the generated code imports
    "numpy", "numba", "math", "typing", "sympy",
})  # fmt: skip
"""What a cell may not be called: a spec file or a generated module of that name
would hide a name of the package itself, or a module the generated code imports."""


@dataclass(frozen=True)
class Projection:
    """A matrix product ``z<name> = reads · W_<name> (+ b_<name>)``, split into blocks.

    Attributes:
        name: the symbol prefix and the parameter suffix: ``"x"`` gives ``zx_f`` and
            the weight ``W_x``; ``"h"`` gives ``zh_f`` and ``W_h``.
        reads: the vector it multiplies: ``"x"``, ``"<state>_prev"``, or the name
            of an equation of this step.
        blocks: the names of its column blocks (width ``H`` each), in column order.
        bias: whether it adds a bias ``b_<name>`` of width ``len(blocks) * H``.
    """

    name: str
    reads: str
    blocks: tuple[str, ...]
    bias: bool = False

    def symbol(self, block: str) -> sympy.Symbol:
        """The symbol of one block: ``zx_f``."""
        return sympy.Symbol(f"z{self.name}_{block}")

    @property
    def weight(self) -> str:
        """The name of its weight parameter: ``W_x``."""
        return f"W_{self.name}"

    @property
    def bias_name(self) -> str | None:
        """The name of its bias parameter (``b_x``), or None."""
        return f"b_{self.name}" if self.bias else None


def standard_projections(gates: tuple[str, ...]) -> tuple[Projection, ...]:
    """``z = x W_x + h_prev W_h + b_x``, one block per gate: the LSTM's affine map."""
    return (
        Projection("x", "x", gates, bias=True),
        Projection("h", "h_prev", gates),
    )


@dataclass(frozen=True)
class CellSpec:
    """One recurrent cell, stated as SymPy formulas.

    Attributes:
        name: module name of the generated code (``lstm`` -> ``generated/lstm.py``).
        title: a human title for the site and the generated docstring.
        states: the recurrent states, the hidden state ``h`` first; state ``s`` of
            the previous step is the symbol ``s_prev``.
        equations: ``{symbol: formula}`` in evaluation order; every state has one.
        gates: the block names of the two standard projections
            ``z = x W_x + h_prev W_h + b_x`` (give ``gates`` or ``projections``).
        projections: the matrix products of a step, when they are not the standard
            two (the GRU's separate recurrent bias, Cho's ``(r * h_prev) W``).
        parameters: elementwise (diagonal) parameters of shape ``[H]``, such as
            peephole weights.
        notes: one line per equation name, shown next to it on the site.
        written: per equation, the names in the order its formula is written in
            the spec file, filled by the loader (SymPy sorts the factors of a
            product; the site prints them as the spec writes them).
    """

    name: str
    title: str
    states: tuple[str, ...]
    equations: dict[sympy.Symbol, sympy.Expr]
    gates: tuple[str, ...] = ()
    projections: tuple[Projection, ...] = ()
    parameters: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)
    written: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def all_projections(self) -> tuple[Projection, ...]:
        """The declared projections, or the standard two built from ``gates``."""
        return self.projections or standard_projections(self.gates)

    @property
    def blocks(self) -> tuple[str, ...]:
        """Every block name, in order of first appearance: the cell's gates."""
        seen: dict[str, None] = {}
        for projection in self.all_projections:
            seen.update(dict.fromkeys(projection.blocks))
        return tuple(seen)

    @property
    def pre_activations(self) -> tuple[sympy.Symbol, ...]:
        """The sum symbols ``z_<block>``, in block order."""
        return tuple(sympy.Symbol(f"z_{block}") for block in self.blocks)

    @property
    def previous_states(self) -> tuple[sympy.Symbol, ...]:
        """The symbols ``<state>_prev``, in state order."""
        return tuple(sympy.Symbol(f"{state}_prev") for state in self.states)

    @property
    def parameter_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The elementwise parameters as symbols."""
        return tuple(sympy.Symbol(name) for name in self.parameters)
