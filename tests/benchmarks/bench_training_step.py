"""One LSTM training step: the generated NumPy code against torch.nn.LSTM and the GEMM bound.

A step is the forward pass over a batch of sequences and the full backward pass
(BPTT) to every weight gradient, for the loss sum(hs**2). For each size the script
alternates NumPy and torch, float32 and float64, in one run, and prints medians
and ratios. The GEMM bound is the time the step's matrix products alone would
take at the matmul throughput NumPy reaches on this machine.

Run it with ``nox -s bench`` (optionally ``-- --repeats 20``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from lstm_derive.generated import lstm

SIZES = ((128, 8, 2, 16), (32, 50, 64, 128), (64, 100, 256, 512))
DTYPES = {
    "float32": (np.float32, torch.float32),
    "float64": (np.float64, torch.float64),
}


def gemm_flops(batch: int, steps: int, inputs: int, hidden: int) -> float:
    """FLOPs of the step's matrix products.

    Forward: z = [h, x] W (T*B rows, (H + I) -> 4H). Backward: dW = [h, x]^T dz
    and d[h, x] = dz W^T, the same size each: three products of 2*T*B*(H+I)*4H.
    """
    return 3 * 2 * steps * batch * (hidden + inputs) * 4 * hidden


def numpy_step(size: tuple[int, ...], dtype: Any) -> Callable[[], None]:
    batch, steps, inputs, hidden = size
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, steps, inputs)).astype(dtype)
    h0 = np.zeros((batch, hidden), dtype)
    weight = (
        rng.standard_normal((hidden + inputs, 4 * hidden)) / np.sqrt(hidden)
    ).astype(dtype)
    bias = np.zeros(4 * hidden, dtype)

    def step() -> None:
        hs, _, cache = lstm.forward(x, h0, h0, weight, bias)
        lstm.backward(2 * hs, cache)

    return step


def torch_step(size: tuple[int, ...], dtype: Any) -> Callable[[], None]:
    batch, steps, inputs, hidden = size
    torch.manual_seed(0)
    model = torch.nn.LSTM(inputs, hidden, batch_first=True).to(dtype)
    x = torch.randn(batch, steps, inputs, dtype=dtype)

    def step() -> None:
        model.zero_grad(set_to_none=True)
        hs, _ = model(x)
        (hs**2).sum().backward()

    return step


def matmul_throughput(size: tuple[int, ...], dtype: Any, repeats: int) -> float:
    """FLOP/s of NumPy's matmul on this step's largest product shape."""
    batch, steps, inputs, hidden = size
    rng = np.random.default_rng(1)
    a = rng.standard_normal((steps * batch, hidden + inputs)).astype(dtype)
    b = rng.standard_normal((hidden + inputs, 4 * hidden)).astype(dtype)
    seconds = median_time(lambda: a @ b, repeats)
    return float(2 * a.shape[0] * a.shape[1] * b.shape[1] / seconds)


def median_time(run: Callable[[], object], repeats: int) -> float:
    run()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    print(
        f"numpy {np.__version__}, torch {torch.__version__}, "
        f"torch threads {torch.get_num_threads()}, median of {args.repeats}"
    )
    header = f"{'B, T, I, H':>18} {'dtype':>8} {'numpy ms':>9} {'torch ms':>9} "
    header += f"{'bound ms':>9} {'numpy/torch':>12} {'numpy/bound':>12}"
    print(header)
    for size in SIZES:
        steps_of = {
            name: (numpy_step(size, np_dtype), torch_step(size, t_dtype))
            for name, (np_dtype, t_dtype) in DTYPES.items()
        }
        for fn in (f for pair in steps_of.values() for f in pair):
            fn()  # warm up every variant before timing any
        times: dict[tuple[str, str], list[float]] = {}
        # Alternate the four variants within each repeat, so drift hits all alike.
        repeats = args.repeats if size[3] < 512 else max(3, args.repeats // 3)
        for _ in range(repeats):
            for name, (np_fn, t_fn) in steps_of.items():
                for kind, fn in (("numpy", np_fn), ("torch", t_fn)):
                    start = time.perf_counter()
                    fn()
                    times.setdefault((name, kind), []).append(
                        time.perf_counter() - start
                    )
        for name, (np_dtype, _) in DTYPES.items():
            numpy_ms = 1e3 * statistics.median(times[name, "numpy"])
            torch_ms = 1e3 * statistics.median(times[name, "torch"])
            bound_ms = 1e3 * gemm_flops(*size) / matmul_throughput(size, np_dtype, 5)
            label = ", ".join(map(str, size))
            print(
                f"{label:>18} {name:>8} {numpy_ms:9.2f} {torch_ms:9.2f} {bound_ms:9.2f} "
                f"{numpy_ms / torch_ms:12.2f} {numpy_ms / bound_ms:12.2f}"
            )


if __name__ == "__main__":
    main()
