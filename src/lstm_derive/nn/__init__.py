"""Stage 5 of the flow: a small training runtime on the generated cells.

Layers (:class:`Recurrent` on any generated cell, with initial states, lengths and
recurrent dropout; :class:`Bidirectional`; :class:`Dense`; :class:`Dropout`;
activations), :class:`Sequential` to stack them, losses, the SGD and Adam
optimizers with gradient-norm clipping, and ``.npz`` save/load. It imports NumPy
only.

>>> import numpy as np
>>> from lstm_derive import nn
>>> rng = np.random.default_rng(0)
>>> model = nn.Sequential(
...     nn.Recurrent("lstm", inputs=2, hidden=8, rng=rng, return_sequences=False),
...     nn.Dense(8, 1, rng=rng),
... )
>>> x = rng.standard_normal((4, 5, 2))
>>> model.forward(x).shape
(4, 1)
"""

from __future__ import annotations

from lstm_derive.nn.activations import Sigmoid, Tanh
from lstm_derive.nn.bidirectional import Bidirectional
from lstm_derive.nn.dense import Dense
from lstm_derive.nn.dropout import Dropout
from lstm_derive.nn.layer import Layer
from lstm_derive.nn.losses import (
    BCEWithLogits,
    Loss,
    MeanSquaredError,
    SoftmaxCrossEntropy,
    WeightedMeanSquaredError,
    place_value_weights,
)
from lstm_derive.nn.optim import SGD, Adam, Optimizer, clip_grad_norm, grad_norm
from lstm_derive.nn.recurrent import Recurrent
from lstm_derive.nn.sequential import Sequential
from lstm_derive.nn.training import minibatches, train_step

__all__ = [
    "SGD",
    "Adam",
    "BCEWithLogits",
    "Bidirectional",
    "Dense",
    "Dropout",
    "Layer",
    "Loss",
    "MeanSquaredError",
    "Optimizer",
    "Recurrent",
    "Sequential",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Tanh",
    "WeightedMeanSquaredError",
    "clip_grad_norm",
    "grad_norm",
    "minibatches",
    "place_value_weights",
    "train_step",
]
