"""How much gradient from a loss at the last step reaches each earlier step.

A loss reads only the last hidden state, ``L = u · h_T``. Backpropagation through
time carries ``∂L/∂h_t`` back one step at a time; in a plain RNN each step multiplies
it by ``W_h^T`` and by ``tanh'`` (at most 1), so its norm shrinks (or grows)
geometrically. The LSTM's cell state is updated additively,
``c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t``: along the cell state the gradient is only
multiplied by the forget gate, and with ``f = 1`` (the 1997 LSTM, no forget gate:
the *constant error carousel*) not at all. The GRU's state is an interpolation,
``h_t = (1 - u_t) ⊙ n_t + u_t ⊙ h_(t-1)``: with an update gate near 1 it passes on
unchanged too.

* :func:`all_norms` and :func:`norms_figure`: those curves for the cells;
* :func:`scaled_norms`: the plain RNN with ``W_h`` an orthogonal matrix times 0.5,
  1 or 2, in its linear range: the gradient shrinks, stays or explodes;
* :func:`clipping_run`: training with and without gradient-norm clipping;
* :func:`truncation_kept`: what truncated backpropagation through time keeps.

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
    """One curve: a cell, and the initial bias of one of its gates if set."""

    label: str
    cell: str
    gate_bias: tuple[tuple[str, float], ...] = ()


SETTINGS = (
    Setting("rnn", "rnn"),
    Setting("lstm", "lstm"),
    Setting("lstm, forget-gate bias 3", "lstm", (("f", 3.0),)),
    Setting("lstm without forget gate (1997)", "greff_nfg"),
    Setting("gru", "gru"),
    Setting("gru, update-gate bias 3", "gru", (("u", 3.0),)),
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
    layer = nn.Recurrent(
        setting.cell, inputs, hidden, rng=rng, gate_bias=dict(setting.gate_bias)
    )
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
    "gru": {"en": "GRU", "zh": "GRU"},
    "gru, update-gate bias 3": {
        "en": "GRU, update-gate bias 3",
        "zh": "GRU，更新门偏置为 3",
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


# --- the plain RNN with scaled recurrent weights ---------------------------------


def scaled_norms(
    scale: float, *, steps: int = 40, hidden: int = 32, batch: int = 16, seed: int = 0
) -> Array:
    """``‖∂L/∂h_t‖`` of a plain RNN whose ``W_h`` is ``scale`` times an orthogonal
    matrix (every singular value equal to ``scale``), kept in tanh's linear range
    (tiny inputs and input weights, no bias), for ``L = u · h_steps``."""
    rng = np.random.default_rng(seed)
    layer = nn.Recurrent("rnn", 1, hidden, rng=rng)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    layer.params["W_h"][...] = scale * orthogonal
    layer.params["W_x"][...] = 1e-6
    layer.params["b_x"][...] = 0.0
    x = 1e-6 * rng.standard_normal((batch, steps, 1))  # h stays below 1e-12 * 2^t
    states = {"h": np.zeros((batch, hidden))}
    hs, _, cache = layer.cell.forward(x, states, layer.params)
    d_hs = np.zeros_like(hs)
    d_hs[:, -1] = rng.standard_normal((batch, hidden)) / np.sqrt(hidden)
    trace: list[dict[str, Array]] = []
    bptt.backward(d_hs, cache, trace=trace)
    return np.asarray(
        [np.linalg.norm(step["h"], axis=1).mean() for step in reversed(trace)]
    )


SCALES = (0.5, 1.0, 2.0)
SCALE_AXES = {
    "en": (
        "step t",
        "gradient reaching $h_t$ (plain RNN)",
        "largest singular value of $W_h$",
    ),
    "zh": ("时间步 t", "传到 hₜ 的梯度（普通 RNN）", "W_h 的最大奇异值"),
}


def scaled_figure(norms: dict[float, Array], language: Language) -> FigureImage:
    """The curves of :func:`scaled_norms`, and the bound ``scale^(T - t)`` dashed."""
    with figure_fonts():
        figure = Figure(figsize=(7.5, 3.4), facecolor="white", layout="tight")
        ax = figure.subplots()
        xlabel, ylabel, legend = SCALE_AXES[language]
        for k, (scale, values) in enumerate(norms.items()):
            steps = np.arange(1, len(values) + 1)
            ax.semilogy(
                steps, values, lw=2, color=f"C{k}", label=f"{legend} = {scale:g}"
            )
            bound = values[-1] * scale ** (len(values) - steps)
            ax.semilogy(steps, bound, lw=1, ls="--", color=f"C{k}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.legend(fontsize=8, frameon=False)
    return FigureImage(figure, language)


# --- clipping --------------------------------------------------------------------


@dataclass(frozen=True)
class ClippingRun:
    """A short training run: its losses and gradient norms (before clipping)."""

    losses: list[float]
    norms: list[float]
    stopped: int | None  # the update whose step was not finite, if any


def clipping_run(
    max_grad_norm: float | None,
    *,
    updates: int = 80,
    scale: float = 2.0,
    learning_rate: float = 0.2,
    seed: int = 0,
) -> ClippingRun:
    """Train a plain RNN whose ``W_h`` starts at ``scale`` times an orthogonal matrix
    on the adding problem (T = 30) with SGD, clipping the gradient norm or not."""
    from lstm_book.experiments.tasks import adding  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    recurrent = nn.Recurrent("rnn", adding.INPUTS, 16, rng=rng, return_sequences=False)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((16, 16)))
    recurrent.params["W_h"][...] = scale * orthogonal
    model = nn.Sequential(recurrent, nn.Dense(16, 1, rng=rng))
    optimizer = nn.SGD(model.params, learning_rate)
    losses, norms = [], []
    for update in range(1, updates + 1):
        x, y = adding.adding_batch(32, 30, rng)
        value, d_prediction = nn.MeanSquaredError()(model.forward(x), y)
        model.backward_parameters(d_prediction)
        grads = model.grads
        losses.append(value)
        norms.append(nn.grad_norm(grads))
        if max_grad_norm is not None:
            nn.clip_grad_norm(grads, max_grad_norm)
        try:
            optimizer.step(grads)
        except ValueError:  # NonFiniteError: the step would leave the weights inf
            return ClippingRun(losses, norms, update)
    return ClippingRun(losses, norms, None)


# --- truncated backpropagation through time --------------------------------------


def truncation_kept(
    segment: int, *, steps: int = 60, hidden: int = 16, seed: int = 0
) -> tuple[float, float]:
    """Run an LSTM over ``steps`` steps in segments of ``segment`` (the state carried
    from one to the next), for a loss on the last step.

    Returns the largest difference between the segmented and the whole forward
    pass (0: carrying the state is exact), and the fraction of the gradient of
    ``W_h`` that truncated backpropagation keeps (the last segment's share,
    measured as the cosine between the truncated and the full gradient).
    """
    rng = np.random.default_rng(seed)
    layer = nn.Recurrent("lstm", 2, hidden, rng=rng, gate_bias={"f": 3.0})
    x = rng.standard_normal((4, steps, 2))
    weights = rng.standard_normal((4, hidden))
    whole = layer.forward(x)
    layer.backward(
        np.concatenate([np.zeros((4, steps - 1, hidden)), weights[:, None]], axis=1)
    )
    full = layer.grads["W_h"].copy()
    carried, outputs = None, []
    for start in range(0, steps, segment):
        outputs.append(
            layer.forward(x[:, start : start + segment], initial_state=carried)
        )
        carried = {s: v.copy() for s, v in layer.final_state.items()}
    d_last = np.zeros_like(outputs[-1])
    d_last[:, -1] = weights
    layer.backward(d_last)  # only within the last segment: the truncation
    truncated = layer.grads["W_h"]
    difference = float(np.max(np.abs(np.concatenate(outputs, axis=1) - whole)))
    cosine = float(
        np.sum(full * truncated) / (np.linalg.norm(full) * np.linalg.norm(truncated))
    )
    return difference, cosine
