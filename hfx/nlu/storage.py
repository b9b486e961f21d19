"""A trained model on disk: ``model.json`` (settings, intents, vocabularies, entity lists, checksums),
``arrays.npz`` (numeric arrays, loaded with ``allow_pickle=False``) and, when the model has one, the entity CRF in
crfsuite's own binary format (``entities.crfsuite``). Never pickle.

A folder is written into a temporary sibling and renamed into place, so it appears complete or not at all.
Loading checks the format version and every file's SHA-256 recorded in ``model.json``; anything missing,
truncated, of another version or tampered with is a :class:`ModelFileError`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hfx.fileio import current_umask, fsync_folder
from hfx.nlu import embedder
from hfx.nlu.crf import CrfTagger
from hfx.nlu.entities import ListMatcher, RegexMatcher
from hfx.nlu.errors import ModelFileError, NluError
from hfx.nlu.features import FeatureSpace, NgramBlock
from hfx.nlu.parts import FORMAT_VERSION, Entities, Intents
from hfx.nlu.settings import TrainSettings
from hfx.nlu.softmax import SoftmaxWeights

if TYPE_CHECKING:
    from hfx.nlu.model import NluModel

FORMAT = "hfx-nlu-model"
MODEL_JSON = "model.json"
ARRAYS = "arrays.npz"
CRF = "entities.crfsuite"
_ARRAY_NAMES = ("dense_mean", "word_idf", "char_idf", "w_dense", "w_sparse", "bias")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _arrays_bytes(model: NluModel) -> bytes:
    f, w = model.intents.features, model.intents.weights
    buffer = io.BytesIO()
    np.savez(
        buffer,
        dense_mean=f.dense_mean,
        word_idf=f.word.idf,
        char_idf=f.char.idf,
        w_dense=w.dense,
        w_sparse=w.sparse,
        bias=w.bias,
    )
    return buffer.getvalue()


def _document(model: NluModel, files: dict[str, str]) -> dict[str, Any]:
    f = model.intents.features
    body = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "id": model.id,
        "name": model.name,
        "settings": model.settings.to_dict(),
        "example_count": model.example_count,
        "dimensions": embedder.DIMENSIONS,
        "entity_names": dict(sorted(model.entity_names.items())),
        "intents": [{"id": i, "name": n} for i, n in zip(model.intents.ids, model.intents.names, strict=True)],
        "features": {"dense_weight": f.dense_weight, "word": f.word.to_json(), "char": f.char.to_json()},
        "entities": {
            "list": model.entities.lists.to_json(),
            "regex": model.entities.regexes.to_json(),
            "crf": CRF if model.entities.crf is not None else None,
        },
        "files": files,
    }
    return {**body, "checksum": _sha256(_canonical(body))}


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def save_model(model: NluModel, folder: Path) -> None:
    if folder.exists() or folder.is_symlink():
        raise FileExistsError(17, "the model folder exists already", str(folder))
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        payload = {ARRAYS: _arrays_bytes(model)}
        if model.entities.crf is not None:
            payload[CRF] = model.entities.crf.data
        for name, data in payload.items():
            _fsync_write(tmp / name, data)
        doc = _document(model, {name: _sha256(data) for name, data in sorted(payload.items())})
        _fsync_write(tmp / MODEL_JSON, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        os.chmod(tmp, 0o755 & ~current_umask())
        os.rename(tmp, folder)  # fails if a folder appeared meanwhile and is not empty
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_folder(folder.parent)


# -- loading ------------------------------------------------------------------------------------------------------


def _read(folder: Path, name: str) -> bytes:
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"the model folder {folder.name!r} has no {name}") from None
    except OSError as exc:
        raise ModelFileError(f"cannot read {name} of the model {folder.name!r}: {exc.strerror}") from None


def _read_document(folder: Path) -> dict[str, Any]:
    try:
        doc = json.loads(_read(folder, MODEL_JSON).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{MODEL_JSON} of the model {folder.name!r} is not valid JSON (truncated?)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{folder.name!r} is not an hfx model folder")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"the model {folder.name!r} has format version {doc.get('format_version')!r}; "
            f"this hfx reads version {FORMAT_VERSION} (train it again)"
        )
    body = {k: v for k, v in doc.items() if k != "checksum"}
    if doc.get("checksum") != _sha256(_canonical(body)):
        raise ModelFileError(f"{MODEL_JSON} of the model {folder.name!r} does not match its checksum (modified?)")
    return doc


def _load_arrays(data: bytes, folder: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in _ARRAY_NAMES}
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"{ARRAYS} of the model {folder.name!r} cannot be read: {exc}") from None
    for name, array in arrays.items():
        if array.dtype != np.float32:
            raise ModelFileError(f"{ARRAYS} of the model {folder.name!r}: {name} is not float32")
    return arrays


def load_model(cls: type[NluModel], folder: Path) -> NluModel:
    if not folder.is_dir():
        raise ModelFileError(f"there is no model folder {folder.name!r}")
    doc = _read_document(folder)
    files = doc.get("files")
    if not isinstance(files, dict) or ARRAYS not in files:
        raise ModelFileError(f"{MODEL_JSON} of the model {folder.name!r} lists no {ARRAYS}")
    blobs = {}
    for name, digest in files.items():
        if name not in (ARRAYS, CRF):
            raise ModelFileError(f"{MODEL_JSON} of the model {folder.name!r} names an unknown file {name!r}")
        blobs[name] = _read(folder, name)
        if _sha256(blobs[name]) != digest:
            raise ModelFileError(
                f"{name} of the model {folder.name!r} does not match its checksum (truncated or modified)"
            )
    arrays = _load_arrays(blobs[ARRAYS], folder)
    try:
        settings = TrainSettings.from_dict(doc["settings"])
        feats = doc["features"]
        word = NgramBlock("word", tuple(feats["word"]["ngrams"]), list(feats["word"]["terms"]), arrays["word_idf"])
        char = NgramBlock("char_wb", tuple(feats["char"]["ngrams"]), list(feats["char"]["terms"]), arrays["char_idf"])
        features = FeatureSpace(float(feats["dense_weight"]), arrays["dense_mean"], word, char)
        ids = [str(i["id"]) for i in doc["intents"]]
        names = [str(i["name"]) for i in doc["intents"]]
        weights = SoftmaxWeights(arrays["w_dense"], arrays["w_sparse"], arrays["bias"])
        k = len(ids)
        if (
            weights.dense.shape != (embedder.DIMENSIONS, k)
            or weights.bias.shape != (k,)
            or weights.sparse.shape != (len(word.terms) + len(char.terms), k)
            or word.idf.shape != (len(word.terms),)
            or char.idf.shape != (len(char.terms),)
            or features.dense_mean.shape != (embedder.DIMENSIONS,)
        ):
            raise ModelFileError(f"the arrays of the model {folder.name!r} do not fit its vocabularies")
        entities = Entities(
            ListMatcher.from_json(doc["entities"]["list"]),
            RegexMatcher.from_json(doc["entities"]["regex"]),
            CrfTagger(blobs[CRF]) if doc["entities"]["crf"] else None,
        )
        return cls(
            id=str(doc["id"]),
            name=str(doc["name"]),
            settings=settings,
            intents=Intents(ids, names, features, weights),
            entities=entities,
            example_count=int(doc["example_count"]),
            entity_names={str(k): str(v) for k, v in doc["entity_names"].items()},
        )
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, NluError) as exc:
        raise ModelFileError(f"{MODEL_JSON} of the model {folder.name!r} is malformed: {exc}") from None
