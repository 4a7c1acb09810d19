"""Long lags: the adding problem of 1997 for the RNN, the LSTM and the GRU.

Each run trains one cell at one lag T (sequences of T to 1.1 T steps, the two
marked values in the first half) for a fixed budget of updates, scores a fixed
validation set along the way (the learning curve) and a fixed test set at the end:
the mean squared error and the fraction of sequences answered within 0.04.

``python -m lstm_book.experiments.long_lags.runs --output runs.json`` trains every
cell at every lag for a few seeds and writes one record per run; the site reads
the committed :data:`RECORDED` file (and :data:`RECORDED_EXTRA`). Training
them all takes tens of minutes, too long for the site's build.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from lstm_book.environment import numeric_environment
from lstm_book.experiments.tasks.adding import (
    INPUTS,
    adding_1997_batch,
    within_tolerance,
)
from lstm_book.experiments.threads import one_blas_thread
from lstm_derive import nn
from lstm_derive.files import write_atomic
from lstm_derive.nn.layer import Array

RECORDED = Path(__file__).with_name("recorded_runs.json")
"""The records the site's chapter on long lags reads."""
RECORDED_EXTRA = Path(__file__).with_name("recorded_extra.json")
"""Three more LSTM runs, first seed: three times the budget at T = 50
(``--cells lstm --lags 50 --seeds 1 --updates 15000``), and the usual budget with
a forget-gate bias of 3 at T = 50 and 100 (``--cells lstm --lags 50 --seeds 1
--keep-bias 3``, then ``--lags 100``)."""
CELLS = ("rnn", "lstm", "gru")
LAGS = (10, 20, 50, 100)
KEEP_GATE = {"lstm": "f", "gru": "u"}
"""The gate that keeps each gated cell's state: the LSTM's forget gate and the
GRU's update gate (h = (1 - u) n + u h_prev). Its bias starts at
:attr:`LagConfig.keep_bias`, so that the cell starts leaning towards keeping."""
VALIDATION_SEED = 1997
TEST_SEED = 2997
HEAD = 50
"""How many of the first training losses a record keeps exactly (the prefix a
reproduction re-runs)."""
BASELINE_MSE = 1 / 24
"""The error of always answering 0.5: the variance of (X1 + X2) / 4 for X1, X2
uniform in [-1, 1] (a little less in fact, since a marked first step counts 0)."""


@dataclass(frozen=True)
class LagConfig:
    """One run: a cell, a lag and a seed, and the training budget."""

    cell: str
    lag: int
    seed: int = 0
    hidden: int = 16
    batch: int = 32
    updates: int = 5000
    learning_rate: float = 1e-2
    max_grad_norm: float = 1.0
    every: int = 100
    """Score the validation set after every ``every`` updates."""
    validation: int = 512
    test: int = 2560
    keep_bias: float = 1.0
    """The initial bias of the gate in :data:`KEEP_GATE` (none for the RNN)."""


@dataclass(frozen=True)
class LagRun:
    """What one run recorded."""

    config: LagConfig
    checkpoints: list[int]
    """The updates after which the validation set was scored."""
    train_loss: list[float]
    """The mean training loss of the ``every`` updates before each checkpoint."""
    validation_mse: list[float]
    validation_within: list[float]
    test_mse: float
    test_within: float
    """The fraction of test sequences answered within 0.04."""
    head: list[float]
    """The training losses of the first :data:`HEAD` updates, exactly."""
    sensitivity: list[float]
    """The trained model's mean ``|∂y/∂x_t|`` over test sequences of exactly T steps,
    for t = 1..T: how strongly the answer depends on each step's input."""
    seconds: float
    environment: dict[str, str] = field(default_factory=dict)


def build_model(config: LagConfig, rng: np.random.Generator) -> nn.Sequential:
    """The cell's layer (its last hidden state) and a dense read-out of one number."""
    return nn.Sequential(
        nn.Recurrent(
            config.cell,
            INPUTS,
            config.hidden,
            rng=rng,
            return_sequences=False,
            gate_bias=(
                {KEEP_GATE[config.cell]: config.keep_bias}
                if config.cell in KEEP_GATE
                else None
            ),
        ),
        nn.Dense(config.hidden, 1, rng=rng),
    )


def fixed_set(which: str, count: int, lag: int) -> tuple[Array, Array, Array]:
    """The validation or test sequences of a lag: the same for every cell and seed."""
    seed = VALIDATION_SEED if which == "validation" else TEST_SEED
    return adding_1997_batch(count, lag, np.random.default_rng([seed, lag]))


def scores(
    model: nn.Sequential, data: tuple[Array, Array, Array]
) -> tuple[float, float]:
    """The mean squared error and the fraction within 0.04 on (x, y, lengths)."""
    x, y, lengths = data
    prediction = model.forward(x, lengths=lengths)
    mse = float(np.mean((prediction - y) ** 2))
    return mse, float(within_tolerance(prediction, y).mean())


def update(
    model: nn.Sequential,
    optimizer: nn.Optimizer,
    batch: tuple[Array, Array, Array],
    max_grad_norm: float,
) -> float:
    """One Adam step on a batch of variable-length sequences; returns its loss."""
    x, y, lengths = batch
    loss, d_prediction = nn.MeanSquaredError()(model.forward(x, lengths=lengths), y)
    model.backward_parameters(d_prediction)
    nn.clip_grad_norm(model.grads, max_grad_norm)
    optimizer.step(model.grads)
    return loss


def sensitivity(model: nn.Sequential, lag: int, count: int = 256) -> Array:
    """Mean over ``count`` test sequences of exactly ``lag`` steps of ``|∂y/∂x_t|``.

    The answer y is read after the last step; ∂y/∂x_t (both inputs of step t)
    says how much a change at step t moves it. A model that carries the marked
    values to the end must keep this large at the first steps.
    """
    x, _, lengths = fixed_set("test", count, lag)
    x, lengths = x[:, :lag], np.full(count, lag)
    model.forward(x, lengths=lengths)
    d_x = model.backward(np.ones((count, 1)))
    result: Array = np.linalg.norm(d_x, axis=-1).mean(axis=0)
    return result


def train(config: LagConfig, *, updates: int | None = None) -> LagRun:
    """Train one run (its first ``updates`` updates only, when given)."""
    with one_blas_thread():
        return _train(config, config.updates if updates is None else updates)


def _train(config: LagConfig, updates: int) -> LagRun:
    start = time.perf_counter()
    model = build_model(config, np.random.default_rng([config.seed, 0]))
    data_rng = np.random.default_rng([config.seed, 1])
    optimizer = nn.Adam(model.params, config.learning_rate)
    validation = fixed_set("validation", config.validation, config.lag)
    checkpoints: list[int] = []
    train_loss: list[float] = []
    validation_mse: list[float] = []
    validation_within: list[float] = []
    losses: list[float] = []
    for step in range(1, updates + 1):
        batch = adding_1997_batch(config.batch, config.lag, data_rng)
        losses.append(update(model, optimizer, batch, config.max_grad_norm))
        if step % config.every == 0 or step == updates:
            checkpoints.append(step)
            train_loss.append(float(np.mean(losses[-config.every :])))
            mse, within = scores(model, validation)
            validation_mse.append(mse)
            validation_within.append(within)
    test_mse, test_within = scores(model, fixed_set("test", config.test, config.lag))
    profile = sensitivity(model, config.lag)
    return LagRun(
        config,
        checkpoints,
        train_loss,
        validation_mse,
        validation_within,
        test_mse,
        test_within,
        losses[:HEAD],
        [float(v) for v in profile],
        time.perf_counter() - start,
        numeric_environment(),
    )


def write_records(path: Path, runs: Iterable[LagRun]) -> None:
    """Save runs as a JSON list."""
    rows = [asdict(run) for run in runs]
    write_atomic(path, json.dumps(rows, indent=1) + "\n")


def read_records(path: Path = RECORDED) -> list[LagRun]:
    """Load runs saved by :func:`write_records`."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [LagRun(**{**row, "config": LagConfig(**row["config"])}) for row in rows]


def select(runs: Iterable[LagRun], cell: str, lag: int) -> list[LagRun]:
    """The runs of one cell at one lag, in seed order."""
    chosen = [r for r in runs if r.config.cell == cell and r.config.lag == lag]
    return sorted(chosen, key=lambda r: r.config.seed)


def main(argv: Sequence[str] | None = None) -> int:
    """Train every cell at every lag and record the runs."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--lags", type=int, nargs="+", default=list(LAGS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--updates", type=int, default=LagConfig.updates)
    parser.add_argument("--keep-bias", type=float, default=LagConfig.keep_bias)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    configs = [
        LagConfig(cell, lag, seed, updates=args.updates, keep_bias=args.keep_bias)
        for seed in range(args.seeds)
        for lag in args.lags
        for cell in args.cells
    ]
    runs: list[LagRun] = []
    with ProcessPoolExecutor(args.workers) as pool:
        for run in pool.map(train, configs):
            runs.append(run)
            write_records(args.output, runs)
            sys.stdout.write(
                f"{run.config.cell} T={run.config.lag} seed {run.config.seed}: "
                f"test MSE {run.test_mse:.4f}, within {run.test_within:.3f} "
                f"({run.seconds:.0f} s)" + "\n"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
