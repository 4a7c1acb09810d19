"""Errors raised by lstm_derive, each with a message that says what to fix."""

from __future__ import annotations


class SpecError(ValueError):
    """A cell spec that cannot be derived: names the cell, the gate and the problem."""


class ShapeError(ValueError):
    """An array of the wrong shape, dtype or size: names what was expected and received."""


class WeightsError(ShapeError):
    """A weights file that cannot be loaded into the model: names the file and why."""


class NonFiniteError(ValueError):
    """NaN or infinity where numbers must be finite: names where it was found."""


class ForwardFirstError(RuntimeError):
    """``backward`` called on a layer before any ``forward``."""


class MissingExtraError(ImportError):
    """An optional dependency is not installed: names it and the pip command."""


class CommandError(ValueError):
    """Input a command cannot use; the message says what to change."""
