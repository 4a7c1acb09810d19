"""The numeric environment a record carries, and how it is compared."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lstm_book import environment


def test_the_cpu_extensions_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma avx512f xsave\n")
    assert environment.cpu_extensions(cpuinfo) == ["avx2", "avx512f", "fma", "sse2"]
    cpuinfo.write_text("processor\t: 0\nFeatures\t: fp asimd sve\n")  # arm64
    assert environment.cpu_extensions(cpuinfo) == ["asimd", "sve"]
    assert environment.cpu_extensions(tmp_path / "missing") == []


def test_an_environment_is_the_same_only_when_every_field_is() -> None:
    here = environment.numeric_environment()
    assert here["numpy"] == np.__version__
    assert here["blas_kernel"] != ""
    assert environment.same_environment(here)
    for key in here:
        other = {**here, key: "something else"}
        assert not environment.same_environment(other)
        assert environment.describe_difference(other).startswith(
            f"{key} 'something else'"
        )
    assert not environment.same_environment(None)
    assert "does not say" in environment.describe_difference(None)


def test_relative_differences() -> None:
    assert environment.relative_differences([1.0, 0.0, -2.0], [1.5, 0.25, -2.0]) == [
        0.5, 0.25, 0.0,
    ]  # fmt: skip
