"""What a cell specification is: an ordered list of elementwise formulas.

A recurrent cell here has the shape every spec shares:

* an affine map, stated once for all cells: the stacked pre-activations
  ``z = [h_prev, x] W + b`` (rows are batch entries; ``W`` is ``[(H + I), G*H]``),
  split into one block ``z_<gate>`` of width ``H`` per gate, in ``gates`` order;
* elementwise formulas, in order, each defining one name from the pre-activations,
  the previous states ``<state>_prev``, elementwise parameters and earlier names;
* the new states, the first of which is the hidden state ``h`` fed back into the
  affine map at the next step.

A spec file builds one :class:`CellSpec` called ``SPEC``; everything downstream
(derivation, generated code, runtime, site) follows from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class CellSpec:
    """One recurrent cell, stated as SymPy formulas.

    Attributes:
        name: module name of the generated code (``lstm`` -> ``generated/lstm.py``).
        title: a human title for the site and the generated docstring.
        gates: the gate names, in the column order of the blocks of ``W`` and ``b``;
            gate ``k`` reads its pre-activation from the symbol ``z_k``.
        states: the recurrent states, the hidden state ``h`` first; state ``s`` of
            the previous step is the symbol ``s_prev``.
        equations: ``{symbol: formula}`` in evaluation order; every gate and every
            state has one.
        parameters: elementwise (diagonal) parameters of shape ``[H]``, such as
            peephole weights.
        notes: one line per equation name, shown next to it on the site.
    """

    name: str
    title: str
    gates: tuple[str, ...]
    states: tuple[str, ...]
    equations: dict[sympy.Symbol, sympy.Expr]
    parameters: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def pre_activations(self) -> tuple[sympy.Symbol, ...]:
        """The symbols ``z_<gate>``, in gate order."""
        return tuple(sympy.Symbol(f"z_{gate}") for gate in self.gates)

    @property
    def previous_states(self) -> tuple[sympy.Symbol, ...]:
        """The symbols ``<state>_prev``, in state order."""
        return tuple(sympy.Symbol(f"{state}_prev") for state in self.states)

    @property
    def parameter_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The elementwise parameters as symbols."""
        return tuple(sympy.Symbol(name) for name in self.parameters)
