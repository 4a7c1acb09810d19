"""lstm-derive: the LSTM derived by the computer, run on every build.

The data flows one way, and the subpackages are named after its stages:

``cells`` (SymPy specs) -> ``derive`` (symbolic partials and adjoints) ->
``codegen`` (writes NumPy code) -> ``generated`` (the NumPy code) -> ``nn``
(the runtime: layers, losses, optimizers) -> ``experiments``.

Training imports NumPy only; SymPy is needed to derive and regenerate.
"""

from __future__ import annotations

__version__ = "0.1.0"
