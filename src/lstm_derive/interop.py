"""Convert batch-first ``torch.nn.LSTM``/``GRU``/``RNN`` to and from layers.

``from_torch(module)`` returns layers that compute the same function with the same
weights: a :class:`~lstm_derive.nn.Recurrent` for one layer in one direction,
otherwise a :class:`~lstm_derive.nn.Sequential` with one
:class:`~lstm_derive.nn.Recurrent` (or :class:`~lstm_derive.nn.Bidirectional`)
per torch layer. ``to_torch(layers)`` goes back.

torch stacks the gate blocks as rows of ``weight_ih_l<k> [G*H, I]`` and
``weight_hh_l<k> [G*H, H]`` in its own order (LSTM: i, f, g, o; GRU: r, z, n), the
reverse direction's as ``..._l<k>_reverse``; the cells here stack them as columns
of ``W_x [I, G*H]`` and ``W_h [H, G*H]`` in the spec's order. Where the cell keeps
one bias for torch's two (LSTM, RNN), ``b_x`` is their sum and ``to_torch`` puts
it in ``bias_ih`` with ``bias_hh`` zero. torch's final states ``h_n`` (and
``c_n``), [layers * directions, B, H], are each layer's ``final_state`` in the
order layer 0 forward, layer 0 backward, layer 1 forward, ... torch is imported
only here, only when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_derive.nn.bidirectional import Bidirectional
from lstm_derive.nn.checks import check_finite
from lstm_derive.nn.layer import Array, Layer
from lstm_derive.nn.recurrent import Recurrent
from lstm_derive.nn.sequential import Sequential

# torch class -> (cell name, torch's gate order in the cell's block names)
_TORCH_GATES = {
    "LSTM": ("lstm", ("i", "f", "g", "o")),
    "GRU": ("gru", ("r", "u", "n")),
    "RNN": ("rnn", ("h",)),
}
_KINDS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN", "rnn_relu": "RNN"}


def _check(module: Any) -> tuple[str, tuple[str, ...]]:
    kind = type(module).__name__
    if kind not in _TORCH_GATES:
        msg = f"from_torch: expected torch.nn.LSTM, GRU or RNN, received {kind}"
        raise TypeError(msg)
    problems = []
    if not module.batch_first:
        problems.append("batch_first=False (batch-first only)")
    if not module.bias:
        problems.append("bias=False")
    if getattr(module, "proj_size", 0):
        problems.append(f"proj_size={module.proj_size}")
    if module.num_layers > 1 and module.dropout:
        problems.append(f"dropout={module.dropout} between layers")
    if problems:
        msg = f"from_torch: {kind} with " + ", ".join(problems) + " is not supported"
        raise ValueError(msg)
    cell, order = _TORCH_GATES[kind]
    if kind == "RNN" and module.nonlinearity == "relu":
        cell = "rnn_relu"
    return cell, order


def _columns(rows: Array, order: tuple[str, ...], blocks: tuple[str, ...]) -> Array:
    """torch's stacked rows [G*H, n] in ``order`` -> columns [n, G*H] in ``blocks``."""
    parts = dict(zip(order, np.split(rows, len(order), axis=0), strict=True))
    return np.concatenate([parts[b] for b in blocks], axis=0).T


def _rows(columns: Array, order: tuple[str, ...], blocks: tuple[str, ...]) -> Array:
    """The inverse of :func:`_columns`."""
    parts = dict(zip(blocks, np.split(columns.T, len(blocks), axis=0), strict=True))
    return np.concatenate([parts[b] for b in order], axis=0)


def _numpy_weights(module: Any) -> dict[str, Array]:
    """Every parameter of ``module`` as a NumPy copy: float32 or float64, finite.

    Another dtype (bfloat16, float16, ...) is refused rather than converted; so is
    a NaN or infinite weight, naming it.
    """
    kind = type(module).__name__
    weights: dict[str, Array] = {}
    for name, tensor in module.named_parameters():
        dtype = str(tensor.dtype).removeprefix("torch.")
        if dtype not in ("float32", "float64"):
            msg = (
                f"from_torch: {kind}.{name} is {dtype}; float32 or float64 weights "
                "only (convert with module.float() or module.double())"
            )
            raise ValueError(msg)
        weights[name] = tensor.detach().cpu().numpy().copy()
    dtypes = {array.dtype for array in weights.values()}
    if len(dtypes) > 1:
        msg = f"from_torch: {kind} mixes weight dtypes {sorted(map(str, dtypes))}"
        raise ValueError(msg)
    for name, array in weights.items():
        check_finite(f"from_torch({kind})", name, array)
    return weights


def _layer(
    cell: str,
    order: tuple[str, ...],
    weights: dict[str, Array],
    suffix: str,
    sizes: tuple[int, int],
    return_sequences: bool,
) -> Recurrent:
    """One direction of one torch layer (``suffix`` ``l0``, ``l1_reverse``, ...)."""
    inputs, hidden = sizes
    dtype = weights[f"weight_ih_{suffix}"].dtype
    layer = Recurrent(
        cell, inputs=inputs, hidden=hidden, rng=np.random.default_rng(0),
        return_sequences=return_sequences, dtype=dtype,
    )  # fmt: skip
    blocks = layer.cell.gates
    new = {
        "W_x": _columns(weights[f"weight_ih_{suffix}"], order, blocks),
        "W_h": _columns(weights[f"weight_hh_{suffix}"], order, blocks),
    }
    bias_ih = _columns(weights[f"bias_ih_{suffix}"][:, None], order, blocks)[0]
    bias_hh = _columns(weights[f"bias_hh_{suffix}"][:, None], order, blocks)[0]
    if "b_h" in layer.params:
        new |= {"b_x": bias_ih, "b_h": bias_hh}
    else:
        new["b_x"] = bias_ih + bias_hh
    for name, value in new.items():
        layer.params[name][...] = value
    return layer


def from_torch(module: Any, *, return_sequences: bool = True) -> Layer:
    """Layers computing what ``module`` computes, with its weights (a copy).

    A :class:`Recurrent` for one layer in one direction; otherwise a
    :class:`Sequential` of one :class:`Recurrent` or :class:`Bidirectional` per
    torch layer (``return_sequences`` applies to the last).
    """
    cell, order = _check(module)
    weights = _numpy_weights(module)
    hidden, layers = module.hidden_size, []
    directions = 2 if module.bidirectional else 1
    for k in range(module.num_layers):
        inputs = module.input_size if k == 0 else directions * hidden
        last = return_sequences or k < module.num_layers - 1
        made = [
            _layer(cell, order, weights, f"l{k}{suffix}", (inputs, hidden), last)
            for suffix in ("", "_reverse")[:directions]
        ]
        layers.append(Bidirectional(*made) if directions == 2 else made[0])
    if len(layers) == 1 and isinstance(layers[0], Recurrent):
        return layers[0]
    return Sequential(*layers)


def to_torch(layers: Layer) -> Any:
    """A ``torch.nn`` module computing what ``layers`` compute, with their weights.

    ``layers``: a :class:`Recurrent`, a :class:`Bidirectional`, or a
    :class:`Sequential` of them, all on one torch cell (lstm, gru, rnn, rnn_relu),
    of one hidden size, all bidirectional or none.
    """
    import torch  # noqa: PLC0415 (optional dependency)

    stack = layers.layers if isinstance(layers, Sequential) else [layers]
    directions = [
        list(layer.layers.values()) if isinstance(layer, Bidirectional) else [layer]
        for layer in stack
    ]
    flat = [layer for pair in directions for layer in pair]
    if not flat or not all(isinstance(layer, Recurrent) for layer in flat):
        msg = "to_torch: expected Recurrent or Bidirectional layers (in a Sequential)"
        raise ValueError(msg)
    recurrent: list[Recurrent] = [
        layer for layer in flat if isinstance(layer, Recurrent)
    ]
    names = {layer.cell.name for layer in recurrent}
    if len(names) != 1 or next(iter(names)) not in _KINDS:
        msg = f"to_torch: torch has no stack like {sorted(names)} (it has {', '.join(_KINDS)})"
        raise ValueError(msg)
    if (
        len({len(pair) for pair in directions}) != 1
        or len({layer.hidden for layer in recurrent}) != 1
    ):
        msg = "to_torch: every layer must have one hidden size and one direction count"
        raise ValueError(msg)
    first = recurrent[0]
    cell, bidirectional = first.cell.name, len(directions[0]) == 2
    kind = _KINDS[cell]
    extra = {"nonlinearity": "relu"} if cell == "rnn_relu" else {}
    module = getattr(torch.nn, kind)(
        first.inputs, first.hidden, num_layers=len(stack), batch_first=True,
        bidirectional=bidirectional, **extra,
    )  # fmt: skip
    module = module.double() if first.dtype == np.float64 else module.float()
    order = _TORCH_GATES[kind][1]
    values: dict[str, Array] = {}
    by_layer = iter(recurrent)
    for k, pair in enumerate(directions):
        for _, suffix in zip(pair, ("", "_reverse"), strict=False):
            layer = next(by_layer)
            blocks, params = layer.cell.gates, layer.params
            zero = np.zeros_like(params["b_x"])
            values |= {
                f"weight_ih_l{k}{suffix}": _rows(params["W_x"], order, blocks),
                f"weight_hh_l{k}{suffix}": _rows(params["W_h"], order, blocks),
                f"bias_ih_l{k}{suffix}": _rows(params["b_x"][None, :], order, blocks)[
                    :, 0
                ],
                f"bias_hh_l{k}{suffix}": _rows(
                    params.get("b_h", zero)[None, :], order, blocks
                )[:, 0],
            }
    with torch.no_grad():
        for name, value in values.items():
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module
