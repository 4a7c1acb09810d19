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

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from lstm_derive.errors import WeightsError
from lstm_derive.files import write_atomic
from lstm_derive.nn.layer import Array, Layer

SUFFIX = ".npz"
STRUCTURE = "lstm_derive.structure"
"""The entry of a weights file that describes the model (JSON in a 0-d array)."""
FORMAT = "lstm-derive weights 1"
SIZES = ("inputs", "hidden", "outputs")
"""The layer attributes recorded (when a layer has them) and compared on loading."""
STRUCTURE_LIMIT = 1 << 20
"""The largest model description read (bytes, unpacked): a real one is a few kB."""
HEADER_ALLOWANCE = 4096
"""Bytes an ``.npy`` entry may hold beyond its numbers (its header)."""


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
        backend = getattr(cell, "backend", None)
        if backend is not None:  # recorded, not compared: any backend loads it
            record["backend"] = str(backend.name)
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
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return write_atomic(target, buffer.getvalue())


def read(path: str | os.PathLike[str], layers: list[Layer]) -> None:
    """Load the weights at ``path`` into ``layers``: all of them, or none.

    Raises :class:`~lstm_derive.errors.WeightsError`, naming the file and the
    problem, for anything but a weights file of this very model with finite values.
    """
    source = weights_path(path)
    _compare(source, read_structure(source), layers)
    limits = {
        f"{k}.{name}": array.size * 8 + HEADER_ALLOWANCE
        for k, layer in enumerate(layers)
        for name, array in layer.params.items()
    }
    stored = _read_arrays(source, limits)
    stored.pop(STRUCTURE, None)
    converted = {
        f"{k}.{name}": _check_array(
            source, f"{k}.{name}", stored.get(f"{k}.{name}"), array
        )
        for k, layer in enumerate(layers)
        for name, array in layer.params.items()
    }
    for k, layer in enumerate(layers):  # everything checked: now copy
        for name, array in layer.params.items():
            array[...] = converted[f"{k}.{name}"]


def read_structure(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The model description recorded in a weights file (checked, not compared)."""
    source = weights_path(path)
    return _structure(source, _read_arrays(source, {}, only=STRUCTURE).get(STRUCTURE))


def _read_arrays(
    source: Path, limits: dict[str, int], only: str | None = None
) -> dict[str, Array]:
    """The arrays of the ``.npz`` at ``source`` (or just ``only``), read into memory.

    Before anything is unpacked, every entry's unpacked size is compared with what
    it may hold (``limits``: bytes per parameter key; the description
    :data:`STRUCTURE_LIMIT`): an archive that would unpack to more is refused
    without being unpacked.
    """
    if not source.is_file():
        msg = f"no weights file {source}"
        raise WeightsError(msg)
    _check_sizes(source, limits, only)
    try:
        with source.open("rb") as handle:  # closed whatever np.load makes of it
            loaded = np.load(handle, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                msg = (
                    f"{source}: a single NumPy array (.npy), not a weights file (.npz)"
                )
                raise WeightsError(msg)
            with loaded:
                names = [n for n in loaded.files if only is None or n == only]
                return {name: np.asarray(loaded[name]) for name in names}
    except WeightsError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        msg = f"{source}: not a weights file ({_reason(error)})"
        raise WeightsError(msg) from None
    except Exception as error:  # noqa: BLE001 (any damage inside the archive)
        msg = f"{source}: not a readable weights file ({_reason(error)})"
        raise WeightsError(msg) from None


def _check_sizes(source: Path, limits: dict[str, int], only: str | None) -> None:
    """Refuse entries that would unpack to more than their limit (a zip bomb)."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return  # not a zip archive: np.load says what it is
    for entry in entries:
        key = entry.filename.removesuffix(".npy")
        if only is not None and key != only:
            continue
        limit = STRUCTURE_LIMIT if key == STRUCTURE else limits.get(key)
        if limit is None:
            msg = f"{source}: unexpected entry {key!r} beside the described ones"
            raise WeightsError(msg)
        if entry.file_size > limit and key == STRUCTURE:
            msg = (
                f"{source}: its model description is too large ({entry.file_size} "
                f"bytes unpacked, at most {limit}): refused unread"
            )
            raise WeightsError(msg)
        if entry.file_size > limit:
            msg = (
                f"{source}: entry {key!r} unpacks to {entry.file_size} bytes, more "
                f"than the {limit} it can hold: refused"
            )
            raise WeightsError(msg)


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
        if not isinstance(structure, dict):
            raise TypeError
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
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
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


def _check_array(source: Path, key: str, stored: Array | None, param: Array) -> Array:
    """One stored array, checked and converted to the parameter's dtype.

    Present, real floating point, the right shape, and finite *after* the
    conversion (a float64 1e39 is infinity in float32).
    """
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
    with np.errstate(over="ignore"):
        converted = stored.astype(param.dtype)
    if not np.isfinite(converted).all():
        problem = (
            f"overflows {param.dtype}"
            if np.isfinite(stored).all()
            else "holds NaN or infinity"
        )
        msg = f"{source}: parameter {key} {problem}: refused"
        raise WeightsError(msg)
    return converted
