"""Stage 3 of the flow: write the derived backward passes as NumPy modules."""

from __future__ import annotations

from lstm_derive.codegen.regen import regen, render_all, render_spec

__all__ = ["regen", "render_all", "render_spec"]
