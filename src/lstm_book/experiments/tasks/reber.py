"""The embedded Reber grammar (Hochreiter and Schmidhuber 1997, after Cleeremans et al.).

A Reber string walks the automaton below from ``B`` to ``E``; every state offers two
symbols, chosen with equal probability. The *embedded* grammar wraps one Reber
string as ``B T <reber> T E`` or ``B P <reber> P E``: the symbol before the last
``E`` repeats the second symbol, across the whole inner string. That is the long
time lag a network must bridge.

The task is next-symbol prediction: after each symbol the network scores every one
of the 7 symbols (a sigmoid each) and the target marks the symbols the grammar
allows next. A string is predicted when, at every step, exactly the allowed
successors are above the threshold 0.5.
"""

from __future__ import annotations

import numpy as np

from lstm_derive import nn
from lstm_derive.nn.layer import Array

SYMBOLS = "BTSXPVE"
"""The alphabet; one-hot channel k is ``SYMBOLS[k]``."""
THRESHOLD = 0.5
"""An output above this predicts its symbol as a possible successor."""

# The inner Reber automaton: state -> {symbol: next state}; 5 is the end.
_REBER: dict[int, dict[str, int]] = {
    0: {"T": 1, "P": 2},
    1: {"S": 1, "X": 3},
    2: {"T": 2, "V": 4},
    3: {"X": 2, "S": 5},
    4: {"P": 3, "V": 5},
    5: {"E": -1},
}


def reber_string(rng: np.random.Generator) -> str:
    """One string of the (inner) Reber grammar, ``B ... E``."""
    symbols, state = ["B"], 0
    while state != -1:
        choices = sorted(_REBER[state])
        symbol = choices[int(rng.integers(len(choices)))]
        symbols.append(symbol)
        state = _REBER[state][symbol]
    return "".join(symbols)


def embedded_reber_string(rng: np.random.Generator) -> str:
    """One string of the embedded grammar: ``B``, T or P, a Reber string, the same, ``E``."""
    branch = "TP"[int(rng.integers(2))]
    return f"B{branch}{reber_string(rng)}{branch}E"


def allowed_successors(string: str) -> list[frozenset[str]] | None:
    """The symbols the embedded grammar allows after each prefix ``string[:t + 1]``.

    Returns one set per symbol of ``string`` (the last is empty: nothing follows the
    final ``E``), or ``None`` when ``string`` is not an embedded Reber string.
    """
    allowed: list[frozenset[str]] = []
    branch = ""
    inner: int | None = None  # the inner automaton's state while inside it
    phase = "start"
    for symbol in string:
        if phase == "start":
            ok, phase = symbol == "B", "branch"
        elif phase == "branch":
            ok, branch, phase = symbol in "TP", symbol, "inner-B"
        elif phase == "inner-B":
            ok, inner, phase = symbol == "B", 0, "inner"
        elif phase == "inner":
            assert inner is not None
            ok = symbol in _REBER[inner]
            inner = _REBER[inner].get(symbol, 0)
            if ok and inner == -1:
                phase = "repeat"
        elif phase == "repeat":
            ok, phase = symbol == branch, "end"
        elif phase == "end":
            ok, phase = symbol == "E", "done"
        else:
            ok = False
        if not ok:
            return None
        allowed.append(_next_symbols(phase, inner, branch))
    return allowed if phase == "done" else None


def _next_symbols(phase: str, inner: int | None, branch: str) -> frozenset[str]:
    if phase == "branch":
        return frozenset("TP")
    if phase == "inner-B":
        return frozenset("B")
    if phase == "inner":
        assert inner is not None
        return frozenset(_REBER[inner])
    if phase == "repeat":
        return frozenset(branch)
    if phase == "end":
        return frozenset("E")
    return frozenset()


def is_embedded_reber(string: str) -> bool:
    """Whether ``string`` belongs to the embedded Reber grammar."""
    return allowed_successors(string) is not None


def encode(strings: list[str]) -> tuple[Array, Array, Array]:
    """Inputs, targets and mask for next-symbol prediction on ``strings``.

    Inputs [N, T, 7] one-hot every symbol but the last; targets [N, T, 7] mark the
    allowed successors after each input; mask [N, T] is 1 on real steps (shorter
    strings are padded with zeros at the end, which never reach earlier steps).
    """
    steps = max(len(s) for s in strings) - 1
    inputs = np.zeros((len(strings), steps, len(SYMBOLS)))
    targets = np.zeros_like(inputs)
    mask = np.zeros((len(strings), steps))
    for row, string in enumerate(strings):
        allowed = allowed_successors(string)
        if allowed is None:
            msg = f"not an embedded Reber string: {string!r}"
            raise ValueError(msg)
        for t, symbol in enumerate(string[:-1]):
            inputs[row, t, SYMBOLS.index(symbol)] = 1.0
            for successor in allowed[t]:
                targets[row, t, SYMBOLS.index(successor)] = 1.0
            mask[row, t] = 1.0
    return inputs, targets, mask


def strings_predicted(probabilities: Array, targets: Array, mask: Array) -> Array:
    """Per string: whether every real step has exactly the allowed symbols above
    :data:`THRESHOLD` ([N] booleans)."""
    right = (probabilities > THRESHOLD) == (targets > 0.5)
    step_right = right.all(axis=-1) | (mask == 0)
    result: Array = step_right.all(axis=1)
    return result


class MaskedBCEWithLogits(nn.Loss):
    """Binary cross-entropy on logits, averaged over the unmasked steps only.

    ``target`` is [N, T, 2 K]: the K targets, then the step mask repeated K times
    (so the loss keeps the ``loss(prediction, target)`` signature).
    """

    def __call__(self, prediction: Array, target: Array) -> tuple[float, Array]:
        """The mean loss over real steps and its gradient."""
        symbols = prediction.shape[-1]
        labels, mask = target[..., :symbols], target[..., symbols:]
        z = prediction
        loss = np.maximum(z, 0) - z * labels + np.log1p(np.exp(-np.abs(z)))
        count = float(mask.sum())
        probability = 0.5 * (1 + np.tanh(0.5 * z))
        return float((loss * mask).sum() / count), (probability - labels) * mask / count


def masked_targets(targets: Array, mask: Array) -> Array:
    """The ``target`` argument of :class:`MaskedBCEWithLogits`: targets, then mask."""
    repeated = np.repeat(mask[..., None], targets.shape[-1], axis=-1)
    return np.concatenate((targets, repeated), axis=-1)
