"""Many runs of the report's setup (sizes x seeds x losses), too long for the site build.

``python -m lstm_book.experiments.binary_addition.sweep --output runs.json``
trains every combination at the report's settings and writes one record per run;
the site reads the committed :data:`RECORDED` file and says how it was made.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lstm_book.environment import numeric_environment
from lstm_book.experiments.binary_addition.report_setup import (
    LossName,
    ReportConfig,
    Score,
    train_report,
)
from lstm_derive.files import write_atomic

RECORDED = Path(__file__).with_name("recorded_sweep.json")
"""Records of the sweep run for the site (report settings: 256 units, 100 epochs)."""


@dataclass(frozen=True)
class SweepRecord:
    """The scores of one finished run."""

    train_size: int
    seed: int
    loss: str
    epochs: int
    seconds: float
    distinct_pairs: int
    """How many different pairs the training samples contain."""
    held_out: Score
    seen: Score
    exhaustive: Score
    train_loss: list[float] = field(default_factory=list)
    """The mean training loss of every epoch: a short re-run compares its first
    epochs with these where the numeric environment differs."""
    environment: dict[str, str] = field(default_factory=dict)
    """Where it ran (:func:`~lstm_book.environment.numeric_environment`)."""


def run_one(config: ReportConfig) -> SweepRecord:
    """Train one configuration and score it."""
    run = train_report(config)
    return SweepRecord(
        config.train_size,
        config.seed,
        config.loss,
        config.epochs,
        run.seconds,
        len(run.seen_pairs),
        run.held_out_score(),
        run.seen_score(),
        run.exhaustive_score(),
        list(run.history.train_loss),
        numeric_environment(),
    )


def write_records(path: Path, records: Iterable[SweepRecord]) -> None:
    """Save records as a JSON list."""
    rows = [asdict(record) for record in records]
    write_atomic(path, json.dumps(rows, indent=1) + "\n")


def read_records(path: Path = RECORDED) -> list[SweepRecord]:
    """Load records saved by :func:`write_records`."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        SweepRecord(
            **{
                **row,
                **{
                    key: Score(**row[key]) for key in ("held_out", "seen", "exhaustive")
                },
            }
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Spread:
    """Mean, standard deviation, minimum and maximum of one score over seeds."""

    runs: int
    mean: float
    stdev: float
    low: float
    high: float


def spread(values: Sequence[float]) -> Spread:
    """The :class:`Spread` of ``values`` (standard deviation 0 for a single value)."""
    deviation = statistics.stdev(values) if len(values) > 1 else 0.0
    return Spread(
        len(values), statistics.fmean(values), deviation, min(values), max(values)
    )


def select(
    records: Iterable[SweepRecord], train_size: int, loss: LossName = "mse"
) -> list[SweepRecord]:
    """The records of one training-set size and loss."""
    return [r for r in records if r.train_size == train_size and r.loss == loss]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep from the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10000, 20000])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--place-value-size", type=int, default=10000)
    args = parser.parse_args(argv)
    records: list[SweepRecord] = []
    for seed in range(args.seeds):
        configs = [
            ReportConfig(train_size=n, epochs=args.epochs, seed=seed)
            for n in args.sizes
        ]
        configs.append(
            ReportConfig(
                train_size=args.place_value_size,
                epochs=args.epochs,
                seed=seed,
                loss="place-value",
            )
        )
        for config in configs:
            records.append(run_one(config))
            write_records(args.output, records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
