"""lstm-derive: the LSTM derived by the computer, run on every build.

The data flows one way, and the subpackages are named after its stages:

``cells`` (SymPy specs) -> ``derive`` (symbolic partials and adjoints) ->
``codegen`` (writes NumPy code) -> ``generated`` (the NumPy code, with the
hand-written ``numerics`` it uses) -> ``nn`` (the runtime: one BPTT driver, layers,
losses, optimizers) -> what you build on it (the project's own book is a
package apart, which this one never imports).

Training imports NumPy only; SymPy is needed to derive and regenerate
(``pip install "lstm-derive[derive]"``).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

__version__ = "0.1.0"


def compile_spec(path: str | Path) -> ModuleType:
    """The generated NumPy module of a spec file anywhere, in memory (needs SymPy).

    ``nn.Recurrent(compile_spec("my_cell.py"), inputs, hidden, rng=rng)`` trains
    your own cell without writing into the installed package; see
    :func:`lstm_derive.codegen.regen.compile_spec`.
    """
    from lstm_derive.codegen.regen import compile_spec as compile_  # noqa: PLC0415

    return compile_(path)
