"""Record the language models: train the RNN, the LSTM and the GRU on the corpus.

``python -m lstm_book.experiments.language_model.record --output runs.json``
trains each cell (:class:`~.model.LMConfig`'s defaults unless told otherwise),
scores the counting baselines, and writes one JSON record: the corpus's size and
digest, the baselines, and for each cell its learning curves, validation and test
perplexity, samples at several temperatures, the time it took and the numeric
environment. The site's chapter reads the committed :data:`RECORDED` file; the
training takes minutes, too long for the site's build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from lstm_book.environment import numeric_environment
from lstm_book.experiments.language_model.corpus import (
    Texts,
    Vocabulary,
    load_corpus,
    split,
)
from lstm_book.experiments.language_model.model import (
    LMConfig,
    parameter_count,
    perplexity,
    sample,
    train_lm,
)
from lstm_book.experiments.language_model.ngram import Baseline, best_ngram
from lstm_derive.files import write_atomic

RECORDED = Path(__file__).with_name("recorded_runs.json")
"""The record the site's chapter reads."""
CELLS = ("rnn", "lstm", "gru")
TEMPERATURES = (0.2, 0.5, 1.0, 1.5)
PRIME = "The "
"""The text every sample starts from."""
SAMPLE_LENGTH = 300
SAMPLE_SEED = 7


@dataclass(frozen=True)
class CorpusFacts:
    """What the models were trained on."""

    characters: int
    train: int
    validation: int
    test: int
    vocabulary: int
    sha256: str


@dataclass(frozen=True)
class CellRecord:
    """One trained language model."""

    config: LMConfig
    parameters: int
    train_loss: list[float]
    validation_perplexity: list[float]
    best_epoch: int
    test_perplexity: float
    head: list[float]
    """The training losses of the first updates, exactly."""
    updates: int
    seconds: float
    samples: dict[str, str]
    """The text drawn after :data:`PRIME`, by temperature (as a string key)."""
    environment: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """Every model and the baselines."""

    corpus: CorpusFacts
    unigram: Baseline
    bigram: Baseline
    runs: list[CellRecord]
    prime: str = PRIME

    def run(self, cell: str) -> CellRecord:
        """The record of one cell."""
        (found,) = [r for r in self.runs if r.config.cell == cell]
        return found


def digest(text: str) -> str:
    """The SHA-256 of a text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_facts(corpus: str, texts: Texts, vocabulary: Vocabulary) -> CorpusFacts:
    """The sizes and digest of the corpus."""
    return CorpusFacts(
        len(corpus),
        len(texts.train),
        len(texts.validation),
        len(texts.test),
        len(vocabulary),
        digest(corpus),
    )


def prepared(corpus: str | None = None) -> tuple[str, Texts, Vocabulary]:
    """The corpus (the shipped snapshot by default), its split and vocabulary."""
    text = load_corpus() if corpus is None else corpus
    return text, split(text), Vocabulary.of(text)


def baselines(texts: Texts, vocabulary: Vocabulary) -> tuple[Baseline, Baseline]:
    """The unigram and bigram models, their smoothing chosen on validation."""
    train, validation, test = (
        vocabulary.encode(t) for t in (texts.train, texts.validation, texts.test)
    )
    return tuple(  # type: ignore[return-value]
        best_ngram(train, validation, test, order, len(vocabulary)) for order in (1, 2)
    )


def record_cell(config: LMConfig) -> CellRecord:
    """Train one cell on the shipped corpus, score it and draw its samples."""
    _, texts, vocabulary = prepared()
    run = train_lm(config, texts, vocabulary)
    samples = {
        str(t): sample(
            run.model,
            vocabulary,
            PRIME,
            SAMPLE_LENGTH,
            t,
            np.random.default_rng([SAMPLE_SEED, k]),
        )
        for k, t in enumerate(TEMPERATURES)
    }
    return CellRecord(
        config,
        parameter_count(run.model),
        run.train_loss,
        run.validation_perplexity,
        run.best_epoch,
        perplexity(run.model, vocabulary.encode(texts.test)),
        run.head,
        run.updates,
        run.seconds,
        samples,
        numeric_environment(),
    )


def write_record(path: Path, record: Record) -> None:
    """Save the record as JSON."""
    write_atomic(path, json.dumps(asdict(record), indent=1, ensure_ascii=False) + "\n")


def read_record(path: Path = RECORDED) -> Record:
    """Load a record saved by :func:`write_record`."""
    row: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    runs = [CellRecord(**{**r, "config": LMConfig(**r["config"])}) for r in row["runs"]]
    return Record(
        CorpusFacts(**row["corpus"]),
        Baseline(**row["unigram"]),
        Baseline(**row["bigram"]),
        runs,
        row["prime"],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Train every cell and write the record."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--epochs", type=int, default=LMConfig.epochs)
    parser.add_argument("--hidden", type=int, default=LMConfig.hidden)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    corpus, texts, vocabulary = prepared()
    unigram, bigram = baselines(texts, vocabulary)
    facts = corpus_facts(corpus, texts, vocabulary)
    configs = [
        replace(LMConfig(cell), epochs=args.epochs, hidden=args.hidden)
        for cell in args.cells
    ]
    runs: list[CellRecord] = []
    with ProcessPoolExecutor(args.workers) as pool:
        for run in pool.map(record_cell, configs):
            runs.append(run)
            write_record(args.output, Record(facts, unigram, bigram, runs))
            sys.stdout.write(
                f"{run.config.cell}: test perplexity {run.test_perplexity:.3f} "
                f"(bigram {bigram.test_perplexity:.3f}), {run.seconds:.0f} s" + "\n"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
