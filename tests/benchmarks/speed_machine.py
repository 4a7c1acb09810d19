"""Facts about the machine and the thread settings a benchmark run used."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

CLEARED_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
"""Unset for every child: they force an OpenBLAS kernel or cache size (this machine
may set them); benchmarks run the kernel OpenBLAS picks for the CPU."""
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def child_environment(threads: int) -> dict[str, str]:
    """This process's environment with the thread variables set and the kernel overrides cleared."""
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
    environment.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    return environment


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what platform knows)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(load, 2) for load in os.getloadavg()]


def machine_facts() -> dict[str, object]:
    """What the record says about the machine before the children add theirs."""
    overrides = {k: os.environ[k] for k in CLEARED_VARIABLES if k in os.environ}
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_start": load_average(),
        "cleared_variables": overrides,
    }
