"""Stage 6 of the flow: experiments that the site's chapters and the CLI both run."""

from __future__ import annotations
