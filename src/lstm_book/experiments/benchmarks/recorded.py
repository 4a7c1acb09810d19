"""The speed record: the machine, the settings and one timing per configuration.

A timing keeps every sample (ms per step) and its median, quartiles and range;
:func:`comparisons` lines up the implementations of each configuration.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).with_name("recorded_speed.json")
"""The run recorded for the site (``nox -s bench -- --record``)."""

Size = tuple[int, int, int, int]


@dataclass(frozen=True)
class Timing:
    """The timings of one configuration over every round."""

    implementation: str
    """``generated`` (NumPy), ``numba`` (the compiled kernels per step),
    ``numba_sequence`` (the whole sequence in one compiled call), ``torch``,
    ``torch_native`` (torch with oneDNN off) or ``gemm``."""
    cell: str
    size: Size
    """(batch, time, inputs, hidden)."""
    dtype: str
    mode: str
    """``train`` (forward and backward) or ``forward``."""
    samples_ms: list[float]
    """Every sample, ms per step, rounds in order."""
    peak_rss_growth_mib: float
    """Median over the rounds of the peak RSS growth during the first step (MiB)."""
    median_ms: float = field(init=False)
    q1_ms: float = field(init=False)
    q3_ms: float = field(init=False)
    min_ms: float = field(init=False)
    max_ms: float = field(init=False)

    def __post_init__(self) -> None:
        if not self.samples_ms:
            msg = f"no samples for {self.implementation} {self.cell} {self.size}"
            raise ValueError(msg)
        samples = sorted(self.samples_ms)
        quartiles = (
            statistics.quantiles(samples, n=4, method="inclusive")
            if len(samples) > 1
            else samples * 3
        )
        object.__setattr__(self, "median_ms", statistics.median(samples))
        object.__setattr__(self, "q1_ms", quartiles[0])
        object.__setattr__(self, "q3_ms", quartiles[2])
        object.__setattr__(self, "min_ms", samples[0])
        object.__setattr__(self, "max_ms", samples[-1])

    @property
    def key(self) -> tuple[str, Size, str, str]:
        """What the implementations share: (cell, size, dtype, mode)."""
        return self.cell, self.size, self.dtype, self.mode


@dataclass(frozen=True)
class SpeedRecord:
    """A whole benchmark run."""

    machine: dict[str, Any]
    """CPU model, cores, library versions, BLAS kernels, load, date."""
    settings: dict[str, Any]
    """Threads and their environment variables, rounds, repeats."""
    timings: list[Timing]


@dataclass(frozen=True)
class Comparison:
    """The implementations of one (cell, size, dtype, mode), side by side."""

    cell: str
    size: Size
    dtype: str
    mode: str
    generated: Timing | None
    torch: Timing | None
    gemm: Timing | None
    numba: Timing | None = None
    """The compiled kernels, run per step (absent from records made before them)."""
    torch_native: Timing | None = None
    """torch with oneDNN off (timed only where torch would use it: float32 LSTM)."""
    numba_sequence: Timing | None = None
    """The whole sequence in one compiled call (absent from older records)."""

    @property
    def generated_over_torch(self) -> float | None:
        """Median generated time / median torch time."""
        if self.generated is None or self.torch is None:
            return None
        return self.generated.median_ms / self.torch.median_ms

    @property
    def numba_over_torch(self) -> float | None:
        """Median numba-backend time / median torch time."""
        if self.numba is None or self.torch is None:
            return None
        return self.numba.median_ms / self.torch.median_ms

    @property
    def numba_over_torch_native(self) -> float | None:
        """Median numba-backend time / median time of torch's own loop (no oneDNN)."""
        if self.numba is None or self.torch_native is None:
            return None
        return self.numba.median_ms / self.torch_native.median_ms

    @property
    def numba_over_gemm(self) -> float | None:
        """Median numba-backend time / median GEMM-bound time."""
        if self.numba is None or self.gemm is None:
            return None
        return self.numba.median_ms / self.gemm.median_ms

    @property
    def numba_sequence_over_torch(self) -> float | None:
        """Median whole-sequence time / median torch time."""
        return _over(self.numba_sequence, self.torch)

    @property
    def numba_sequence_over_torch_native(self) -> float | None:
        """Median whole-sequence time / median time of torch's own loop (no oneDNN)."""
        return _over(self.numba_sequence, self.torch_native)

    @property
    def numba_sequence_over_gemm(self) -> float | None:
        """Median whole-sequence time / median GEMM-bound time."""
        return _over(self.numba_sequence, self.gemm)

    @property
    def gemm_over_torch(self) -> float | None:
        """Median GEMM-bound time / median torch time (the products alone vs all)."""
        if self.gemm is None or self.torch is None:
            return None
        return self.gemm.median_ms / self.torch.median_ms

    @property
    def generated_over_gemm(self) -> float | None:
        """Median generated time / median GEMM-bound time."""
        if self.generated is None or self.gemm is None:
            return None
        return self.generated.median_ms / self.gemm.median_ms


def _over(timing: Timing | None, reference: Timing | None) -> float | None:
    """The ratio of the two medians, or None if either is missing."""
    if timing is None or reference is None:
        return None
    return timing.median_ms / reference.median_ms


def comparisons(record: SpeedRecord) -> list[Comparison]:
    """One comparison per (cell, size, dtype, mode), in the record's order."""
    by_key: dict[tuple[str, Size, str, str], dict[str, Timing]] = {}
    for timing in record.timings:
        by_key.setdefault(timing.key, {})[timing.implementation] = timing
    return [
        Comparison(
            *key,
            found.get("generated"),
            found.get("torch"),
            found.get("gemm"),
            found.get("numba"),
            found.get("torch_native"),
            found.get("numba_sequence"),
        )
        for key, found in by_key.items()
    ]


def to_json(record: SpeedRecord) -> str:
    """The record as JSON text (the summaries included, for readers of the file)."""
    return json.dumps(asdict(record), indent=1) + "\n"


def from_json(text: str) -> SpeedRecord:
    """Read a record written by :func:`to_json`."""
    data = json.loads(text)
    timings = [
        Timing(
            implementation=row["implementation"],
            cell=row["cell"],
            size=_size(row["size"]),
            dtype=row["dtype"],
            mode=row["mode"],
            samples_ms=[float(s) for s in row["samples_ms"]],
            peak_rss_growth_mib=float(row["peak_rss_growth_mib"]),
        )
        for row in data["timings"]
    ]
    return SpeedRecord(dict(data["machine"]), dict(data["settings"]), timings)


def read(path: Path = RECORDED) -> SpeedRecord:
    """The recorded run (by default the one the site shows)."""
    return from_json(path.read_text(encoding="utf-8"))


def _size(values: Sequence[int]) -> Size:
    batch, steps, inputs, hidden = (int(v) for v in values)
    return batch, steps, inputs, hidden
