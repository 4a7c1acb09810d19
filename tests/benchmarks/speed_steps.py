"""The implementations of one step, each a zero-argument callable.

Each builder imports only what its implementation needs, so a child process that
times torch never loads the generated code, and the other way round. A training
step is the forward pass over x [B, T, I] from zero states and the backward pass
to every weight gradient for the loss sum(h**2), not to x (which is data: torch
computes no gradient for a tensor that does not require one, and
``Recurrent.backward_parameters`` skips it likewise); a forward step is the forward
pass alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from speed_configs import GATES, Size

Step = Callable[[], object]


def generated_step(
    cell: str, size: Size, dtype: str, mode: str, backend: str = "numpy"
) -> Step:
    """``lstm_derive.nn.Recurrent`` as a training loop runs a first layer.

    ``forward(x)``, then ``backward_parameters(2 hs)``: the weight gradients, not
    d_x, as :func:`lstm_derive.nn.train_step` does for the first layer.
    """
    import numpy as np  # noqa: PLC0415 (each child loads only its own implementation)

    from lstm_derive import nn  # noqa: PLC0415 (each child loads only its own implementation)

    batch, steps, inputs, hidden = size
    rng = np.random.default_rng(0)
    layer = nn.Recurrent(
        cell, inputs, hidden, rng=rng, dtype=np.dtype(dtype), backend=backend
    )
    x = rng.standard_normal((batch, steps, inputs)).astype(dtype)
    if mode == "forward":
        return lambda: layer.forward(x)

    def train() -> None:
        hs = layer.forward(x)
        layer.backward_parameters(2 * hs)  # d/dhs of sum(hs**2)

    return train


def numba_step(cell: str, size: Size, dtype: str, mode: str) -> Step:
    """The same layer with ``backend="numba_per_step"``: the cell's compiled kernels,
    one call per stage and step, run by the driver.

    The kernels are compiled (or loaded from Numba's cache) by the first call, which
    the child times apart from the samples, as for every implementation.
    """
    return generated_step(cell, size, dtype, mode, backend="numba_per_step")


def numba_sequence_step(cell: str, size: Size, dtype: str, mode: str) -> Step:
    """The same layer with ``backend="numba"``: every step of the forward pass in one
    compiled call, and every step of the backward pass in another."""
    return generated_step(cell, size, dtype, mode, backend="numba")


def torch_step(cell: str, size: Size, dtype: str, mode: str) -> Step:
    """``torch.nn.LSTM`` (or ``GRU``), one layer, batch first, on the CPU."""
    import torch  # noqa: PLC0415 (each child loads only its own implementation)

    torch.backends.mkldnn.enabled = True  # torch's default: oneDNN where it applies
    return _torch_layer_step(cell, size, dtype, mode)


def torch_native_step(cell: str, size: Size, dtype: str, mode: str) -> Step:
    """The same with oneDNN off: torch's own loop of GEMMs and pointwise kernels.

    For the float32 LSTM torch otherwise calls oneDNN's fused RNN; this shows what
    the same algorithm as ours (a BLAS product per step and direction, pointwise
    kernels between them) costs in torch's C++.
    """
    import torch  # noqa: PLC0415 (each child loads only its own implementation)

    torch.backends.mkldnn.enabled = False
    return _torch_layer_step(cell, size, dtype, mode)


def _torch_layer_step(cell: str, size: Size, dtype: str, mode: str) -> Step:
    import torch  # noqa: PLC0415 (each child loads only its own implementation)

    batch, steps, inputs, hidden = size
    torch.manual_seed(0)
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    torch_dtype = getattr(torch, dtype)
    model = kind(inputs, hidden, batch_first=True).to(torch_dtype)
    x = torch.randn(batch, steps, inputs, dtype=torch_dtype)
    if mode == "forward":

        def forward() -> None:
            with torch.inference_mode():
                model(x)

        return forward

    def train() -> None:
        model.zero_grad(set_to_none=True)
        hs, _ = model(x)
        (hs**2).sum().backward()

    return train


def gemm_step(cell: str, size: Size, dtype: str, mode: str) -> Step:
    """The matrix products of a step alone, outputs preallocated (a lower bound).

    Forward: the input projection over all T*B rows, then T recurrent products
    h [B, H] @ W_h [H, G*H]. Training adds T backward products dz @ W_h^T and the
    weight gradients over all rows, x^T dz and h^T dz. Nothing else: no
    pointwise work, no saved values, no d_x.
    """
    import numpy as np  # noqa: PLC0415 (each child loads only its own implementation)

    batch, steps, inputs, hidden = size
    width = GATES[cell] * hidden
    rng = np.random.default_rng(0)

    def array(*shape: int) -> Any:
        return rng.standard_normal(shape).astype(dtype)

    x, w_x, w_h = (
        array(steps * batch, inputs),
        array(inputs, width),
        array(hidden, width),
    )
    projected, z = array(steps * batch, width), array(batch, width)
    h, dz_all, dh = (
        array(steps, batch, hidden),
        array(steps, batch, width),
        array(batch, hidden),
    )
    dw_x, dw_h = array(inputs, width), array(hidden, width)
    w_h_t = w_h.T

    def forward() -> None:
        np.matmul(x, w_x, out=projected)
        for t in range(steps):
            np.matmul(h[t], w_h, out=z)

    def train() -> None:
        forward()
        for t in range(steps):
            np.matmul(dz_all[t], w_h_t, out=dh)
        flat_dz = dz_all.reshape(steps * batch, width)
        np.matmul(x.T, flat_dz, out=dw_x)
        np.matmul(h.reshape(steps * batch, hidden).T, flat_dz, out=dw_h)

    return forward if mode == "forward" else train


BUILDERS: dict[str, Callable[[str, Size, str, str], Step]] = {
    "generated": generated_step,
    "numba": numba_step,
    "numba_sequence": numba_sequence_step,
    "torch": torch_step,
    "torch_native": torch_native_step,
    "gemm": gemm_step,
}
