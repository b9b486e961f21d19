"""A trained model on disk: round trip, atomic writes, no pickle, and refusal of damaged folders."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from hfx.model import Workspace
from hfx.nlu.errors import ModelFileError
from hfx.nlu.model import NluModel

TEXTS = ["refund for the crème brûlée", "hi", "billing question about A12345 in NYC"]


def copy_of(saved: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(saved, folder)
    return folder


def rewrite_json(folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Edit model.json and re-seal its checksum (what a careless or malicious edit could do)."""
    doc = json.loads((folder / "model.json").read_text())
    change(doc)
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    doc["checksum"] = hashlib.sha256(canonical).hexdigest()
    (folder / "model.json").write_text(json.dumps(doc))


def test_round_trip_keeps_id_and_answers(small_model: NluModel, saved_small: Path) -> None:
    loaded = NluModel.load(saved_small)
    assert (loaded.id, loaded.name, loaded.settings, loaded.intent_count, loaded.example_count) == (
        small_model.id,
        small_model.name,
        small_model.settings,
        small_model.intent_count,
        small_model.example_count,
    )
    assert loaded.predict(TEXTS, top_k=3) == small_model.predict(TEXTS, top_k=3)
    assert loaded.entity_names == small_model.entity_names
    assert loaded.memory_bytes() > 0


def test_crf_models_round_trip(flights: Workspace, tmp_path: Path) -> None:
    model = NluModel.train(flights)
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["arrays.npz", "entities.crfsuite", "model.json"]
    text = ["fly to Berlin from Rome tomorrow"]
    assert NluModel.load(tmp_path / "m").predict(text) == model.predict(text)


def test_folder_holds_json_and_plain_arrays_only(saved_small: Path) -> None:
    assert sorted(p.name for p in saved_small.iterdir()) == ["arrays.npz", "model.json"]
    with np.load(saved_small / "arrays.npz", allow_pickle=False) as npz:
        assert all(npz[name].dtype == np.float32 for name in npz.files)
    assert not list(saved_small.parent.glob(".*tmp"))  # no temporary folder left behind


def test_a_pickled_array_is_refused_even_with_a_valid_checksum(saved_small: Path, tmp_path: Path) -> None:
    folder = copy_of(saved_small, tmp_path)
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["bias"] = np.array([{"boom": 1}], dtype=object)  # loading this needs pickle
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (folder / "arrays.npz").write_bytes(buffer.getvalue())
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()
    rewrite_json(folder, lambda doc: doc["files"].update({"arrays.npz": digest}))
    with pytest.raises(ModelFileError, match="arrays.npz"):
        NluModel.load(folder)


@pytest.mark.parametrize(
    "damage",
    [
        "no model.json",
        "no arrays",
        "truncated arrays",
        "edited json",
        "other version",
        "not json",
        "empty folder",
        "resealed wrong shapes",
    ],
)
def test_damaged_folders_are_model_file_errors(saved_small: Path, tmp_path: Path, damage: str) -> None:
    folder = copy_of(saved_small, tmp_path)
    model_json, arrays = folder / "model.json", folder / "arrays.npz"
    if damage == "no model.json":
        model_json.unlink()
    elif damage == "no arrays":
        arrays.unlink()
    elif damage == "truncated arrays":
        arrays.write_bytes(arrays.read_bytes()[:1000])
    elif damage == "edited json":
        model_json.write_text(model_json.read_text().replace('"billing/refund"', '"billing/refunds"'))
    elif damage == "other version":
        rewrite_json(folder, lambda doc: doc.update(format_version=999))
    elif damage == "not json":
        model_json.write_bytes(b"\x00\x01{")
    elif damage == "empty folder":
        for p in folder.iterdir():
            p.unlink()
    elif damage == "resealed wrong shapes":
        rewrite_json(folder, lambda doc: doc["intents"].pop())
    with pytest.raises(ModelFileError):
        NluModel.load(folder)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no model folder"):
        NluModel.load(tmp_path / "nothing")


def test_save_never_writes_over_a_folder(small_model: NluModel, tmp_path: Path) -> None:
    target = tmp_path / "m"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        small_model.save(target)
    assert (target / "keep.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileExistsError):
        small_model.save(empty)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "m"]


def test_a_failed_save_leaves_nothing(small_model: NluModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hfx.nlu.storage as storage

    def broken(*_: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "_arrays_bytes", broken)
    with pytest.raises(OSError):
        small_model.save(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []
