"""Weights files: a model's parameters and a description of the model, in one ``.npz``.

Besides every parameter (keyed ``"<layer index>.<name>"``), the file holds the
entry :data:`STRUCTURE`: a JSON text, stored as a 0-d unicode array (read with
``allow_pickle=False``), that describes each layer: its kind, for a recurrent layer
its cell, inputs and hidden size, for a dense layer its inputs and outputs, and the
name and shape of every parameter. Loading compares that description with the
model and refuses a mismatch by name ("weights are for cell 'rnn', this model's
layer 0 is 'lstm'").

* :func:`weights_path` is the one place a name becomes a file name (``.npz`` added
  when missing), for saving, loading and the command line's messages;
* :func:`write` saves atomically: a temporary file in the same folder, renamed over
  the final name only once it is complete;
* :func:`read` validates everything (the file, the description, every array's
  shape, dtype and finiteness) into temporaries before anything is copied: it
  loads all the weights or none.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from lstm_derive.errors import WeightsError
from lstm_derive.nn.layer import Array, Layer

SUFFIX = ".npz"
STRUCTURE = "lstm_derive.structure"
"""The entry of a weights file that describes the model (JSON in a 0-d array)."""
FORMAT = "lstm-derive weights 1"
SIZES = ("inputs", "hidden", "outputs")
"""The layer attributes recorded (when a layer has them) and compared on loading."""


def weights_path(path: str | os.PathLike[str]) -> Path:
    """The file a weights name stands for: ``path``, with ``.npz`` added if missing."""
    resolved = Path(path)
    if resolved.suffix != SUFFIX:
        resolved = resolved.with_name(resolved.name + SUFFIX)
    return resolved


def describe_layer(layer: Layer) -> dict[str, Any]:
    """Kind, cell (recurrent layers), sizes and parameter shapes of one layer."""
    record: dict[str, Any] = {"kind": type(layer).__name__}
    cell = getattr(layer, "cell", None)
    if cell is not None:
        record["cell"] = str(cell.name)
    for size in SIZES:
        if isinstance(getattr(layer, size, None), int):
            record[size] = getattr(layer, size)
    dtype = getattr(layer, "dtype", None)
    if dtype is not None:  # recorded, not compared: loading converts
        record["dtype"] = str(dtype)
    record["params"] = {name: list(array.shape) for name, array in layer.params.items()}
    return record


def describe(layers: list[Layer]) -> dict[str, Any]:
    """The description of a model stored in its weights file."""
    return {"format": FORMAT, "layers": [describe_layer(layer) for layer in layers]}


def write(path: str | os.PathLike[str], layers: list[Layer]) -> Path:
    """Save every layer's parameters and the model's description; return the file.

    Non-finite parameters are refused. The file appears under its final name only
    when complete (written to a temporary file in the same folder, then renamed).
    """
    target = weights_path(path)
    arrays: dict[str, Array] = {}
    for k, layer in enumerate(layers):
        for name, array in layer.params.items():
            if not np.isfinite(array).all():
                msg = f"cannot save {target}: layer {k}'s {name} is not finite"
                raise WeightsError(msg)
            arrays[f"{k}.{name}"] = array
    arrays[STRUCTURE] = np.array(json.dumps(describe(layers)))
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read(path: str | os.PathLike[str], layers: list[Layer]) -> None:
    """Load the weights at ``path`` into ``layers``: all of them, or none.

    Raises :class:`~lstm_derive.errors.WeightsError`, naming the file and the
    problem, for anything but a weights file of this very model with finite values.
    """
    source = weights_path(path)
    stored = _read_arrays(source)
    structure = _structure(source, stored.pop(STRUCTURE, None))
    _compare(source, structure, layers)
    expected = {
        f"{k}.{name}" for k, layer in enumerate(layers) for name in layer.params
    }
    unexpected = sorted(set(stored) - expected)
    if unexpected:
        msg = f"{source}: unexpected entries {unexpected} beside the described ones"
        raise WeightsError(msg)
    for k, layer in enumerate(layers):
        for name, array in layer.params.items():
            _check_array(source, f"{k}.{name}", stored.get(f"{k}.{name}"), array)
    for k, layer in enumerate(layers):  # everything checked: now copy
        for name, array in layer.params.items():
            array[...] = stored[f"{k}.{name}"]


def read_structure(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The model description recorded in a weights file (checked, not compared)."""
    source = weights_path(path)
    return _structure(source, _read_arrays(source).get(STRUCTURE))


def _read_arrays(source: Path) -> dict[str, Array]:
    """Every array of the ``.npz`` at ``source``, read into memory."""
    if not source.is_file():
        msg = f"no weights file {source}"
        raise WeightsError(msg)
    try:
        with source.open("rb") as handle:  # closed whatever np.load makes of it
            loaded = np.load(handle, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                msg = (
                    f"{source}: a single NumPy array (.npy), not a weights file (.npz)"
                )
                raise WeightsError(msg)
            with loaded:
                return {name: np.asarray(loaded[name]) for name in loaded.files}
    except WeightsError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        msg = f"{source}: not a weights file ({_reason(error)})"
        raise WeightsError(msg) from None
    except Exception as error:  # noqa: BLE001 (any damage inside the archive)
        msg = f"{source}: not a readable weights file ({_reason(error)})"
        raise WeightsError(msg) from None


def _reason(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def _structure(source: Path, entry: Array | None) -> dict[str, Any]:
    """The parsed description, or a WeightsError saying what is wrong with it."""
    if entry is None:
        msg = (
            f"{source}: no model description inside "
            "(not saved by lstm-derive's Sequential.save)"
        )
        raise WeightsError(msg)
    try:
        if entry.ndim != 0 or entry.dtype.kind != "U":
            raise TypeError
        structure = json.loads(str(entry[()]))
        layers = structure["layers"]
        if structure.get("format") != FORMAT or not isinstance(layers, list):
            raise TypeError
        for layer in layers:
            if not isinstance(layer["kind"], str) or not all(
                isinstance(name, str)
                and isinstance(shape, list)
                and all(isinstance(size, int) for size in shape)
                for name, shape in layer["params"].items()
            ):
                raise TypeError
    except (TypeError, ValueError, KeyError, AttributeError):
        msg = f"{source}: its model description is damaged or of another format"
        raise WeightsError(msg) from None
    return dict(structure)


def _compare(source: Path, structure: dict[str, Any], layers: list[Layer]) -> None:
    """Refuse weights of another model, naming the first difference."""
    saved = structure["layers"]
    if len(saved) != len(layers):
        msg = (
            f"{source}: weights are for {len(saved)} layers "
            f"({', '.join(layer['kind'] for layer in saved)}), this model has "
            f"{len(layers)} ({', '.join(type(layer).__name__ for layer in layers)})"
        )
        raise WeightsError(msg)
    for k, (record, layer) in enumerate(zip(saved, layers, strict=True)):
        mine = describe_layer(layer)
        if record["kind"] != mine["kind"]:
            msg = (
                f"{source}: weights are for a {record['kind']} layer {k}, this "
                f"model's layer {k} is {layer!r}"
            )
            raise WeightsError(msg)
        if record.get("cell") != mine.get("cell"):
            msg = (
                f"{source}: weights are for cell {record.get('cell')!r}, this "
                f"model's layer {k} is {mine.get('cell')!r}"
            )
            raise WeightsError(msg)
        for size in SIZES:
            if record.get(size) != mine.get(size):
                msg = (
                    f"{source}: weights are for {size}={record.get(size)} in layer "
                    f"{k}, this model's layer {k} is {layer!r}"
                )
                raise WeightsError(msg)
        if record["params"] != mine["params"]:
            msg = (
                f"{source}: layer {k} ({layer!r}) expects parameters "
                f"{_shapes(mine['params'])}, the file has {_shapes(record['params'])}"
            )
            raise WeightsError(msg)


def _shapes(params: dict[str, list[int]]) -> str:
    return (
        ", ".join(f"{name} {tuple(shape)}" for name, shape in params.items()) or "none"
    )


def _check_array(source: Path, key: str, stored: Array | None, param: Array) -> None:
    """One stored array: present, real floating point, the right shape, finite."""
    if stored is None:
        msg = f"{source}: parameter {key} is missing"
        raise WeightsError(msg)
    if stored.dtype.kind != "f":
        msg = f"{source}: parameter {key} holds {stored.dtype} values, not real floats"
        raise WeightsError(msg)
    if stored.shape != param.shape:
        msg = (
            f"{source}: expected {key} of shape {param.shape}, received {stored.shape}"
        )
        raise WeightsError(msg)
    if not np.isfinite(stored).all():
        msg = f"{source}: parameter {key} holds NaN or infinity: refused"
        raise WeightsError(msg)
