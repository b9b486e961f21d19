"""``hfx serve --backend clu``: HumanFirst workspaces and models on Azure CLU (Conversational Language Understanding).

Workspaces are CLU projects (the workspace id is the real project name).

* ``ImportWorkspace`` (HumanFirst -> CLU) first exports the current project to
  ``<data-dir>/backups/<project>/<UTC timestamp>.json`` (restore one with ``hfx clu import``), converts the HF JSON
  (request delimiter, else the configured one; names CLU would reject are rewritten), keeps the project's metadata
  and settings, imports it, and then stores the HF JSON it received as the project's *sync base*
  (``<data-dir>/sync/<project>.json`` + ``<project>.renames.json``).
* ``ExportWorkspace`` (CLU -> HumanFirst) converts the exported project; when a sync base exists, the result is
  3-way merged over it (the CLU side is lossy, see :func:`hfx.ops.merge.clu_fidelity`) so HumanFirst gets back its
  ids, tags, metadata and long names, plus every change made in CLU.

Models are temporary projects named ``hfx-<12 hex>`` (the model id is the project name). ``TrainModel`` imports,
trains, deploys and records the model in :mod:`hfx.backends.clu_registry`; a cancelled or failed training deletes
its project. ``UnloadModel`` deletes the deployment but keeps the project and trained model: the next ``Classify``
redeploys it. ``DeleteModel`` deletes the project and forgets the model.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hfx.backends.base import (
    HF_JSON,
    AlreadyExists,
    Backend,
    BackendError,
    BackendSettings,
    CallContext,
    Cancelled,
    Capabilities,
    DataOptions,
    EntityScore,
    ExportedData,
    IntentScore,
    InvalidInput,
    ModelInfo,
    NotFound,
    Prediction,
    Unavailable,
    Unsupported,
    WorkspaceInfo,
)
from hfx.backends.clu_registry import EntityTable, ModelEntry, ModelRegistry
from hfx.backends.payload import DEFAULT_MAX_DECOMPRESSED, decode_payload
from hfx.clu import errors as clu_errors
from hfx.errors import HfxError, InputError
from hfx.fileio import atomic_write

log = logging.getLogger("hfx.backends.clu")

#: Temporary model projects: ``hfx-`` + 12 hex digits.
MODEL_PREFIX = "hfx-"
MODEL_PROJECT = re.compile(r"^hfx-[0-9a-f]{12}$")
MODEL_LABEL = "hfx"
DEPLOYMENT = "hfx"
TRAINING_MODES = ("standard", "advanced")
EVALUATIONS = ("percentage", "manual")
#: CLU's limit on one analyze-conversations query (characters).
MAX_QUERY = 1000
_RESOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


@dataclass(frozen=True)
class CluBackendConfig:
    """Settings of the CLU backend (from ``hfx serve --clu-*`` options)."""

    data_dir: Path = Path("hfx-data")
    delimiter: str = "---"
    #: Delimiter for TrainModel data when the request names none (None = ``delimiter``).
    training_delimiter: str | None = None
    #: Language of new projects and model projects; None = the workspace's own language, else en-us.
    language: str | None = None
    multilingual: bool = False
    confidence_threshold: float = 0.0
    training_mode: str = "standard"
    #: "percentage" = train on 100 % of the Train utterances; "manual" = use each utterance's dataset.
    evaluation: str = "percentage"
    concurrency: int = 8
    max_batch_size: int = 100
    test_tags: tuple[str, ...] = ("Test",)
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED
    export_gzip: bool = False

    def __post_init__(self) -> None:
        if self.training_mode not in TRAINING_MODES:
            raise HfxError(f"--clu-training-mode must be one of {', '.join(TRAINING_MODES)}, "
                           f"not {self.training_mode!r}")
        if self.evaluation not in EVALUATIONS:
            raise HfxError(f"--clu-evaluation must be one of {', '.join(EVALUATIONS)}, not {self.evaluation!r}")
        if not 0 <= self.confidence_threshold <= 1:
            raise HfxError("--clu-confidence-threshold must be between 0 and 1")
        if self.concurrency < 1:
            raise HfxError("--clu-concurrency must be at least 1")
        if self.max_batch_size < 1:
            raise HfxError("max_batch_size must be at least 1")
        if not self.delimiter:
            raise HfxError("the CLU backend needs a non-empty delimiter")


# ------------------------------------------------------------------------------------------------ errors


@contextlib.contextmanager
def clu_errors_mapped(what: str) -> Iterator[None]:
    """Turn CLU client errors into backend errors (message short, no payload, no key)."""
    try:
        yield
    except clu_errors.Cancelled as exc:
        raise Cancelled(f"{what}: cancelled") from exc
    except clu_errors.NotFound as exc:
        raise NotFound(f"{what}: {exc.message}") from exc
    except (clu_errors.Throttled, clu_errors.ServiceError, clu_errors.Timeout) as exc:
        raise Unavailable(f"{what}: CLU is unavailable ({exc.code}: {exc.message})") from exc
    except clu_errors.JobFailed as exc:
        raise InvalidInput(f"{what}: CLU rejected it ({exc.code}: {exc.message})") from exc
    except clu_errors.BadRequest as exc:
        raise InvalidInput(f"{what}: CLU rejected it ({exc.code}: {exc.message})") from exc
    except clu_errors.AuthError as exc:
        raise BackendError(f"{what}: CLU refused the key or endpoint (HTTP {exc.status})") from exc
    except clu_errors.CluError as exc:
        raise BackendError(f"{what}: CLU error {exc.code}: {exc.message}") from exc


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


def _delimiter(delimiter: str) -> str:
    from hfx.formats.clu_names import FORBIDDEN

    bad = sorted({c for c in delimiter if c in FORBIDDEN})
    if bad:
        raise InvalidInput(f"the hierarchical delimiter {delimiter!r} contains {' '.join(bad)}, which CLU forbids in "
                           "intent names; choose another delimiter (e.g. ---)")
    return delimiter


#: Every CLU project has this intent (CLU adds it); it is not HumanFirst data unless HumanFirst sent it.
BUILTIN_NONE = "None"


def _drop_builtin_none(theirs: Any, base: Any) -> None:
    """Remove CLU's built-in empty ``None`` intent from a CLU-side workspace when the sync base has none."""
    if any(i.name == BUILTIN_NONE and i.parent_id is None for i in base.intents):
        return
    used = {r.intent_id for ex in theirs.examples for r in ex.intents}
    theirs.intents = [
        i for i in theirs.intents
        if not (i.name == BUILTIN_NONE and i.parent_id is None and i.id not in used
                and not any(c.parent_id == i.id for c in theirs.intents))
    ]


# ------------------------------------------------------------------------------------------------ sync base


class SyncStore:
    """The last HF JSON imported into each project, plus the names rewritten for CLU (atomic writes)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "sync"

    def _paths(self, project: str) -> tuple[Path, Path]:
        if not _RESOURCE.match(project) or project.startswith("."):
            raise InvalidInput(f"invalid CLU project name {project!r}")
        return self.folder / f"{project}.json", self.folder / f"{project}.renames.json"

    def save(self, project: str, hf_json: bytes, *, renames: dict[str, str], delimiter: str,
             test_tags: tuple[str, ...]) -> None:
        base, side = self._paths(project)
        meta = {"delimiter": delimiter, "test_tags": list(test_tags), "renames": dict(sorted(renames.items()))}
        # The side file first: a base is only ever read together with the renames it was written with.
        atomic_write(side, (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        atomic_write(base, hf_json)

    def load(self, project: str) -> tuple[bytes, dict[str, Any]] | None:
        base, side = self._paths(project)
        try:
            data = base.read_bytes()
        except FileNotFoundError:
            return None
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except FileNotFoundError:
            meta = {}
        except ValueError as exc:
            raise BackendError(f"sync base of {project!r} is damaged ({exc}); delete {side}") from None
        return data, meta

    def delete(self, project: str) -> None:
        for path in self._paths(project):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


# ------------------------------------------------------------------------------------------------ backend


class CluBackend(Backend):
    """Workspaces and models on one CLU resource (see module docs)."""

    supports_models = True

    def __init__(self, client: Any, config: CluBackendConfig) -> None:
        self.client = client
        self.config = config
        self.data_dir = Path(config.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.registry = ModelRegistry(self.data_dir)
        self.registry.ensure_file()
        self.sync = SyncStore(self.data_dir)
        self._pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="hfx-clu")
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock(self, name: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(name, threading.Lock())

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(Exception):
            self.client.close()

    def capabilities(self) -> Capabilities:
        return Capabilities(max_concurrent_models=0, classification_batch_size=self.config.max_batch_size)

    def _check_project(self, workspace_id: str) -> str:
        if not _RESOURCE.match(workspace_id):
            raise NotFound(f"unknown workspace {workspace_id!r} (CLU project names are 1-50 letters, digits, "
                           "'_', '.' or '-')")
        if self._hidden(workspace_id):
            raise NotFound(f"{workspace_id!r} is a model project of hfx, not a workspace")
        return workspace_id

    def _hidden(self, name: str) -> bool:
        """Model projects are not workspaces."""
        return bool(MODEL_PROJECT.match(name)) or name in self.registry.projects()

    # -- workspaces ---------------------------------------------------------------------------------
    def list_workspaces(self, ctx: CallContext) -> list[WorkspaceInfo]:
        with clu_errors_mapped("list projects"):
            projects = list(self.client.list_projects())
        out = [
            WorkspaceInfo(id=p["projectName"], name=p["projectName"], description=p.get("description") or "")
            for p in projects
            if isinstance(p.get("projectName"), str) and not self._hidden(p["projectName"])
        ]
        return sorted(out, key=lambda w: w.id)

    def get_workspace(self, ctx: CallContext, workspace_id: str) -> WorkspaceInfo:
        project = self._check_project(workspace_id)
        with clu_errors_mapped(f"project {project!r}"):
            p = self.client.get_project(project)
        return WorkspaceInfo(id=project, name=project, description=p.get("description") or "")

    def _new_project_metadata(self, description: str, language: str | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "projectKind": "Conversation",
            "language": self.config.language or language or "en-us",
            "multilingual": self.config.multilingual,
            "settings": {"confidenceThreshold": self.config.confidence_threshold},
        }
        if description:
            meta["description"] = description
        return meta

    def create_workspace(self, ctx: CallContext, name: str, description: str = "",
                         workspace_id: str = "") -> WorkspaceInfo:
        from hfx.formats.clu_names import project_name

        with self._lock("\x00create"):
            if workspace_id:
                if not _RESOURCE.match(workspace_id):
                    raise InvalidInput(f"invalid CLU project name {workspace_id!r}: use 1-50 letters, digits, "
                                       "'_', '.' or '-'")
                project = workspace_id
                if self._hidden(project):
                    raise InvalidInput(f"project names like {project!r} are reserved for hfx model projects")
                with clu_errors_mapped("check project"):
                    if self.client.project_exists(project):
                        raise AlreadyExists(f"project {project!r} already exists")
            else:
                base = project_name(name or "hfx_project")
                project, n = base, 1
                with clu_errors_mapped("check project"):
                    while self._hidden(project) or self.client.project_exists(project):
                        n += 1
                        suffix = f"-{n}"
                        project = base[: 50 - len(suffix)] + suffix
            with clu_errors_mapped(f"create project {project!r}"):
                self.client.create_or_update_project(project, self._new_project_metadata(description))
            self.sync.delete(project)  # a sync base left from an earlier project of that name does not apply
        log.info("created CLU project %s", project)
        return WorkspaceInfo(id=project, name=project, description=description)

    def import_parameters(self, ctx: CallContext, workspace_id: str) -> DataOptions:
        self.get_workspace(ctx, workspace_id)
        return DataOptions(format=HF_JSON, gzip=True, delimiter=self.config.delimiter)

    def import_data(self, ctx: CallContext, workspace_id: str, data: bytes, options: DataOptions) -> None:
        from hfx.clu.backup import write_backup
        from hfx.formats.clu_json import CluWriteOptions, write_clu
        from hfx.formats.hf_json import loads_hf

        project = self._check_project(workspace_id)
        payload = decode_payload(data, options, max_bytes=self.config.max_decompressed_bytes)
        try:
            ws = loads_hf(payload, source="payload")
        except InputError as exc:
            raise InvalidInput(exc.message, pointer=exc.pointer or "") from None
        delimiter = _delimiter(options.delimiter or self.config.delimiter)
        with self._lock(project):
            # 1. back up what is there now, before anything is replaced
            with clu_errors_mapped(f"export project {project!r} for the backup"):
                current = self.client.export_project(project)
            backup = write_backup(self.data_dir, project, current)
            log.info("backed up CLU project %s to %s", project, backup)
            # 2. convert, keeping the project's metadata and settings
            project_file, report, renames = write_clu(ws, CluWriteOptions(
                delimiter=delimiter, test_tags=self.config.test_tags, invalid_names="rewrite",
                project_name=project, base=current,
            ))
            if report.errors:
                first = report.errors[0]
                more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
                raise InvalidInput(f"{first.message}{more}", pointer=first.pointer)
            if renames:
                log.info("import into %s: %d names rewritten for CLU", project, len(renames))
            # 3. replace the project data; a failure leaves the project (and the backup) as they were
            with clu_errors_mapped(f"import into project {project!r}"):
                self.client.import_project(project, project_file)
            # 4. remember what HumanFirst sent: the base of the next export's merge
            self.sync.save(project, payload, renames=renames, delimiter=delimiter, test_tags=self.config.test_tags)
        log.info("imported %d examples into CLU project %s (%d losses reported)", len(ws.examples), project,
                 len(report.losses))

    def export_data(self, ctx: CallContext, workspace_id: str) -> ExportedData:
        from hfx.formats.clu_json import CluReadOptions, read_clu
        from hfx.formats.hf_json import dumps_hf, loads_hf
        from hfx.ops.merge import clu_fidelity, merge

        project = self._check_project(workspace_id)
        with self._lock(project):
            with clu_errors_mapped(f"export project {project!r}"):
                exported = self.client.export_project(project)
            stored = self.sync.load(project)
        delimiter = self.config.delimiter
        test_tags = self.config.test_tags
        renames: dict[str, str] = {}
        base = None
        if stored is not None:
            data, meta = stored
            delimiter = meta.get("delimiter") or delimiter
            test_tags = tuple(meta.get("test_tags") or test_tags)
            renames = dict(meta.get("renames") or {})
            try:
                base = loads_hf(data, source=f"sync base of {project}")
            except InputError as exc:
                log.warning("ignoring the damaged sync base of %s: %s", project, exc)
                base = None
        try:
            theirs, _report = read_clu(exported, source=f"CLU project {project}",
                                       options=CluReadOptions(delimiter=delimiter, test_tags=test_tags))
        except InputError as exc:
            raise BackendError(f"cannot convert CLU project {project!r}: {exc.message}") from None
        if base is not None:
            _drop_builtin_none(theirs, base)
            ws, conflicts = merge(base, theirs, base, prefer="theirs", theirs_fidelity=clu_fidelity(test_tags),
                                  renames=renames, delimiter=delimiter)
            log.info("export of %s merged over its sync base (%d conflicts resolved for CLU)", project,
                     len(conflicts))
        else:
            ws = theirs
        body = dumps_hf(ws)
        if self.config.export_gzip:
            import gzip

            return ExportedData(gzip.compress(body, mtime=0), DataOptions(HF_JSON, gzip=True, delimiter=delimiter))
        return ExportedData(body, DataOptions(HF_JSON, gzip=False, delimiter=delimiter))

    # -- models ----------------------------------------------------------------------------------------
    def _entry(self, model_id: str) -> ModelEntry:
        entry = self.registry.get(model_id)
        if entry is None:
            raise NotFound(f"unknown model {model_id!r}")
        return entry

    def _info(self, entry: ModelEntry) -> ModelInfo:
        return ModelInfo(id=entry.model_id, display_name=entry.display_name or entry.model_id,
                         classification_batch_size=self.config.max_batch_size)

    def list_models(self, ctx: CallContext) -> list[ModelInfo]:
        return [self._info(e) for e in self.registry.all()]

    def get_model(self, ctx: CallContext, model_id: str) -> ModelInfo:
        return self._info(self._entry(model_id))

    def train_parameters(self, ctx: CallContext) -> DataOptions:
        return DataOptions(format=HF_JSON, gzip=True,
                           delimiter=self.config.training_delimiter or self.config.delimiter)

    def train_model(self, ctx: CallContext, data: bytes, options: DataOptions,
                    cancelled: threading.Event) -> ModelInfo:
        from hfx.formats.clu_json import CluWriteOptions, write_clu
        from hfx.formats.hf_json import loads_hf

        payload = decode_payload(data, options, max_bytes=self.config.max_decompressed_bytes)
        try:
            ws = loads_hf(payload, source="payload")
        except InputError as exc:
            raise InvalidInput(exc.message, pointer=exc.pointer or "") from None
        delimiter = _delimiter(options.delimiter or self.config.training_delimiter or self.config.delimiter)
        project = MODEL_PREFIX + secrets.token_hex(6)
        language = self.config.language or ws.language or "en-us"
        shell = {"metadata": {**self._new_project_metadata("hfx model (temporary project)", language),
                              "projectName": project}}
        project_file, report, renames = write_clu(ws, CluWriteOptions(
            delimiter=delimiter, test_tags=self.config.test_tags, invalid_names="rewrite", project_name=project,
            language=language, base=shell,
        ))
        if report.errors:
            first = report.errors[0]
            raise InvalidInput(first.message, pointer=first.pointer)
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
        log.info("training model %s (%d utterances, %d intents)", project, len(project_file["assets"]["utterances"]),
                 len(project_file["assets"]["intents"]))
        try:
            self._check_cancel(cancelled)
            created = True  # from here on the project may exist (import creates it)
            with clu_errors_mapped(f"model {project}: import"):
                self.client.import_project(project, project_file, cancel=cancelled)
            self._check_cancel(cancelled)
            with clu_errors_mapped(f"model {project}: training"):
                self.client.train(project, MODEL_LABEL, training_mode=self.config.training_mode,
                                  evaluation_options=evaluation, cancel=cancelled)
            self._check_cancel(cancelled)
            with clu_errors_mapped(f"model {project}: deployment"):
                self.client.deploy(project, DEPLOYMENT, MODEL_LABEL, cancel=cancelled)
            self._check_cancel(cancelled)
            entry.created = _iso(_now())
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
        except clu_errors.NotFound:
            pass
        except clu_errors.CluError as exc:
            log.warning("could not delete CLU project %s (%s); `hfx clu cleanup` will remove it", project, exc.code)

    @staticmethod
    def _tables(ws: Any, renames: dict[str, str], delimiter: str) -> ModelEntry:
        """CLU names -> HF ids, for reading predictions."""
        from hfx.paths import join_path

        entry = ModelEntry(model_id="", project="", deployment=DEPLOYMENT, model_label=MODEL_LABEL,
                           delimiter=delimiter)
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

    def classify(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[Prediction]:
        entry = self._entry(model_id)
        if len(texts) > self.config.max_batch_size:
            raise InvalidInput(f"{len(texts)} examples; this model classifies at most {self.config.max_batch_size} "
                               "per call")
        self._ensure_deployed(entry)
        futures = [self._pool.submit(self._predict, entry, text) for text in texts]
        out: list[Prediction] = []
        failure: BaseException | None = None
        for fut in futures:
            try:
                out.append(fut.result())
            except BaseException as exc:  # collect every result first so no call is left running unseen
                failure = failure or exc
        if failure is not None:
            raise failure
        return out

    def _predict(self, entry: ModelEntry, text: str) -> Prediction:
        from hfx.offsets import span_from_utf16, span_to_utf8

        if not text.strip():
            return Prediction()
        if len(text) > MAX_QUERY:
            log.warning("model %s: an example of %d characters was not classified (CLU analyzes at most %d)",
                        entry.model_id, len(text), MAX_QUERY)
            return Prediction()
        with clu_errors_mapped(f"model {entry.model_id}: classify"):
            result = self.client.analyze(text, entry.project, entry.deployment, string_index_type="Utf16CodeUnit",
                                         language=entry.language or None)
        prediction = result.get("prediction") or {}
        intents: list[IntentScore] = []
        for item in prediction.get("intents") or []:
            hf_id = entry.intents.get(item.get("category"))
            if hf_id is None:
                continue  # CLU's built-in "None" intent and anything the model did not learn from HF
            intents.append(IntentScore(id=hf_id, name=hf_id, score=float(item.get("confidenceScore") or 0.0)))
        intents.sort(key=lambda i: -i.score)
        entities: list[EntityScore] = []
        for item in prediction.get("entities") or []:
            category = item.get("category")
            table = entry.entities.get(category)
            try:
                start, end = span_from_utf16(text, int(item["offset"]), int(item["length"]))
                b_start, b_end = span_to_utf8(text, start, end)
            except (KeyError, TypeError, ValueError, HfxError):
                log.warning("model %s: skipped an entity with an unusable span", entry.model_id)
                continue
            value = value_id = ""
            for extra in item.get("extraInformation") or []:
                if extra.get("extraInformationKind") in ("ListKey", "RegexKey") and table is not None:
                    key = str(extra.get("key", ""))
                    if key in table.values:
                        value, value_id = table.keys.get(key, key), table.values[key]
                        break
            entities.append(EntityScore(
                key=table.name if table else str(category),
                text=text[start:end],
                start=b_start,
                end=b_end,
                score=float(item.get("confidenceScore") or 0.0),
                value=value,
                entity_id=table.id if table else "",
                entity_value_id=value_id,
            ))
        return Prediction(intents=intents, entities=entities)

    def embed(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[list[float]]:
        raise Unsupported("the CLU backend has no embeddings: Azure CLU offers intent and entity classification "
                          "only (use Classify)")

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


# ------------------------------------------------------------------------------------------------ cleanup


@dataclass
class CleanupResult:
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # orphans younger than --older-than
    failed: list[str] = field(default_factory=list)


def cleanup_orphans(client: Any, data_dir: str | Path, *, older_than_hours: float | None = None,
                    dry_run: bool = False, force: bool = False, now: datetime | None = None,
                    on_delete: Callable[[str], None] | None = None) -> CleanupResult:
    """Delete ``hfx-`` model projects that no registry entry in ``data_dir`` knows.

    ``older_than_hours``: only projects created at least that long ago (protects trainings still running, e.g. of
    another server on the same resource). ``dry_run``: report, delete nothing. Without ``force``, a data dir that
    holds no registry is refused (a wrong ``--data-dir`` would otherwise delete every model's project).
    """
    registry = ModelRegistry(data_dir)
    if not registry.exists() and not force:
        raise HfxError(f"no model registry at {registry.path}: point --data-dir at the data dir of `hfx serve "
                       "--backend clu` (or pass --force to treat every hfx- model project as orphaned)")
    known = registry.projects()
    limit = None
    if older_than_hours is not None:
        limit = (now or _now()) - timedelta(hours=older_than_hours)
    result = CleanupResult()
    for p in list(client.list_projects()):
        name = p.get("projectName")
        if not isinstance(name, str) or not MODEL_PROJECT.match(name) or name in known:
            continue
        created = _parse_time(p.get("createdDateTime"))
        if limit is not None and (created is None or created > limit):
            result.kept.append(name)
            continue
        if dry_run:
            result.deleted.append(name)
            continue
        try:
            client.delete_project(name)
        except clu_errors.NotFound:
            pass
        except clu_errors.CluError as exc:
            log.warning("cleanup: could not delete %s (%s)", name, exc.code)
            result.failed.append(name)
            continue
        log.info("cleanup: deleted orphaned CLU project %s", name)
        result.deleted.append(name)
        if on_delete is not None:
            on_delete(name)
    return result


# ------------------------------------------------------------------------------------------------ factory

KNOWN_OPTIONS = {
    "clu_endpoint", "clu_key_file", "clu_language", "clu_multilingual", "clu_confidence_threshold",
    "clu_training_mode", "clu_evaluation", "clu_concurrency", "clu_cleanup", "clu_cleanup_older_than",
    "clu_timeout", "clu_poll_interval", "clu_max_attempts", "clu_max_rps", "max_batch_size", "training_delimiter",
}


def _bool(name: str, value: str) -> bool:
    low = value.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise HfxError(f"{name}: expected true or false, not {value!r}")


def _number(name: str, value: str, kind: type = float) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise HfxError(f"{name}: expected a number, not {value!r}") from None


def config_from_settings(settings: BackendSettings) -> CluBackendConfig:
    opts = settings.options
    unknown = sorted(k for k in opts if k not in KNOWN_OPTIONS)
    if unknown:
        raise HfxError(f"--backend-option: the CLU backend knows no option {unknown[0]!r} "
                       f"(known: {', '.join(sorted(KNOWN_OPTIONS))})")
    kwargs: dict[str, Any] = {
        "data_dir": Path(settings.data_dir),
        "delimiter": settings.delimiter,
        "max_decompressed_bytes": settings.max_decompressed_bytes,
        "export_gzip": settings.export_gzip,
    }
    if opts.get("clu_language"):
        kwargs["language"] = opts["clu_language"]
    if "clu_multilingual" in opts:
        kwargs["multilingual"] = _bool("--clu-multilingual", opts["clu_multilingual"])
    if opts.get("clu_confidence_threshold"):
        kwargs["confidence_threshold"] = _number("--clu-confidence-threshold", opts["clu_confidence_threshold"])
    if opts.get("clu_training_mode"):
        kwargs["training_mode"] = opts["clu_training_mode"].strip().lower()
    if opts.get("clu_evaluation"):
        kwargs["evaluation"] = opts["clu_evaluation"].strip().lower()
    if opts.get("clu_concurrency"):
        kwargs["concurrency"] = _number("--clu-concurrency", opts["clu_concurrency"], int)
    if opts.get("training_delimiter"):
        kwargs["training_delimiter"] = opts["training_delimiter"]
    if opts.get("max_batch_size"):
        kwargs["max_batch_size"] = _number("max_batch_size", opts["max_batch_size"], int)
    return CluBackendConfig(**kwargs)


def create_backend(settings: BackendSettings) -> CluBackend:
    """Factory used by ``hfx serve --backend clu``: endpoint/key per :mod:`hfx.clu.config`, options as strings."""
    from hfx.clu.client import CluClient
    from hfx.clu.config import CluSettings

    config = config_from_settings(settings)
    opts = settings.options
    clu = CluSettings.resolve(opts.get("clu_endpoint") or None, opts.get("clu_key_file") or None)
    client = CluClient(
        clu.endpoint, clu.key,
        timeout=_number("clu_timeout", opts.get("clu_timeout") or "30"),
        poll_interval=_number("clu_poll_interval", opts.get("clu_poll_interval") or "1"),
        max_attempts=_number("clu_max_attempts", opts.get("clu_max_attempts") or "8", int),
        pool_size=config.concurrency + 4,
        max_rps=_number("clu_max_rps", opts["clu_max_rps"]) if opts.get("clu_max_rps") else None,
    )
    backend = CluBackend(client, config)
    if _bool("--clu-cleanup-on-start", opts.get("clu_cleanup", "false")):
        older = opts.get("clu_cleanup_older_than")
        try:
            result = cleanup_orphans(client, config.data_dir,
                                     older_than_hours=_number("clu_cleanup_older_than", older) if older else None)
        except clu_errors.CluError as exc:
            backend.close()
            raise HfxError(f"--clu-cleanup-on-start: {exc}") from None
        log.info("cleanup at start: %d orphaned hfx- projects deleted, %d kept (too recent), %d failed",
                 len(result.deleted), len(result.kept), len(result.failed))
    return backend
