"""Binary addition done the way a circuit does it: one pair of bits per time step.

Bits go in least significant first, one (a bit, b bit) pair per step, and a
``Dense`` head reads one sum bit (a logit) off every hidden state. The LSTM only
has to learn the carry, the same rule at every step, so a model trained on 8-bit
operands adds numbers of any width: an n-bit pair is fed as n + 1 steps (the last
pair of bits is zero) because its sum has n + 1 bits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lstm_book.experiments.binary_addition.data import (
    REPORT_BITS,
    REPORT_MAX_OPERAND,
    PairSplit,
    all_pairs,
    from_bits,
    random_operands,
    sample_pairs,
    split_pairs,
    to_bits,
)
from lstm_book.experiments.binary_addition.progress import progress
from lstm_book.experiments.threads import one_blas_thread
from lstm_derive import nn
from lstm_derive.errors import WeightsError
from lstm_derive.nn import weights
from lstm_derive.nn.layer import Array

INPUTS = 2
"""One bit of each operand per step."""


def serial_inputs(a: Array, b: Array, width: int, dtype: Any = np.float32) -> Array:
    """[N, width + 1, 2]: step t holds bit t of a and of b (a last step of zeros)."""
    bits = np.stack(
        [to_bits(a, width + 1, lsb_first=True), to_bits(b, width + 1, lsb_first=True)],
        axis=-1,
    )
    return bits.astype(dtype)


def serial_targets(a: Array, b: Array, width: int, dtype: Any = np.float32) -> Array:
    """[N, width + 1, 1]: step t holds bit t of a + b."""
    total = np.asarray(a, dtype=object) + np.asarray(b, dtype=object)
    return to_bits(total, width + 1, lsb_first=True)[..., None].astype(dtype)


def build_serial_model(
    rng: np.random.Generator,
    *,
    hidden: int = 16,
    dtype: Any = np.float32,
    backend: str = "numpy",
) -> nn.Sequential:
    """LSTM (every hidden state) -> Dense(hidden, 1): one sum-bit logit per step."""
    return nn.Sequential(
        nn.Recurrent(
            "lstm",
            INPUTS,
            hidden,
            rng=rng,
            return_sequences=True,
            dtype=dtype,
            backend=backend,
        ),
        nn.Dense(hidden, 1, rng=rng, dtype=dtype),
    )


def sum_probabilities(model: nn.Sequential, a: Array, b: Array, width: int) -> Array:
    """P(sum bit = 1) at each of the width + 1 steps: [N, width + 1]."""
    dtype = next(iter(model.layers[0].params.values())).dtype
    logits = model.forward(serial_inputs(a, b, width, dtype))[..., 0]
    return np.asarray(0.5 * (1 + np.tanh(0.5 * logits.astype(np.float64))))


def predict_sums(model: nn.Sequential, a: Array, b: Array, width: int) -> Array:
    """The sums the model computes for a, b < 2**width: exact Python ints (``object``)."""
    bits = (sum_probabilities(model, a, b, width) > 0.5).astype(np.uint8)
    return from_bits(bits, lsb_first=True)


def exact_accuracy(
    model: nn.Sequential, a: Array, b: Array, width: int, batch: int = 4096
) -> float:
    """The fraction of pairs whose sum the model gets exactly right."""
    right = 0
    for start in range(0, len(a), batch):
        stop = start + batch
        predicted = predict_sums(model, a[start:stop], b[start:stop], width)
        truth = np.asarray(a[start:stop], dtype=object) + np.asarray(
            b[start:stop], dtype=object
        )
        right += int(np.sum(predicted == truth))
    return right / len(a)


def pairs_accuracy(
    model: nn.Sequential, pairs: Array, width: int = REPORT_BITS
) -> float:
    """:func:`exact_accuracy` on pairs [n, 2] of ``width``-bit operands."""
    return exact_accuracy(model, pairs[:, 0], pairs[:, 1], width)


def random_accuracy(
    model: nn.Sequential, width: int, count: int, rng: np.random.Generator
) -> float:
    """Exact accuracy on ``count`` random pairs of operands uniform in 0..2**width - 1."""
    a = random_operands(count, width, rng)
    b = random_operands(count, width, rng)
    return exact_accuracy(model, a, b, width)


@dataclass(frozen=True)
class SerialConfig:
    """How to train the bit-serial model."""

    hidden: int = 16
    batch_size: int = 64
    max_updates: int = 2000
    learning_rate: float = 1e-2
    wide_bits: int | None = 16
    """Every other batch holds random pairs of this many bits (neither operand
    below 128, so no 8-bit pair, held out or not, comes in this way); ``None``
    trains on the 8-bit pool only."""
    check_every: int = 100
    """Score the whole training pool this often; stop once it is all right."""
    extra_updates: int = 300
    """Updates after the pool is first all right, to firm up the margins."""
    held_out_fraction: float = 0.2
    seed: int = 0
    dtype: Any = np.float32
    backend: str = "numpy"
    """What runs the LSTM: ``numpy`` or ``numba`` (``nn.Recurrent``'s backends)."""


@dataclass(frozen=True)
class SerialRun:
    """A trained bit-serial model and how it got there."""

    config: SerialConfig
    model: nn.Sequential
    split: PairSplit
    losses: Array
    """The training loss at every update."""
    updates: int
    seconds: float

    def exhaustive_accuracy(self) -> float:
        """Exact accuracy on all 16384 pairs of 0..127 (8 bits, 9 steps)."""
        return pairs_accuracy(self.model, all_pairs())

    def held_out_accuracy(self) -> float:
        """Exact accuracy on the pairs never trained on."""
        return pairs_accuracy(self.model, self.split.held_out)


def wide_pairs(count: int, width: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """``count`` random pairs of ``width``-bit operands, never both below 128."""
    a = random_operands(count, width, rng)
    b = random_operands(count, width, rng)
    narrow = (a <= REPORT_MAX_OPERAND) & (b <= REPORT_MAX_OPERAND)
    while narrow.any():
        a[narrow] = random_operands(int(narrow.sum()), width, rng)
        narrow = (a <= REPORT_MAX_OPERAND) & (b <= REPORT_MAX_OPERAND)
    return a, b


def train_serial(
    config: SerialConfig = SerialConfig(), *, show_progress: bool = False
) -> SerialRun:
    """Train on random batches of 8-bit pairs from the training pool (never the
    held-out pairs), alternating with batches of wider pairs (``wide_bits``)."""
    with one_blas_thread():
        return _train_serial(config, show_progress=show_progress)


def _train_serial(config: SerialConfig, *, show_progress: bool) -> SerialRun:
    rng = np.random.default_rng(config.seed)
    split = split_pairs(rng, config.held_out_fraction)
    model = build_serial_model(
        rng, hidden=config.hidden, dtype=config.dtype, backend=config.backend
    )
    loss = nn.BCEWithLogits()
    optimizer = nn.Adam(model.params, config.learning_rate)
    losses: list[float] = []
    stop_at = config.max_updates
    start = time.perf_counter()
    steps = progress(
        range(config.max_updates),
        enabled=show_progress,
        description="bit-serial",
        total=config.max_updates,
    )
    for update in steps:
        if update >= stop_at:
            break
        if config.wide_bits is not None and update % 2 == 1:
            a, b = wide_pairs(config.batch_size, config.wide_bits, rng)
            width = config.wide_bits
        else:
            pairs = sample_pairs(split.pool, config.batch_size, rng)
            a, b, width = pairs[:, 0], pairs[:, 1], REPORT_BITS
        x = serial_inputs(a, b, width, config.dtype)
        y = serial_targets(a, b, width, config.dtype)
        losses.append(nn.train_step(model, loss, optimizer, x, y, max_grad_norm=1.0))
        done = update + 1
        if (
            stop_at == config.max_updates
            and done % config.check_every == 0
            and pairs_accuracy(model, split.pool) == 1.0
        ):
            stop_at = min(config.max_updates, done + config.extra_updates)
    seconds = time.perf_counter() - start
    return SerialRun(config, model, split, np.asarray(losses), len(losses), seconds)


def load_serial_model(path: str | Path) -> nn.Sequential:
    """A bit-serial model with the weights saved at ``path`` (sizes read from it).

    ``.npz`` is added to a name without it. Raises
    :class:`~lstm_derive.errors.WeightsError` (a ShapeError) when the file is not a
    bit-serial model's weights file, naming what it holds instead.
    """
    layers = weights.read_structure(path)["layers"]
    kinds = [
        (layer.get("kind"), layer.get("cell"), layer.get("inputs")) for layer in layers
    ]
    hidden = layers[0].get("hidden") if layers else None
    dtype = layers[0].get("dtype") if layers else None
    if (
        kinds[:1] != [("Recurrent", "lstm", INPUTS)]
        or len(kinds) != 2
        or kinds[1] != ("Dense", None, hidden)
        or not isinstance(hidden, int)
        or dtype not in ("float32", "float64")
    ):
        described = ", ".join(
            f"{kind}({', '.join(part for part in parts if part)})"
            for kind, cell, inputs in kinds
            for parts in [
                (repr(cell) if cell else "", f"inputs={inputs}" if inputs else "")
            ]
        )
        msg = (
            f"{weights.weights_path(path)}: not a bit-serial model's weights "
            f"(an LSTM on {INPUTS} inputs, then Dense): it holds {described}"
        )
        raise WeightsError(msg)
    model = build_serial_model(np.random.default_rng(0), hidden=hidden, dtype=dtype)
    model.load(path)
    return model


@dataclass(frozen=True)
class AdditionStep:
    """One time step of the network adding two numbers."""

    step: int
    a_bit: int
    b_bit: int
    probability: float
    """P(sum bit = 1) according to the network."""

    @property
    def sum_bit(self) -> int:
        """The bit the network writes (probability thresholded at 0.5)."""
        return int(self.probability > 0.5)


@dataclass(frozen=True)
class Addition:
    """The network's sum of a and b, step by step."""

    a: int
    b: int
    steps: tuple[AdditionStep, ...]

    @property
    def result(self) -> int:
        """The number the network's sum bits write."""
        return sum(step.sum_bit << step.step for step in self.steps)

    @property
    def correct(self) -> bool:
        """Whether the network's sum is a + b."""
        return self.result == self.a + self.b


def add(model: nn.Sequential, a: int, b: int) -> Addition:
    """Add two non-negative ints with the network, using as many steps as they need."""
    if a < 0 or b < 0:
        msg = f"operands must be non-negative, got {a} and {b}"
        raise ValueError(msg)
    width = max(a.bit_length(), b.bit_length(), 1)
    operand_a = np.array([a], dtype=object)
    operand_b = np.array([b], dtype=object)
    probability = sum_probabilities(model, operand_a, operand_b, width)[0]
    a_bits = to_bits(operand_a, width + 1, lsb_first=True)[0]
    b_bits = to_bits(operand_b, width + 1, lsb_first=True)[0]
    steps = tuple(
        AdditionStep(t, int(a_bits[t]), int(b_bits[t]), float(probability[t]))
        for t in range(width + 1)
    )
    return Addition(a, b, steps)
