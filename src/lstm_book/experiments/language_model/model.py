"""A character-level language model: a recurrent layer reads one-hot characters and a
dense layer gives the logits of the next character.

Training cuts the training text into ``streams`` equal pieces read side by side
(one row of the batch each) and walks along them ``segment`` characters at a time:
truncated backpropagation through time. Each segment starts from the states the
previous one ended with (``initial_state=layer.final_state``), so the model can
use context from before the segment, but the gradient stops at its start. Every
epoch starts at a random offset, from zero states.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_book.experiments.language_model.corpus import Texts, Vocabulary
from lstm_book.experiments.threads import one_blas_thread
from lstm_derive import nn
from lstm_derive.nn.layer import Array

HEAD = 50
"""How many of the first training losses a record keeps exactly."""


@dataclass(frozen=True)
class LMConfig:
    """How to train one language model."""

    cell: str
    hidden: int = 128
    streams: int = 32
    """The batch: this many pieces of the training text, read side by side."""
    segment: int = 32
    """Characters per update: the truncation of backpropagation through time."""
    epochs: int = 40
    learning_rate: float = 1e-2
    max_grad_norm: float = 1.0
    seed: int = 0
    dtype: str = "float32"


@dataclass
class LMRun:
    """A trained model (its parameters from the epoch with the best validation
    perplexity) and how training went."""

    config: LMConfig
    model: nn.Sequential
    train_loss: list[float] = field(default_factory=list)
    """The mean training cross-entropy of each epoch (nats per character)."""
    validation_perplexity: list[float] = field(default_factory=list)
    """After each epoch."""
    head: list[float] = field(default_factory=list)
    """The losses of the first :data:`HEAD` updates."""
    best_epoch: int = 0
    updates: int = 0
    seconds: float = 0.0


def build_model(
    config: LMConfig, vocabulary_size: int, rng: np.random.Generator
) -> nn.Sequential:
    """One-hot characters -> the cell's layer (every step) -> a logit per character."""
    return nn.Sequential(
        nn.Recurrent(
            config.cell,
            vocabulary_size,
            config.hidden,
            rng=rng,
            return_sequences=True,
            dtype=config.dtype,
        ),
        nn.Dense(config.hidden, vocabulary_size, rng=rng, dtype=config.dtype),
    )


def one_hot(indices: Array, size: int, dtype: Any) -> Array:
    """[..., size]: a one at each index."""
    result: Array = np.eye(size, dtype=dtype)[indices]
    return result


def parameter_count(model: nn.Sequential) -> int:
    """How many numbers the model learns."""
    return sum(array.size for array in model.params.values())


def recurrent(model: nn.Sequential) -> nn.Recurrent:
    """The model's recurrent layer."""
    layer = model.layers[0]
    assert isinstance(layer, nn.Recurrent)
    return layer


def logits_of(
    model: nn.Sequential, indices: Array, state: dict[str, Array] | None = None
) -> Array:
    """The logits after each character of ``indices`` [B, T], from ``state``."""
    layer = recurrent(model)
    x = one_hot(indices, layer.inputs, layer.dtype)
    logits: Array = model.layers[1].forward(layer.forward(x, initial_state=state))
    return logits


def cross_entropy(model: nn.Sequential, indices: Array, chunk: int = 2000) -> float:
    """Mean -log P of each character after the first, given all before it (nats).

    The text is read as one stream, ``chunk`` characters per forward pass, the
    state carried from chunk to chunk.
    """
    loss = nn.SoftmaxCrossEntropy()
    total, count = 0.0, 0
    state: dict[str, Array] | None = None
    for start in range(0, len(indices) - 1, chunk):
        inputs = indices[start : start + chunk][None]
        targets = indices[start + 1 : start + chunk + 1][None]
        inputs = inputs[:, : targets.shape[1]]
        value, _ = loss(logits_of(model, inputs, state).astype(np.float64), targets)
        state = dict(recurrent(model).final_state)
        total += value * targets.size
        count += targets.size
    return total / count


def perplexity(model: nn.Sequential, indices: Array) -> float:
    """exp(cross-entropy) on a text given as indices."""
    return math.exp(cross_entropy(model, indices))


def streams(indices: Array, count: int, offset: int) -> Array:
    """The text from ``offset`` cut into ``count`` equal pieces: [count, length]."""
    usable = (len(indices) - offset) // count * count
    pieces: Array = indices[offset : offset + usable].reshape(count, -1)
    return pieces


def train_lm(
    config: LMConfig,
    texts: Texts,
    vocabulary: Vocabulary,
    *,
    updates: int | None = None,
    report: Callable[[int, float, float], None] | None = None,
) -> LMRun:
    """Train for ``config.epochs`` epochs (or only the first ``updates`` updates).

    After each epoch the validation perplexity is measured; the returned model
    has the parameters of the best epoch. ``report(epoch, train loss, validation
    perplexity)`` is called after each epoch.
    """
    with one_blas_thread():
        return _train(config, texts, vocabulary, updates, report)


def _train(
    config: LMConfig,
    texts: Texts,
    vocabulary: Vocabulary,
    updates: int | None,
    report: Callable[[int, float, float], None] | None,
) -> LMRun:
    start = time.perf_counter()
    rng = np.random.default_rng([config.seed, 0])
    data_rng = np.random.default_rng([config.seed, 1])
    model = build_model(config, len(vocabulary), rng)
    run = LMRun(config, model)
    train, validation = (
        vocabulary.encode(texts.train),
        vocabulary.encode(texts.validation),
    )
    layer = recurrent(model)
    optimizer = nn.Adam(model.params, config.learning_rate)
    loss = nn.SoftmaxCrossEntropy()
    best = (math.inf, {k: v.copy() for k, v in model.params.items()})
    limit = math.inf if updates is None else updates
    for epoch in range(1, config.epochs + 1):
        pieces = streams(train, config.streams, int(data_rng.integers(config.segment)))
        state: dict[str, Array] | None = None
        losses = []
        for left in range(0, pieces.shape[1] - 1 - config.segment + 1, config.segment):
            if run.updates >= limit:
                break
            window = pieces[:, left : left + config.segment + 1]
            x = one_hot(window[:, :-1], len(vocabulary), layer.dtype)
            value, d_logits = loss(
                model.layers[1].forward(layer.forward(x, initial_state=state)),
                window[:, 1:],
            )
            model.backward_parameters(d_logits)
            nn.clip_grad_norm(model.grads, config.max_grad_norm)
            optimizer.step(model.grads)
            state = dict(layer.final_state)
            losses.append(value)
            run.updates += 1
            if len(run.head) < HEAD:
                run.head.append(value)
        if not losses:
            break
        run.train_loss.append(float(np.mean(losses)))
        run.validation_perplexity.append(perplexity(model, validation))
        if report is not None:
            report(epoch, run.train_loss[-1], run.validation_perplexity[-1])
        if run.validation_perplexity[-1] < best[0]:
            best = (
                run.validation_perplexity[-1],
                {k: v.copy() for k, v in model.params.items()},
            )
            run.best_epoch = epoch
        if run.updates >= limit:
            break
    for name, array in best[1].items():
        model.params[name][...] = array
    run.seconds = time.perf_counter() - start
    return run


def sample(
    model: nn.Sequential,
    vocabulary: Vocabulary,
    prime: str,
    length: int,
    temperature: float,
    rng: np.random.Generator,
) -> str:
    """``length`` characters drawn one by one after reading ``prime``.

    Each character is drawn from softmax(logits / temperature): a temperature
    below 1 sharpens the distribution towards its likeliest characters, one
    above 1 flattens it.
    """
    if temperature <= 0:
        msg = f"the temperature must be positive, received {temperature}"
        raise ValueError(msg)
    layer = recurrent(model)
    with one_blas_thread():
        logits = logits_of(model, vocabulary.encode(prime)[None])[0, -1]
        state = dict(layer.final_state)
        drawn: list[int] = []
        for _ in range(length):
            scaled = logits.astype(np.float64) / temperature
            probability = np.exp(scaled - scaled.max())
            probability /= probability.sum()
            drawn.append(int(rng.choice(len(probability), p=probability)))
            logits = logits_of(model, np.array([[drawn[-1]]]), state)[0, -1]
            state = dict(layer.final_state)
    return vocabulary.decode(drawn)
