"""Stage 2 of the flow: derive every partial and the backward pass of a cell.

>>> from lstm_derive import cells, derive
>>> d = derive.derive(cells.load("lstm"))
>>> d.adjoint("z_f").expr
d_f*f*(1 - f)
"""

from __future__ import annotations

from lstm_derive.derive.backprop import derive
from lstm_derive.derive.latex import (
    latex,
    latex_adjoint,
    latex_backward,
    latex_equation,
    latex_forward,
    latex_partial,
    written_order,
)
from lstm_derive.derive.model import Adjoint, Derivation, Equation, Partial, Term

__all__ = [
    "Adjoint",
    "Derivation",
    "Equation",
    "Partial",
    "Term",
    "derive",
    "latex",
    "latex_adjoint",
    "latex_backward",
    "latex_equation",
    "latex_forward",
    "latex_partial",
    "written_order",
]
