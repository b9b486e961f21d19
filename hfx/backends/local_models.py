"""Local models of the embedded default backend: trained, stored and run on this machine (:mod:`hfx.nlu`).

Layout under the data dir::

    models/<id>/         one model exactly as hfx.nlu saves it (JSON + .npz arrays, never pickle);
                         `hfx predict <data-dir>/models/<id>` reads it too
    models/<id>.json     what the server records about it: display name, the workspace it came from (name,
                         SHA-256 of the payload, counts), the training settings, entity names, who trained it
    models/.staging/     trainings in progress; removed at start, so an interrupted training leaves nothing
    models/.trash-*      models being deleted; removed at start

A model is *listed* when its folder exists. ``TrainModel`` saves into ``.staging/``, writes the record, then
renames the folder into place (one atomic step), so a model is either whole or absent. Model ids are
deterministic (same workspace and settings, same id): training identical data again returns the stored model.

Memory: models load lazily on first ``Classify``; at most ``max_loaded`` stay in memory, the least recently
used is dropped first (it stays listed and loads again when next used). ``UnloadModel`` drops a model from
memory; ``DeleteModel`` removes its files. ``Embed`` needs no loaded model: it uses the shared dense model.

Training is CPU-heavy: at most ``max_trainings`` run at once (on worker threads); further ``TrainModel`` calls
wait their turn, up to ``max(max_loaded, max_trainings)`` trainings in progress (Discovery announces
``max_loaded`` as ``max_concurrent_models``); one more is RESOURCE_EXHAUSTED. A call that ends early (client
cancel, deadline, server shutdown) stops its training through ``should_stop`` and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hfx.backends.base import (
    HF_JSON,
    BackendError,
    CallContext,
    Cancelled,
    Capabilities,
    DataOptions,
    EntityScore,
    IntentScore,
    InvalidInput,
    ModelInfo,
    NotFound,
    Predictions,
    TooLarge,
)
from hfx.backends.local_embed import check_batch, embed_texts, embedding_spec, real_embedder
from hfx.backends.locks import NamedLocks
from hfx.backends.payload import DEFAULT_MAX_DECOMPRESSED, read_hf_payload
from hfx.fileio import atomic_write

log = logging.getLogger("hfx.backends.models")

MODELS_DIR = "models"
STAGING_DIR = ".staging"
TRASH_PREFIX = ".trash-"
RECORD_FORMAT = 1
#: A model id is one safe path component (hfx.nlu ids are hex digests; copied-in folders may use any such name).
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_POLL = 0.2  # seconds between looks at a waiting call's cancellation


@dataclass(frozen=True)
class ModelLimits:
    """Limits of the local models (``hfx serve`` options)."""

    #: Models kept in memory at once (least recently used dropped first); Discovery's ``max_concurrent_models``.
    max_loaded: int = 4
    #: Trainings running at once; more ``TrainModel`` calls wait.
    max_trainings: int = 1
    #: Most examples in one ``Classify`` or ``Embed`` call.
    max_batch_size: int = 100
    #: Intent matches per example (None = hfx.nlu's documented default).
    top_k: int | None = None
    #: Delimiter for display names when the TrainModel request names none (None = the workspace delimiter).
    training_delimiter: str | None = None

    @property
    def max_in_progress(self) -> int:
        """Trainings running or waiting at once; one more is RESOURCE_EXHAUSTED (each waiting call holds a gRPC
        worker thread, so an unbounded queue could leave none for Classify)."""
        return max(self.max_loaded, self.max_trainings)

    def __post_init__(self) -> None:
        for name in ("max_loaded", "max_trainings", "max_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError("top_k must be at least 1")


@dataclass
class _Loaded:
    model: Any  # hfx.nlu.model.NluModel
    entity_names: dict[str, str]


@dataclass(frozen=True)
class NluApi:
    """The parts of :mod:`hfx.nlu` the store uses (tests of the store may pass a small double)."""

    model: Any  # NluModel: train / load / save / predict
    settings: Any  # TrainSettings
    training_error: type[Exception]
    training_cancelled: type[Exception]
    model_file_error: type[Exception]


def real_nlu() -> NluApi:
    """:mod:`hfx.nlu`, imported on first use (scikit-learn and the dense model are not needed to list models)."""
    from hfx.nlu.errors import ModelFileError, TrainingCancelled, TrainingError
    from hfx.nlu.model import NluModel, TrainSettings

    return NluApi(NluModel, TrainSettings, TrainingError, TrainingCancelled, ModelFileError)


class LocalModels:
    """The directory backend's model store (:class:`~hfx.backends.base.ModelStore`; see module docs)."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        limits: ModelLimits = ModelLimits(),
        *,
        delimiter: str = "---",
        max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED,
        nlu: Callable[[], NluApi] = real_nlu,
        embedder: Callable[[], Any] = real_embedder,
    ) -> None:
        self.root = Path(data_dir) / MODELS_DIR
        self.staging = self.root / STAGING_DIR
        self.limits = limits
        self.delimiter = delimiter
        self.max_decompressed_bytes = max_decompressed_bytes
        self._nlu = nlu
        self._embedder = embedder
        self._cache: OrderedDict[str, _Loaded] = OrderedDict()
        self._guard = threading.Lock()
        self._staging_lock = threading.Lock()
        self._id_lock = NamedLocks()
        self._closing = threading.Event()
        self._waiting = self._running = 0
        self._pool = ThreadPoolExecutor(max_workers=limits.max_trainings, thread_name_prefix="hfx-train")
        self.root.mkdir(parents=True, exist_ok=True)
        self._clean_leftovers()
        stored = sum(1 for p in self.root.iterdir() if p.is_dir() and MODEL_ID.fullmatch(p.name))
        log.debug(
            "local models: %d stored in %s; at most %d in memory, %d training(s) at once, batches of %d",
            stored,
            self.root,
            limits.max_loaded,
            limits.max_trainings,
            limits.max_batch_size,
        )

    # -- files ---------------------------------------------------------------------------------------
    def _clean_leftovers(self) -> None:
        """Remove what interrupted trainings and deletions left (never a listed model)."""
        removed = 0
        for path in self.root.iterdir():
            name = path.name
            if name == STAGING_DIR or name.startswith(TRASH_PREFIX):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
            elif name.startswith(".") and name.endswith(".tmp") and path.is_file():
                path.unlink(missing_ok=True)  # a record half-written by atomic_write
                removed += 1
            elif name.endswith(".json") and path.is_file() and not (self.root / name[: -len(".json")]).is_dir():
                path.unlink(missing_ok=True)  # the record of a training interrupted before its rename
                removed += 1
        if removed:
            log.info("removed %d leftover(s) of interrupted trainings or deletions under %s", removed, self.root)

    def _folder(self, model_id: str) -> Path:
        """The folder of a known model; ``NotFound`` for an unknown or impossible id."""
        if not MODEL_ID.fullmatch(model_id):
            raise NotFound(f"unknown model {model_id!r}")
        folder = self.root / model_id
        if not folder.is_dir():
            raise NotFound(f"unknown model {model_id!r}")
        return folder

    def _record_path(self, model_id: str) -> Path:
        return self.root / f"{model_id}.json"

    def _record(self, model_id: str) -> dict[str, Any]:
        try:
            obj = json.loads(self._record_path(model_id).read_bytes())
        except (OSError, ValueError):
            return {}  # a model folder copied in by hand (or a damaged record): still served, with defaults
        return obj if isinstance(obj, dict) else {}

    # -- describing ----------------------------------------------------------------------------------
    def _info(self, model_id: str, record: dict[str, Any]) -> ModelInfo:
        name = record.get("display_name")
        return ModelInfo(
            id=model_id,
            display_name=name if isinstance(name, str) and name else model_id,
            classification_batch_size=self.limits.max_batch_size,
            embeddings=embedding_spec(self.limits.max_batch_size, self._embedder()),
        )

    def capabilities(self) -> Capabilities:
        return Capabilities(
            max_concurrent_models=self.limits.max_loaded, classification_batch_size=self.limits.max_batch_size
        )

    def list_models(self, ctx: CallContext) -> list[ModelInfo]:
        ids = sorted(p.name for p in self.root.iterdir() if p.is_dir() and MODEL_ID.fullmatch(p.name))
        return [self._info(i, self._record(i)) for i in ids]

    def get_model(self, ctx: CallContext, model_id: str) -> ModelInfo:
        self._folder(model_id)
        return self._info(model_id, self._record(model_id))

    def trainings(self) -> tuple[int, int]:
        """(running, waiting) trainings."""
        with self._guard:
            return self._running, self._waiting

    def loaded(self) -> list[str]:
        """Ids of the models in memory, least recently used first."""
        with self._guard:
            return list(self._cache)

    def train_parameters(self, ctx: CallContext) -> DataOptions:
        return DataOptions(format=HF_JSON, gzip=True, delimiter=self.limits.training_delimiter or self.delimiter)

    # -- training ------------------------------------------------------------------------------------
    def train_model(self, ctx: CallContext, data: bytes, options: DataOptions, cancelled: threading.Event) -> ModelInfo:
        payload, ws = read_hf_payload(data, options, max_bytes=self.max_decompressed_bytes)
        delimiter = options.delimiter or self.limits.training_delimiter or self.delimiter
        record: dict[str, Any] = {
            "format": RECORD_FORMAT,
            "display_name": ws.name or "",
            "workspace": {"name": ws.name or "", "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload)},
            "trained_by": {"namespace": ctx.namespace, "integration_id": ctx.integration_id},
        }
        del payload

        def should_stop() -> bool:
            return cancelled.is_set() or self._closing.is_set()

        if should_stop():
            raise Cancelled("training cancelled before it started")
        with self._guard:
            if self._running + self._waiting >= self.limits.max_in_progress:
                raise TooLarge(
                    f"{self._running + self._waiting} trainings are already running or waiting (at most "
                    f"{self.limits.max_in_progress}, the announced max_concurrent_models); retry later"
                )
            self._waiting += 1
        try:
            future = self._pool.submit(self._train_and_publish, ws, delimiter, record, should_stop)
        except RuntimeError:  # the pool is shut down: the server is stopping
            with self._guard:
                self._waiting -= 1
            raise Cancelled("the server is shutting down") from None
        del ws
        try:
            while not wait([future], timeout=_POLL).done:
                if should_stop() and future.cancel():
                    raise Cancelled("training cancelled while waiting for its turn; nothing was kept")
            return future.result()
        except CancelledError:  # dropped from the queue by close()
            raise Cancelled("the server is shutting down; the training did not start") from None
        finally:
            if future.cancelled():  # never ran, so never counted itself out of the queue
                with self._guard:
                    self._waiting -= 1

    def _train_and_publish(
        self, ws: Any, delimiter: str, record: dict[str, Any], should_stop: Callable[[], bool]
    ) -> ModelInfo:
        with self._guard:
            self._waiting -= 1
            self._running += 1
        try:
            return self._train_now(ws, delimiter, record, should_stop)
        finally:
            with self._guard:
                self._running -= 1

    def _train_now(self, ws: Any, delimiter: str, record: dict[str, Any], should_stop: Callable[[], bool]) -> ModelInfo:
        if should_stop():
            raise Cancelled("training cancelled while waiting for its turn; nothing was kept")
        nlu = self._nlu()
        started = time.perf_counter()
        settings = nlu.settings(delimiter=delimiter)
        log.info("training a model on %r (%d examples)", record["display_name"], len(ws.examples))
        try:
            model = nlu.model.train(ws, settings, should_stop=should_stop)
        except nlu.training_cancelled:
            raise Cancelled("training cancelled; nothing was kept") from None
        except nlu.training_error as exc:
            raise InvalidInput(f"cannot train on this workspace: {exc}") from None
        model_id = str(model.id)
        if not MODEL_ID.fullmatch(model_id):
            raise BackendError("the trained model has an unusable id")
        to_dict = getattr(settings, "to_dict", None)
        record.update(
            {
                "id": model_id,
                "settings": to_dict() if callable(to_dict) else {"delimiter": delimiter},
                "train_seconds": round(time.perf_counter() - started, 2),
            }
        )
        record["workspace"].update(intents=int(model.intent_count), examples=int(model.example_count))
        self._publish(model, model_id, record, should_stop)
        log.info(
            "model %s trained on %r (%d intents, %d examples) in %.1fs",
            model_id,
            record["display_name"],
            model.intent_count,
            model.example_count,
            record["train_seconds"],
        )
        return self._info(model_id, self._record(model_id) or record)

    def _publish(self, model: Any, model_id: str, record: dict[str, Any], should_stop: Callable[[], bool]) -> None:
        """Save into staging, then put the record and the folder in place, unless the call ended meanwhile."""
        work = self.staging / secrets.token_hex(8)
        with self._staging_lock:  # never between another training's rmdir of .staging and its own mkdir
            work.mkdir(parents=True)
        try:
            model.save(work / "model")
            with self._id_lock(model_id):
                if should_stop():
                    raise Cancelled("training cancelled; nothing was kept")
                final = self.root / model_id
                if final.is_dir():
                    log.info("model %s exists already (same workspace and settings): kept as it is", model_id)
                    if not self._record_path(model_id).exists():
                        atomic_write(self._record_path(model_id), _dumps(record))
                else:
                    atomic_write(self._record_path(model_id), _dumps(record))
                    try:
                        os.rename(work / "model", final)
                    except OSError:
                        self._record_path(model_id).unlink(missing_ok=True)
                        raise
                    _fsync_dir(self.root)
                self._remember(model_id, _Loaded(model, _names(model)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
            with self._staging_lock, contextlib.suppress(OSError):
                self.staging.rmdir()  # only when no other training is using it

    # -- memory --------------------------------------------------------------------------------------
    def _remember(self, model_id: str, loaded: _Loaded) -> None:
        with self._guard:
            self._cache[model_id] = loaded
            self._cache.move_to_end(model_id)
            while len(self._cache) > self.limits.max_loaded:
                old, _ = self._cache.popitem(last=False)
                log.info(
                    "model %s dropped from memory (least recently used; at most %d loaded)", old, self.limits.max_loaded
                )

    def _loaded(self, model_id: str) -> _Loaded:
        with self._guard:
            hit = self._cache.get(model_id)
            if hit is not None:
                self._cache.move_to_end(model_id)
                return hit
        with self._id_lock(model_id):
            with self._guard:
                hit = self._cache.get(model_id)
                if hit is not None:
                    self._cache.move_to_end(model_id)
                    return hit
            folder = self._folder(model_id)
            nlu = self._nlu()
            started = time.perf_counter()
            try:
                model = nlu.model.load(folder)
            except nlu.model_file_error as exc:
                log.error("model %s cannot be loaded from %s: %s", model_id, folder, exc)
                raise BackendError(
                    f"model {model_id} cannot be loaded: its files are damaged or of another "
                    "version (delete it and train again)"
                ) from None
            loaded = _Loaded(model, _names(model))
            self._remember(model_id, loaded)
        size = getattr(model, "memory_bytes", lambda: 0)()
        log.info("model %s loaded in %.2fs (about %.0f MiB)", model_id, time.perf_counter() - started, size / 2**20)
        return loaded

    def unload_model(self, ctx: CallContext, model_id: str) -> None:
        self._folder(model_id)
        with self._id_lock(model_id), self._guard:
            dropped = self._cache.pop(model_id, None)
        if dropped is not None:
            log.info("model %s unloaded from memory (still listed)", model_id)

    def delete_model(self, ctx: CallContext, model_id: str) -> None:
        with self._id_lock(model_id):
            folder = self._folder(model_id)
            with self._guard:
                self._cache.pop(model_id, None)
            trash = self.root / f"{TRASH_PREFIX}{model_id}-{secrets.token_hex(4)}"
            os.rename(folder, trash)  # unlisted at once; the rest is clean-up (finished at start if interrupted)
            self._record_path(model_id).unlink(missing_ok=True)
            _fsync_dir(self.root)
            shutil.rmtree(trash, ignore_errors=True)
        log.info("model %s deleted", model_id)

    # -- running -------------------------------------------------------------------------------------
    def classify(self, ctx: CallContext, model_id: str, texts: Sequence[str]) -> list[Predictions]:
        self._folder(model_id)
        check_batch(texts, self.limits.max_batch_size, "Classify")
        if not texts:
            return []
        loaded = self._loaded(model_id)
        kwargs = {"top_k": self.limits.top_k} if self.limits.top_k is not None else {}
        return [_prediction(p, loaded.entity_names) for p in loaded.model.predict(list(texts), **kwargs)]

    def embed(self, ctx: CallContext, model_id: str, texts: Sequence[str]) -> list[list[float]]:
        self._folder(model_id)
        return embed_texts(texts, self.limits.max_batch_size, self._embedder())

    def close(self) -> None:
        """Stop running trainings (their calls end CANCELLED) and forget loaded models."""
        self._closing.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._guard:
            self._cache.clear()


def _prediction(p: Any, entity_names: dict[str, str]) -> Predictions:
    """An hfx.nlu ``Prediction`` in backend terms (spans stay UTF-8 byte offsets)."""
    intents = [IntentScore(id=i.id, name=i.name, score=float(i.score)) for i in p.intents]
    entities = [
        EntityScore(
            key=getattr(e, "name", "") or entity_names.get(e.entity_id, ""),
            text=e.text,
            start=e.start,
            end=e.end,
            score=float(e.score),
            value=e.value,
            entity_id=e.entity_id,
            entity_value_id=e.entity_value_id,
            extractor=e.extractor,
        )
        for e in p.entities
    ]
    return Predictions(intents=intents, entities=entities)


def _names(model: Any) -> dict[str, str]:
    """Entity id -> name, for ``EntityReference.key``."""
    names = getattr(model, "entity_names", None)
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def _dumps(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
