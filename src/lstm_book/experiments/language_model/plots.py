"""Figures of the language models (matplotlib), each drawn in English or Chinese."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from lstm_book.experiments.language_model.record import Record
from lstm_book.site.language import Language, figure_fonts

WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "epoch": "epoch (one pass over the training text)",
        "perplexity": "validation perplexity",
        "train": "training cross-entropy (nats per character)",
        "bigram": "bigram",
        "best": "best epoch",
    },
    "zh": {
        "epoch": "轮次（遍历一次训练文本）",
        "perplexity": "验证困惑度",
        "train": "训练交叉熵（每个字符，奈特）",
        "bigram": "二元模型",
        "best": "最佳轮次",
    },
}
STYLE = {"rnn": "C0", "lstm": "C1", "gru": "C2"}


def curves_figure(record: Record, language: Language) -> Figure:
    """Training cross-entropy and validation perplexity per epoch, for each cell."""
    words = WORDS[language]
    with figure_fonts():
        figure = Figure(figsize=(7.2, 3.2), layout="constrained")
        train, validation = figure.subplots(1, 2, sharex=True)
        for run in record.runs:
            color = STYLE.get(run.config.cell, "C3")
            epochs = np.arange(1, len(run.train_loss) + 1)
            label = run.config.cell.upper()
            train.plot(epochs, run.train_loss, color=color, label=label)
            validation.plot(epochs, run.validation_perplexity, color=color, label=label)
            best = run.validation_perplexity[run.best_epoch - 1]
            validation.plot([run.best_epoch], [best], "o", color=color)
        validation.axhline(
            record.bigram.validation_perplexity, color="0.4", linestyle=":",
            label=words["bigram"],
        )  # fmt: skip
        validation.set_yscale("log")
        ticks = [
            t for t in (3, 4, 5, 6, 8, 10, 15, 20, 30) if t <= validation.get_ylim()[1]
        ]
        validation.set_yticks(ticks, [str(t) for t in ticks])
        validation.minorticks_off()
        validation.set_ylabel(words["perplexity"])
        train.set_ylabel(words["train"])
        for axes in (train, validation):
            axes.set_xlabel(words["epoch"])
            axes.grid(alpha=0.3)
        validation.legend(loc="upper right")
    return figure
