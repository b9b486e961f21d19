"""The Models half of the CLU backend: each model is a temporary CLU project ``hfx-<12 hex>``.

``TrainModel`` converts, imports, trains and deploys, then records the model in :mod:`hfx.backends.clu_registry`
(with the tables that turn CLU names back into HumanFirst ids); a cancelled or failed training deletes its
project. ``UnloadModel`` deletes the deployment only; ``DeleteModel`` deletes the project and forgets the model.

CLU has no embeddings: ``Embed`` on a CLU model is answered by the local dense model (:mod:`hfx.backends.local_embed`),
and every model says so in ``Model.embeddings`` (the contract has no other field for it).
"""

from __future__ import annotations

import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

from hfx.backends.base import (
    HF_JSON,
    CallContext,
    Cancelled,
    Capabilities,
    DataOptions,
    InvalidInput,
    ModelInfo,
    NotFound,
    Predictions,
)
from hfx.backends.clu_classify import CluClassifier
from hfx.backends.clu_registry import EntityTable, ModelEntry, ModelRegistry
from hfx.backends.clu_settings import (
    DEPLOYMENT,
    MODEL_LABEL,
    MODEL_PREFIX,
    CluBackendConfig,
    check_delimiter,
    new_project_metadata,
    project_file_for,
)
from hfx.backends.clu_status import clu_errors_mapped
from hfx.backends.local_embed import embed_texts, embedding_spec
from hfx.backends.locks import NamedLocks
from hfx.backends.payload import read_hf_payload
from hfx.clu import errors as clu_errors
from hfx.clu.client import CluClient, Training
from hfx.intent_paths import join_path
from hfx.model import Workspace

log = logging.getLogger("hfx.backends.clu")


def _iso_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CluModels:
    """The model store of :class:`hfx.backends.clu.CluBackend`: each model is a temporary CLU project, recorded in
    ``registry``; ``Classify`` calls run on ``pool`` (at most ``config.concurrency`` at once)."""

    def __init__(
        self,
        client: CluClient,
        config: CluBackendConfig,
        registry: ModelRegistry,
        locks: NamedLocks,
        pool: ThreadPoolExecutor,
    ) -> None:
        self.client = client
        self.config = config
        self.registry = registry
        self._lock = locks
        self.classifier = CluClassifier(client, pool)

    def capabilities(self) -> Capabilities:
        return Capabilities(max_concurrent_models=0, classification_batch_size=self.config.max_batch_size)

    def _entry(self, model_id: str) -> ModelEntry:
        entry = self.registry.get(model_id)
        if entry is None:
            raise NotFound(f"unknown model {model_id!r}")
        return entry

    def _info(self, entry: ModelEntry) -> ModelInfo:
        return ModelInfo(
            id=entry.model_id,
            display_name=entry.display_name or entry.model_id,
            classification_batch_size=self.config.max_batch_size,
            embeddings=embedding_spec(self.config.max_batch_size),
        )

    def list_models(self, ctx: CallContext) -> list[ModelInfo]:
        return [self._info(e) for e in self.registry.all()]

    def get_model(self, ctx: CallContext, model_id: str) -> ModelInfo:
        return self._info(self._entry(model_id))

    def train_parameters(self, ctx: CallContext) -> DataOptions:
        return DataOptions(format=HF_JSON, gzip=True, delimiter=self.config.training_delimiter or self.config.delimiter)

    def train_model(self, ctx: CallContext, data: bytes, options: DataOptions, cancelled: threading.Event) -> ModelInfo:
        _, ws = read_hf_payload(data, options, max_bytes=self.config.max_decompressed_bytes)
        delimiter = check_delimiter(options.delimiter or self.config.training_delimiter or self.config.delimiter)
        project = MODEL_PREFIX + secrets.token_hex(6)
        language = self.config.language or ws.language or "en-us"
        shell = {
            "metadata": {
                **new_project_metadata(self.config, "hfx model (temporary project)", language),
                "projectName": project,
            }
        }
        project_file, _report, renames = project_file_for(ws, self.config, delimiter, project, shell, language)
        if not project_file["assets"]["utterances"]:
            raise InvalidInput("nothing to train on: no labelled examples")
        entry = self._tables(ws, renames, delimiter)
        entry.model_id = entry.project = project
        entry.display_name = ws.name or project
        entry.language = language
        evaluation: dict[str, Any]
        if self.config.evaluation == "manual":
            evaluation = {"kind": "manual"}
        else:
            evaluation = {"kind": "percentage", "trainingSplitPercentage": 100, "testingSplitPercentage": 0}
        created = False
        log.info(
            "training model %s (%d utterances, %d intents)",
            project,
            len(project_file["assets"]["utterances"]),
            len(project_file["assets"]["intents"]),
        )
        try:
            self._check_cancel(cancelled)
            created = True  # from here on the project may exist (import creates it)
            with clu_errors_mapped(f"model {project}: import"):
                self.client.import_project(project, project_file, cancel=cancelled)
            self._check_cancel(cancelled)
            with clu_errors_mapped(f"model {project}: training"):
                self.client.train(
                    project,
                    MODEL_LABEL,
                    Training(mode=self.config.training_mode, evaluation=evaluation),
                    cancel=cancelled,
                )
            self._check_cancel(cancelled)
            with clu_errors_mapped(f"model {project}: deployment"):
                self.client.deploy(project, DEPLOYMENT, MODEL_LABEL, cancel=cancelled)
            self._check_cancel(cancelled)
            entry.created = _iso_now()
            self.registry.put(entry)
        except BaseException as exc:
            if created:
                self._delete_project_quietly(project)
            if cancelled.is_set() and not isinstance(exc, Cancelled):
                raise Cancelled(f"training of {project} cancelled by the client; its project was deleted") from exc
            raise
        log.info("model %s trained and deployed", project)
        return self._info(entry)

    @staticmethod
    def _check_cancel(cancelled: threading.Event) -> None:
        if cancelled.is_set():
            raise Cancelled("cancelled by the client")

    def _delete_project_quietly(self, project: str) -> None:
        try:
            self.client.delete_project(project)
            log.info("deleted CLU project %s", project)
        except clu_errors.CluNotFound:
            pass
        except clu_errors.CluError as exc:
            log.warning("could not delete CLU project %s (%s); `hfx clu cleanup` will remove it", project, exc.code)

    @staticmethod
    def _tables(ws: Workspace, renames: dict[str, str], delimiter: str) -> ModelEntry:
        """CLU names -> HF ids, for reading predictions."""
        entry = ModelEntry(model_id="", project="", deployment=DEPLOYMENT, model_label=MODEL_LABEL, delimiter=delimiter)
        for intent_id, path in ws.intent_paths().items():
            flat = join_path(path, delimiter)
            entry.intents.setdefault(renames.get(flat, flat), intent_id)
            entry.intent_names[intent_id] = path[-1]
        for en in ws.entities:
            table = EntityTable(id=en.id, name=en.name)
            for v in en.values:
                table.values.setdefault(v.key, v.id)
                table.keys.setdefault(v.key, v.key)
                if en.kind == "regex":
                    for k in range(2, len(v.synonyms) + 1):  # split regex patterns: key_2, key_3, ...
                        table.values.setdefault(f"{v.key}_{k}", v.id)
                        table.keys.setdefault(f"{v.key}_{k}", v.key)
            entry.entities[renames.get(en.name, en.name)] = table
        return entry

    def _ensure_deployed(self, entry: ModelEntry) -> None:
        if entry.deployed:
            return
        with self._lock(entry.project):
            current = self.registry.get(entry.model_id)
            if current is None or current.deployed:
                return
            log.info("redeploying unloaded model %s", entry.model_id)
            with clu_errors_mapped(f"model {entry.model_id}: redeploy"):
                self.client.deploy(entry.project, entry.deployment, entry.model_label)
            self.registry.set_deployed(entry.model_id, True)

    def classify(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[Predictions]:
        entry = self._entry(model_id)
        if len(texts) > self.config.max_batch_size:
            raise InvalidInput(
                f"{len(texts)} examples; this model classifies at most {self.config.max_batch_size} per call"
            )
        self._ensure_deployed(entry)
        return self.classifier.classify(entry, texts)

    def embed(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[list[float]]:
        """CLU cannot embed: the local dense model does (the same for every model; the id must be known)."""
        self._entry(model_id)
        return embed_texts(texts, self.config.max_batch_size)

    def delete_model(self, ctx: CallContext, model_id: str) -> None:
        entry = self._entry(model_id)
        with self._lock(entry.project):
            try:
                with clu_errors_mapped(f"delete model {model_id}"):
                    self.client.delete_project(entry.project)
            except NotFound:
                pass  # already gone in CLU: forget it all the same
            self.registry.remove(model_id)
        log.info("deleted model %s", model_id)

    def unload_model(self, ctx: CallContext, model_id: str) -> None:
        entry = self._entry(model_id)
        with self._lock(entry.project):
            try:
                with clu_errors_mapped(f"unload model {model_id}"):
                    self.client.delete_deployment(entry.project, entry.deployment)
            except NotFound:
                pass
            self.registry.set_deployed(model_id, False)
        log.info("unloaded model %s (deployment deleted; the trained model is kept)", model_id)
