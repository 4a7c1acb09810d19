"""The numeric environment a result was computed in, and how to compare results.

Training is deterministic for a given seed, but only bit for bit on the same
*numeric environment*: the same NumPy, the same BLAS library running the same
kernel, on a CPU with the same vector extensions. Another BLAS kernel (OpenBLAS
picks one per CPU; ``OPENBLAS_CORETYPE=Haswell`` forces one) sums a matrix product
in another order, the last bits differ, and many updates of training amplify the
difference until scores differ in the second digit.

So every record carries :func:`numeric_environment`, and a reproduction compares
exactly only where :func:`same_environment` holds; elsewhere it re-runs a short
prefix of the run, where little chaos has accumulated, and compares within a
tolerance stated for that quantity (:class:`Comparison`).
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

VECTOR_EXTENSIONS = (
    "sse2", "sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw",
    "avx512vl", "avx512_bf16", "amx_tile", "asimd", "sve", "sve2",
)  # fmt: skip
"""The CPU features that change which kernels BLAS and NumPy run."""


def cpu_extensions(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """The vector extensions of this CPU (of :data:`VECTOR_EXTENSIONS`), sorted."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            present = set(value.split())
            return sorted(flag for flag in VECTOR_EXTENSIONS if flag in present)
    return []


def numeric_environment() -> dict[str, str]:
    """NumPy's version, its BLAS library and kernel, and the CPU's vector extensions.

    threadpoolctl reports the BLAS that NumPy loaded and the kernel it chose
    (OpenBLAS's "architecture": ``Haswell``, ``SkylakeX``, ``Zen``, ...); where
    SciPy has loaded a BLAS of its own, NumPy's is the one in its wheel's folder.
    """
    blas = [info for info in threadpool_info() if info.get("user_api") == "blas"]
    # NumPy's own BLAS (SciPy may load another): the one shipped beside numpy/
    numpys = [
        info for info in blas if "numpy" in Path(info.get("filepath", "")).parent.name
    ]
    first = (numpys or blas or [{}])[0]
    return {
        "numpy": np.__version__,
        "blas": f"{first.get('internal_api', 'unknown')} {first.get('version', '')}".strip(),
        "blas_kernel": str(first.get("architecture") or "unknown"),
        "machine": platform.machine(),
        "cpu_extensions": " ".join(cpu_extensions()) or "unknown",
    }


def same_environment(recorded: Mapping[str, str] | None) -> bool:
    """Whether ``recorded`` is this machine's numeric environment, field by field."""
    return recorded is not None and dict(recorded) == numeric_environment()


def describe_difference(recorded: Mapping[str, str] | None) -> str:
    """Which fields of the numeric environment differ from ``recorded``, in words."""
    if recorded is None:
        return "the record does not say where it was made"
    here = numeric_environment()
    fields = [
        f"{key} {recorded.get(key)!r} there, {here[key]!r} here"
        for key in here
        if recorded.get(key) != here[key]
    ]
    return "; ".join(fields) or "none"


@dataclass(frozen=True)
class Comparison:
    """How a re-run was compared with its record, for the test's report."""

    what: str  # "binary addition, 10000 samples, seed 2"
    exact: bool
    detail: str

    def line(self) -> str:
        """One line for the test output."""
        kind = "exact" if self.exact else "within tolerance"
        return f"{self.what}: {kind} ({self.detail})"


def relative_differences(
    recorded: Sequence[float], rerun: Sequence[float]
) -> list[float]:
    """``|a - b| / |a|`` for each pair (``|a - b|`` where ``a`` is 0)."""
    return [
        abs(a - b) / abs(a) if a else abs(a - b)
        for a, b in zip(recorded, rerun, strict=True)
    ]
