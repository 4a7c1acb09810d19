"""What the speed benchmark times: implementations, cells, sizes, dtypes and modes.

One configuration is one (implementation, cell, size, dtype, mode); each is timed
in a fresh interpreter of its own (``speed_child.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

IMPLEMENTATIONS = (
    "generated",
    "numba",
    "numba_sequence",
    "torch",
    "torch_native",
    "gemm",
)
"""``generated``: ``lstm_derive.nn.Recurrent`` forward + backward as users run it;
``numba``: the same with ``backend="numba_per_step"`` (the compiled kernels, one
call per stage and step, run by the driver);
``numba_sequence``: the same with ``backend="numba"`` (the whole sequence in one
compiled call, forward and backward);
``torch``: ``torch.nn.LSTM`` / ``torch.nn.GRU`` forward + ``loss.backward()``;
``torch_native``: the same with oneDNN switched off, so torch runs its own loop of
matrix products and pointwise kernels (timed only where the two differ, see
:data:`ONEDNN`);
``gemm``: the matrix products a step cannot avoid, alone (NumPy, a lower bound)."""
ONEDNN = {("lstm", "float32")}
"""(cell, dtype) pairs for which torch 2.13 on the CPU runs oneDNN's fused RNN
(``aten::mkldnn_rnn_layer``): the float32 LSTM only; its GRU and every float64
cell run torch's own loop, so ``torch_native`` would time the same code again."""
CELLS = ("lstm", "gru")
GATES = {"lstm": 4, "gru": 3}
"""Gate blocks per cell: the width of the projections is ``GATES * hidden``."""
TRAINING_SIZES = ((128, 8, 2, 16), (32, 50, 64, 128), (64, 100, 256, 512))
"""(batch, time, inputs, hidden): a training step only."""
INFERENCE_SIZE = (1, 100, 32, 128)
"""One sequence: timed as a training step and as a forward pass."""
DTYPES = ("float32", "float64")
MODES = ("train", "forward")
THREADS = 2
"""BLAS and OpenMP threads of every implementation (the machine has 2 cores)."""
ROUNDS = 5
REPEATS = 7


Size = tuple[int, int, int, int]


@dataclass(frozen=True)
class Config:
    """One timed configuration."""

    implementation: str
    cell: str
    size: Size
    dtype: str
    mode: str

    def label(self) -> str:
        """A short readable name, e.g. ``generated lstm 32,50,64,128 float32 train``."""
        size = ",".join(map(str, self.size))
        return f"{self.implementation} {self.cell} {size} {self.dtype} {self.mode}"

    def arguments(self) -> list[str]:
        """The command-line arguments of ``speed_child.py`` for this configuration."""
        return [
            self.implementation,
            self.cell,
            ",".join(map(str, self.size)),
            self.dtype,
            self.mode,
        ]


def parse_size(text: str) -> Size:
    """``"32,50,64,128"`` -> (32, 50, 64, 128); a ValueError names what is wrong."""
    parts = text.replace("x", ",").split(",")
    if len(parts) != 4 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        msg = f"size {text!r} is not four positive integers B,T,I,H"
        raise ValueError(msg)
    batch, steps, inputs, hidden = (int(p) for p in parts)
    return batch, steps, inputs, hidden


def default_plan() -> list[tuple[Size, str]]:
    """The (size, mode) pairs of a full run: training at every size, plus inference."""
    plan = [(size, "train") for size in (*TRAINING_SIZES, INFERENCE_SIZE)]
    return [*plan, (INFERENCE_SIZE, "forward")]


def configurations(
    plan: list[tuple[Size, str]],
    cells: list[str],
    dtypes: list[str],
    implementations: list[str],
) -> list[Config]:
    """Every configuration of a run, in the order each round times them."""
    return [
        Config(implementation, cell, size, dtype, mode)
        for cell in cells
        for size, mode in plan
        for dtype in dtypes
        for implementation in implementations
        if implementation != "torch_native" or (cell, dtype) in ONEDNN
    ]
