"""Weights files: one name, all or nothing, the model recorded, clean errors, atomic."""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lstm_derive import nn
from lstm_derive.errors import ShapeError, WeightsError
from lstm_derive.nn import weights


def model(cell: str = "lstm", seed: int = 0, hidden: int = 4) -> nn.Sequential:
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Recurrent(cell, inputs=3, hidden=hidden, rng=rng),
        nn.Tanh(),
        nn.Dense(hidden, 2, rng=rng),
    )


def snapshot(m: nn.Sequential) -> dict[str, np.ndarray[Any, Any]]:
    return {name: array.copy() for name, array in m.params.items()}


def assert_unchanged(m: nn.Sequential, before: dict[str, np.ndarray[Any, Any]]) -> None:
    for name, array in m.params.items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


def entries(path: Path) -> dict[str, np.ndarray[Any, Any]]:
    with np.load(path, allow_pickle=False) as saved:
        return {name: saved[name] for name in saved.files}


def test_the_name_given_is_the_file_saved_and_loaded(tmp_path: Path) -> None:
    source = model(seed=1)
    written = source.save(tmp_path / "myweights")
    assert written == tmp_path / "myweights.npz"
    assert written.is_file()
    assert not (tmp_path / "myweights").exists()
    target = model(seed=2)
    target.load(tmp_path / "myweights")  # the same name reads the same file
    target.load(str(written))
    assert_unchanged(target, snapshot(source))
    assert weights.weights_path("a.b") == Path("a.b.npz")
    assert weights.weights_path("w.npz") == Path("w.npz")


def test_the_file_records_the_model_as_json_in_a_unicode_scalar(tmp_path: Path) -> None:
    path = model().save(tmp_path / "w.npz")
    entry = entries(path)[weights.STRUCTURE]
    assert entry.ndim == 0
    assert entry.dtype.kind == "U"
    layers = json.loads(str(entry[()]))["layers"]
    assert [layer["kind"] for layer in layers] == ["Recurrent", "Tanh", "Dense"]
    assert layers[0]["cell"] == "lstm"
    assert (layers[0]["inputs"], layers[0]["hidden"]) == (3, 4)
    recurrent = model().layers[0]
    assert layers[0]["params"] == {
        name: list(array.shape) for name, array in recurrent.params.items()
    }


def test_weights_of_another_cell_are_refused_by_name(tmp_path: Path) -> None:
    """lstm and peephole_lstm have four gates each: the shapes alone would not tell."""
    path = model("lstm").save(tmp_path / "lstm.npz")
    other = model("lstm_no_output_tanh")
    before = snapshot(other)
    with pytest.raises(
        WeightsError,
        match="weights are for cell 'lstm', this model's layer 0 is "
        "'lstm_no_output_tanh'",
    ):
        other.load(path)
    assert_unchanged(other, before)
    with pytest.raises(WeightsError, match="hidden=4 in layer 0"):
        model("lstm", hidden=5).load(path)


def rewrite(path: Path, **changes: np.ndarray[Any, Any]) -> None:
    """Write ``path`` again with some of its arrays replaced (its description kept)."""
    arrays: dict[str, Any] = {**entries(path), **changes}
    np.savez(path, **arrays)


def test_loading_is_all_or_nothing(tmp_path: Path) -> None:
    source = model(seed=1)
    path = source.save(tmp_path / "w.npz")
    last = list(source.params)[-1]
    rewrite(path, **{last: np.zeros(7)})
    target = model(seed=2)
    before = snapshot(target)
    with pytest.raises(WeightsError, match=rf"expected {last} of shape \(2,\)"):
        target.load(path)
    assert_unchanged(target, before)  # the first layers were not overwritten either


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.nan, "NaN or infinity"),
        (np.inf, "NaN or infinity"),
        (1j, "complex128 values, not real floats"),
    ],
)
def test_non_finite_and_complex_weights_are_refused(
    tmp_path: Path, value: complex, message: str
) -> None:
    source = model(seed=1)
    path = source.save(tmp_path / "w.npz")
    first = next(iter(source.params))
    bad = source.params[first].astype(type(value) if value == 1j else float)
    bad.flat[3] = value
    rewrite(path, **{first: bad})
    target = model(seed=2)
    before = snapshot(target)
    with pytest.raises(WeightsError, match=message):
        target.load(path)
    assert_unchanged(target, before)


def test_non_finite_parameters_are_not_saved(tmp_path: Path) -> None:
    source = model()
    next(iter(source.params.values())).flat[0] = np.nan
    with pytest.raises(WeightsError, match="not finite"):
        source.save(tmp_path / "w.npz")
    assert list(tmp_path.iterdir()) == []


def broken_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.npz",
        "text": tmp_path / "text.npz",
        "npy": tmp_path / "array.npz",
        "plain npz": tmp_path / "plain.npz",
        "truncated": tmp_path / "truncated.npz",
    }
    files["empty"].write_bytes(b"")
    files["text"].write_text("weights: 1 2 3\n")
    with files["npy"].open("wb") as handle:
        np.save(handle, np.zeros(3))
    np.savez(files["plain npz"], x=np.zeros(3))
    good = model().save(tmp_path / "good.npz").read_bytes()
    files["truncated"].write_bytes(good[: len(good) // 2])
    return files


@pytest.mark.parametrize("kind", ["empty", "text", "npy", "plain npz", "truncated"])
def test_files_that_are_not_weights_give_one_clear_error(
    tmp_path: Path, kind: str
) -> None:
    path = broken_files(tmp_path)[kind]
    target = model()
    before = snapshot(target)
    with pytest.raises(WeightsError) as error:
        target.load(path)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)
    assert isinstance(error.value, ShapeError)
    assert_unchanged(target, before)


def test_an_interrupted_save_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = model(seed=1).save(tmp_path / "w.npz")
    old = path.read_bytes()

    def interrupted(file: Any, *_args: Any, **_kwargs: Any) -> None:
        file.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model(seed=2).save(path)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600))
def test_random_bytes_give_a_weights_error(tmp_path_factory: Any, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "random.npz"
    path.write_bytes(data)
    target = model()
    before = snapshot(target)
    with pytest.raises(WeightsError):
        target.load(path)
    assert_unchanged(target, before)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arrays=st.dictionaries(
        st.sampled_from(["0.weight", "0.bias", "2.weight", "2.bias", "x"]),
        hnp.arrays(
            dtype=st.sampled_from(
                [np.float64, np.float32, np.int64, np.complex128, np.bool_]
            ),
            shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
        ),
        max_size=4,
    ),
    keep_description=st.booleans(),
)
def test_random_small_arrays_give_a_weights_error(
    tmp_path_factory: Any, arrays: dict[str, Any], keep_description: bool
) -> None:
    """Arrays under the model's names (and others), with or without a description."""
    folder = tmp_path_factory.mktemp("arrays")
    path = model().save(folder / "w.npz")
    described: dict[str, Any] = entries(path) if keep_description else {}
    saved = {k: v for k, v in described.items() if k == weights.STRUCTURE}
    np.savez(path, **saved, **arrays)
    target = model()
    before = snapshot(target)
    with pytest.raises(WeightsError):
        target.load(path)
    assert_unchanged(target, before)


def test_a_zip_with_a_damaged_member_is_a_weights_error(tmp_path: Path) -> None:
    path = model().save(tmp_path / "w.npz")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("0.extra.npy", b"\x93NUMPY garbage")
    with pytest.raises(WeightsError):
        model().load(path)


def float32_model(seed: int = 0) -> nn.Sequential:
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Recurrent("lstm", inputs=3, hidden=4, rng=rng, dtype=np.float32),
        nn.Dense(4, 2, rng=rng, dtype=np.float32),
    )


def test_a_value_that_overflows_the_model_dtype_is_refused(tmp_path: Path) -> None:
    """Finiteness is checked after the cast: a float64 1e39 is inf in float32."""
    path = float32_model(seed=1).save(tmp_path / "w.npz")
    first = "0.W_x"
    bad = entries(path)[first].astype(np.float64)
    bad.flat[0] = 1e39
    rewrite(path, **{first: bad})
    target = float32_model(seed=2)
    before = snapshot(target)
    with pytest.raises(
        WeightsError, match=r"parameter 0\.W_x overflows float32: refused"
    ):
        target.load(path)
    assert_unchanged(target, before)


def with_description(path: Path, text: str) -> None:
    """Replace the description entry of a weights file by ``text``."""
    arrays: dict[str, Any] = {**entries(path), weights.STRUCTURE: np.array(text)}
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # nested deeper than json's recursion
        json.dumps({"format": weights.FORMAT, "layers": [], "pad": "x" * (2 << 20)}),
        '{"format": "lstm-derive weights 1", "layers": [{"kind": "Dense", "params": 3}]}',
        "[1, 2, 3]",
    ],
    ids=["deeply nested", "huge", "params not a dict", "not an object"],
)
def test_a_damaged_description_is_one_clear_error(tmp_path: Path, text: str) -> None:
    path = model().save(tmp_path / "w.npz")
    with_description(path, text)
    target = model(seed=3)
    before = snapshot(target)
    wanted = "its model description is (damaged|too large)"
    with pytest.raises(WeightsError, match=wanted) as error:
        target.load(path)
    assert "\n" not in str(error.value)
    assert_unchanged(target, before)
    with pytest.raises(WeightsError, match=wanted):
        weights.read_structure(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """An entry that unpacks to 400 MB (a 0.4 MB file) is refused unread."""
    source = model()
    path = source.save(tmp_path / "w.npz")
    arrays: dict[str, Any] = entries(path)
    arrays["0.W_x"] = np.zeros((50_000, 1000))  # 400 MB of zeros
    np.savez_compressed(path, **arrays)
    del arrays
    assert path.stat().st_size < 2_000_000
    target = model(seed=3)
    before = snapshot(target)
    tracemalloc.start()
    try:
        with pytest.raises(WeightsError, match=r"entry '0\.W_x' unpacks to 400000128"):
            target.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    assert_unchanged(target, before)
