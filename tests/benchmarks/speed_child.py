"""Time one configuration in this fresh interpreter and print the result as JSON.

Run by ``run_speed.py`` (never by hand) as
``python speed_child.py IMPLEMENTATION CELL B,T,I,H DTYPE MODE REPEATS THREADS``
with the thread variables already in the environment. Prints one JSON object:
the samples (ms per step), the peak-memory growth of the first step, the inner
loop count and the BLAS libraries that ran (threadpoolctl).
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from typing import Any

from speed_configs import parse_size
from speed_steps import BUILDERS

MIN_SAMPLE_SECONDS = 0.05
"""A sample runs the step this long at least (fast steps are looped and averaged)."""


def peak_rss_mib() -> float:
    """The process's peak resident set size so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def blas_libraries() -> list[dict[str, Any]]:
    """The BLAS and OpenMP libraries loaded now: name, version, kernel, threads."""
    from threadpoolctl import threadpool_info  # noqa: PLC0415 (each child loads only its own implementation)

    keys = ("user_api", "internal_api", "version", "architecture", "num_threads")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def torch_facts(threads: int) -> dict[str, Any]:
    """torch's version, its BLAS (from its build config) and its thread counts."""
    if "torch" not in sys.modules:
        return {}
    import torch  # noqa: PLC0415 (each child loads only its own implementation)

    config = torch.__config__.show()
    blas = next(
        (line.split("=", 1)[1] for line in config.split(",") if "BLAS_INFO" in line),
        "unknown",
    )
    return {
        "torch": torch.__version__,
        "torch_blas": blas.strip(),
        "torch_threads": torch.get_num_threads(),
        "torch_threads_requested": threads,
        "torch_onednn": bool(torch.backends.mkldnn.enabled),
    }


def main(argv: list[str]) -> None:
    implementation, cell, size_text, dtype, mode, repeats_text, threads_text = argv
    repeats, threads = int(repeats_text), int(threads_text)
    if implementation.startswith("torch"):
        import torch  # noqa: PLC0415 (each child loads only its own implementation)

        torch.set_num_threads(threads)
    step = BUILDERS[implementation](cell, parse_size(size_text), dtype, mode)
    baseline = peak_rss_mib()
    start = time.perf_counter()
    step()  # the first call: warms caches and allocators, sets the memory peak
    first = time.perf_counter() - start
    peak = peak_rss_mib() - baseline
    start = time.perf_counter()
    step()
    second = time.perf_counter() - start
    loops = max(1, math.ceil(MIN_SAMPLE_SECONDS / max(min(first, second), 1e-9)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            step()
        samples.append(1e3 * (time.perf_counter() - start) / loops)
    import numpy as np  # noqa: PLC0415 (each child loads only its own implementation)

    result = {
        "samples_ms": samples,
        "loops": loops,
        "peak_rss_growth_mib": peak,
        "numpy": np.__version__,
        "blas": blas_libraries(),
        **torch_facts(threads),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
