"""Convert single-layer, batch-first ``torch.nn.LSTM``/``GRU``/``RNN`` to and from layers.

``from_torch(module)`` returns an :class:`lstm_derive.nn.Recurrent` that computes the
same function with the same weights; ``to_torch(layer)`` goes back. torch stacks the
gate blocks as rows of ``weight_ih [G*H, I]`` and ``weight_hh [G*H, H]`` in its own
order (LSTM: i, f, g, o; GRU: r, z, n); the cells here stack them as columns of
``W_x [I, G*H]`` and ``W_h [H, G*H]`` in the spec's order. Where the cell keeps one
bias for torch's two (LSTM, RNN), ``b_x`` is their sum and ``to_torch`` puts it in
``bias_ih`` with ``bias_hh`` zero. torch is imported only here, only when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_derive.nn.checks import check_finite
from lstm_derive.nn.layer import Array
from lstm_derive.nn.recurrent import Recurrent

# torch class -> (cell name, torch's gate order in the cell's block names)
_TORCH_GATES = {
    "LSTM": ("lstm", ("i", "f", "g", "o")),
    "GRU": ("gru", ("r", "u", "n")),
    "RNN": ("rnn", ("h",)),
}


def _check(module: Any) -> tuple[str, tuple[str, ...]]:
    kind = type(module).__name__
    if kind not in _TORCH_GATES:
        msg = f"from_torch: expected torch.nn.LSTM, GRU or RNN, received {kind}"
        raise TypeError(msg)
    problems = []
    if module.num_layers != 1:
        problems.append(f"num_layers={module.num_layers} (one layer only)")
    if not module.batch_first:
        problems.append("batch_first=False (batch-first only)")
    if module.bidirectional:
        problems.append("bidirectional=True")
    if not module.bias:
        problems.append("bias=False")
    if getattr(module, "proj_size", 0):
        problems.append(f"proj_size={module.proj_size}")
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


def from_torch(module: Any, *, return_sequences: bool = True) -> Recurrent:
    """A Recurrent layer computing what ``module`` computes, with its weights (a copy)."""
    cell, order = _check(module)
    weights = _numpy_weights(module)
    dtype = weights["weight_ih_l0"].dtype
    layer = Recurrent(
        cell,
        inputs=module.input_size,
        hidden=module.hidden_size,
        rng=np.random.default_rng(0),
        return_sequences=return_sequences,
        dtype=dtype,
    )
    blocks = layer.cell.gates
    new = {
        "W_x": _columns(weights["weight_ih_l0"], order, blocks),
        "W_h": _columns(weights["weight_hh_l0"], order, blocks),
    }
    bias_ih = _columns(weights["bias_ih_l0"][:, None], order, blocks)[0]
    bias_hh = _columns(weights["bias_hh_l0"][:, None], order, blocks)[0]
    if "b_h" in layer.params:
        new |= {"b_x": bias_ih, "b_h": bias_hh}
    else:
        new["b_x"] = bias_ih + bias_hh
    for name, value in new.items():
        layer.params[name][...] = value
    return layer


def to_torch(layer: Recurrent) -> Any:
    """A ``torch.nn`` module computing what ``layer`` computes, with its weights."""
    import torch  # noqa: PLC0415 (optional dependency)

    kinds = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN", "rnn_relu": "RNN"}
    if layer.cell.name not in kinds:
        msg = f"to_torch: torch has no cell like {layer.cell.name!r} (it has {', '.join(kinds)})"
        raise ValueError(msg)
    kind = kinds[layer.cell.name]
    extra = {"nonlinearity": "relu"} if layer.cell.name == "rnn_relu" else {}
    module = getattr(torch.nn, kind)(
        layer.inputs, layer.hidden, batch_first=True, **extra
    )
    module = module.double() if layer.dtype == np.float64 else module.float()
    order = _TORCH_GATES[kind][1]
    blocks = layer.cell.gates
    params = layer.params
    zero = np.zeros_like(params["b_x"])
    values = {
        "weight_ih_l0": _rows(params["W_x"], order, blocks),
        "weight_hh_l0": _rows(params["W_h"], order, blocks),
        "bias_ih_l0": _rows(params["b_x"][None, :], order, blocks)[:, 0],
        "bias_hh_l0": _rows(params.get("b_h", zero)[None, :], order, blocks)[:, 0],
    }
    with torch.no_grad():
        for name, value in values.items():
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module
