"""Progress bars for the training loops: tqdm on a terminal, nothing on the site."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

Item = TypeVar("Item")


def progress(
    items: Iterable[Item], *, enabled: bool, description: str, total: int | None = None
) -> Iterator[Item]:
    """Iterate over ``items``, drawing a tqdm bar (on stderr) when ``enabled``."""
    if not enabled:
        yield from items
        return
    yield from tqdm(items, desc=description, total=total, leave=False, unit="step")
