"""Why gates: how much gradient from a loss at the last step reaches each earlier step.

A loss reads only the last hidden state, ``L = u · h_T``. Backpropagation through
time carries ``∂L/∂h_t`` back one step at a time; in a plain RNN each step multiplies
it by ``W_h^T`` and by ``tanh'`` (at most 1), so its norm shrinks geometrically. The
LSTM's cell state is updated additively, ``c_t = f_t c_{t-1} + i_t g_t``: along the
cell state the gradient is only multiplied by the forget gate, and with ``f = 1``
(the 1997 LSTM, no forget gate: the *constant error carousel*) not at all.

Everything here runs the generated cells through the one BPTT driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from lstm_book.site.language import FigureImage, Language, figure_fonts
from lstm_derive import nn
from lstm_derive.nn import bptt

Array = NDArray[Any]


@dataclass(frozen=True)
class Setting:
    """One curve: a cell, and the initial bias of its forget gate if it has one."""

    label: str
    cell: str
    forget_bias: float | None = None


SETTINGS = (
    Setting("rnn", "rnn"),
    Setting("lstm", "lstm"),
    Setting("lstm, forget-gate bias 3", "lstm", forget_bias=3.0),
    Setting("lstm without forget gate (1997)", "greff_nfg"),
)


def gradient_norms(
    setting: Setting,
    *,
    steps: int = 100,
    hidden: int = 32,
    inputs: int = 4,
    batch: int = 16,
    seed: int = 0,
) -> Array:
    """``‖∂L/∂h_t‖`` for t = 1..steps (mean over the batch), for ``L = u · h_steps``."""
    rng = np.random.default_rng(seed)
    gate_bias = None if setting.forget_bias is None else {"f": setting.forget_bias}
    layer = nn.Recurrent(setting.cell, inputs, hidden, rng=rng, gate_bias=gate_bias)
    x = rng.standard_normal((batch, steps, inputs))
    states = {s: np.zeros((batch, hidden)) for s in layer.cell.states}
    hs, _, cache = layer.cell.forward(x, states, layer.params)
    d_hs = np.zeros_like(hs)
    d_hs[:, -1] = rng.standard_normal((batch, hidden)) / np.sqrt(hidden)
    trace: list[dict[str, Array]] = []
    bptt.backward(d_hs, cache, trace=trace)
    norms = [np.linalg.norm(step["h"], axis=1).mean() for step in reversed(trace)]
    return np.asarray(norms)


def all_norms(**sizes: Any) -> dict[str, Array]:
    """The curve of every setting in :data:`SETTINGS`, by label."""
    return {s.label: gradient_norms(s, **sizes) for s in SETTINGS}


LABELS = {
    "rnn": {"en": "plain RNN", "zh": "普通 RNN"},
    "lstm": {"en": "LSTM", "zh": "LSTM"},
    "lstm, forget-gate bias 3": {
        "en": "LSTM, forget-gate bias 3",
        "zh": "LSTM，遗忘门偏置为 3",
    },
    "lstm without forget gate (1997)": {
        "en": "LSTM without forget gate (1997)",
        "zh": "无遗忘门的 LSTM（1997）",
    },
}
AXES = {
    "en": ("step t", "gradient reaching $h_t$ from a loss at step 100"),
    "zh": ("时间步 t", "第 100 步的损失传到 hₜ 的梯度"),
}


def norms_figure(norms: dict[str, Array], language: Language) -> FigureImage:
    """The curves of :func:`all_norms` on a log scale, labelled in ``language``."""
    with figure_fonts():
        figure = Figure(figsize=(7.5, 3.6), facecolor="white", layout="tight")
        ax = figure.subplots()
        ax.set_facecolor("white")
        for label, values in norms.items():
            steps = np.arange(1, len(values) + 1)
            ax.semilogy(steps, values, lw=2, label=LABELS[label][language])
        xlabel, ylabel = AXES[language]
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    return FigureImage(figure, language)
