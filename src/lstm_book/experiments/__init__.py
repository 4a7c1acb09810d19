"""Experiments that the site's chapters and the ``lstm-book`` command both run."""

from __future__ import annotations
