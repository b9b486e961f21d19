"""A local CLU emulator: a real HTTP server speaking the authoring + runtime subset of api-version 2023-04-01.

Paths, status codes, headers and JSON shapes follow the CLU REST reference: colon verbs are literal path text,
202 answers carry an absolute ``operation-location`` (never ``Location``), every answer has ``apim-request-id``,
429 answers carry ``Retry-After`` (and ``retry-after-ms``). Jobs progress notStarted -> running -> succeeded over
``job_delay_ms``. Imports are validated like the service (shape -> 400, content -> failed job).

Fault injection: ``latency_ms`` per request, ``fault_rate`` (a seeded fraction of 429/503 answers) and ``rps``
(a sliding one-second window; requests beyond it get 429).

In tests::

    with start_emulator(key="k") as emu:
        client = CluClient(emu.url, "k")
"""

from __future__ import annotations

import copy
import json
import logging
import math
import random
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from hfx.clu.emulator_model import (
    LIMITS,
    ToyModel,
    content_problems,
    normalize_index_type,
    settings_problems,
    structure_problems,
)
from hfx.errors import HfxError
from hfx.formats.clu_names import resource_name_problem

log = logging.getLogger("hfx.clu.emulator")

API_VERSIONS = ("2023-04-01",)
AUTHORING = "/language/authoring/analyze-conversations/projects"
RUNTIME = "/language/:analyze-conversations"
TERMINAL = ("succeeded", "failed", "cancelled")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class HttpError(HfxError):
    """An error answer of the emulator (HTTP status, CLU's error code and message)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.target, self.details, self.headers = target, details, headers or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            err["target"] = self.target
        if self.details:
            err["details"] = self.details
        return {"error": err}


def _unparsable(message: str, target: str | None = None) -> HttpError:
    """CLU's 400 for a request body it cannot use: ``Failed to parse the input.`` with the reason in ``details``."""
    detail = {"code": "InvalidArgument", "message": message}
    if target is not None:
        detail["target"] = target
    return HttpError(400, "InvalidArgument", "Failed to parse the input.", details=[detail])


def _not_found(what: str, name: str, code: str = "NotFound") -> HttpError:
    return HttpError(404, code, f"The specified {what} {name!r} was not found.", target=what)


def _listing(items: dict[str, dict[str, Any]]) -> Response:
    """A project's models or deployments (label -> {"info": ...}) as CLU lists them: one page, by label."""
    return 200, {"value": [items[k]["info"] for k in sorted(items)], "nextLink": None}, {}


def _info(items: dict[str, dict[str, Any]], what: str, label: str) -> Response:
    """One of a project's models or deployments, 404 naming ``what`` when there is none of that label."""
    item = items.get(label)
    if item is None:
        raise _not_found(what, label)
    return 200, item["info"], {}


@dataclass
class Job:
    job_id: str
    kind: str  # import | export | train | deploy | undeploy | delete
    project: str
    created: float
    delay: float
    status: str = "notStarted"
    updated: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    result_url: str | None = None
    cancel_requested: bool = False

    def status_path(self) -> str:
        p = quote(self.project, safe="")
        return {
            "import": f"{AUTHORING}/{p}/import/jobs/{self.job_id}",
            "export": f"{AUTHORING}/{p}/export/jobs/{self.job_id}",
            "train": f"{AUTHORING}/{p}/train/jobs/{self.job_id}",
            "deploy": f"{AUTHORING}/{p}/deployments/{quote(self.payload.get('deployment', ''), safe='')}"
            f"/jobs/{self.job_id}",
            "undeploy": f"{AUTHORING}/{p}/deployments/{quote(self.payload.get('deployment', ''), safe='')}"
            f"/jobs/{self.job_id}",
            "delete": f"{AUTHORING}/global/deletion-jobs/{self.job_id}",
        }[self.kind]

    def as_json(self, now: float) -> dict[str, Any]:
        body: dict[str, Any] = {
            "jobId": self.job_id,
            "createdDateTime": _iso(self.created),
            "lastUpdatedDateTime": _iso(self.updated or self.created),
            "expirationDateTime": _iso(self.created + 7 * 86400),
            "status": self.status,
        }
        if self.warnings:
            body["warnings"] = self.warnings
        if self.errors:
            body["errors"] = self.errors
        if self.kind == "export" and self.status == "succeeded" and self.result_url:
            body["resultUrl"] = self.result_url
        if self.kind == "train":
            done = (
                100
                if self.status == "succeeded"
                else (0 if self.delay <= 0 else min(99, int(100 * (now - self.created) / self.delay)))
            )
            if self.status == "notStarted":
                done = 0
            sub_status = {
                "notStarted": "notStarted",
                "running": "running",
                "succeeded": "succeeded",
                "failed": "failed",
                "cancelling": "cancelling",
                "cancelled": "cancelled",
            }[self.status]
            body["result"] = {
                "modelLabel": self.payload["modelLabel"],
                "trainingConfigVersion": self.payload.get("trainingConfigVersion", "2022-05-01"),
                "trainingMode": self.payload["trainingMode"],
                "estimatedEndDateTime": _iso(self.created + self.delay),
                "trainingStatus": {"percentComplete": done, "startDateTime": _iso(self.created), "status": sub_status},
                "evaluationStatus": {
                    "percentComplete": done if self.status == "succeeded" else 0,
                    "status": "succeeded" if self.status == "succeeded" else "notStarted",
                },
            }
        return body


@dataclass
class Project:
    metadata: dict[str, Any]
    created: float
    modified: float
    assets: dict[str, Any] | None = None
    last_trained: float | None = None
    last_deployed: float | None = None
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> {"info": ..., "model": ToyModel}
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    training_job: str | None = None

    def as_json(self) -> dict[str, Any]:
        meta = self.metadata
        body: dict[str, Any] = {
            "createdDateTime": _iso(self.created),
            "lastModifiedDateTime": _iso(self.modified),
            "projectKind": "Conversation",
            "projectName": meta["projectName"],
            "multilingual": bool(meta.get("multilingual", False)),
            "description": meta.get("description") or "",
            "language": meta["language"],
            "settings": copy.deepcopy(meta.get("settings") or {"confidenceThreshold": 0.0}),
        }
        if self.last_trained:
            body["lastTrainedDateTime"] = _iso(self.last_trained)
        if self.last_deployed:
            body["lastDeployedDateTime"] = _iso(self.last_deployed)
        return body


def _normalize_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out = {k: copy.deepcopy(v) for k, v in meta.items() if v is not None}
    out["projectKind"] = "Conversation"
    out.setdefault("multilingual", False)
    out.setdefault("description", "")
    settings = out.get("settings")
    if not isinstance(settings, dict):
        settings = {}
    settings.setdefault("confidenceThreshold", 0.0)
    out["settings"] = settings
    return out


def _normalize_assets(assets: dict[str, Any] | None) -> dict[str, Any]:
    out = copy.deepcopy(assets) if assets else {}
    out["projectKind"] = "Conversation"
    intents = out.setdefault("intents", [])
    if not any(isinstance(i, dict) and i.get("category") == "None" for i in intents):
        intents.insert(0, {"category": "None"})
    out.setdefault("entities", [])
    out.setdefault("utterances", [])
    return out


class EmulatorState:
    """Everything the emulator holds, guarded by one lock. Tests may read it (``handle.state``)."""

    def __init__(
        self,
        *,
        key: str,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        rps: float | None = None,
        job_delay_ms: float = 0,
        seed: int = 0,
        page_size: int = 10,
        fault_retry_after_ms: int = 1000,
        max_projects: int = 500,
    ) -> None:
        if not key:
            raise ValueError("the emulator needs a key")
        if not 0 <= fault_rate < 1:
            raise ValueError("fault_rate must be in [0, 1)")
        self._key = key
        self.latency = latency_ms / 1000.0
        self.fault_rate = fault_rate
        self.rps = rps
        self.job_delay = job_delay_ms / 1000.0
        self.page_size = page_size
        self.fault_retry_after_ms = fault_retry_after_ms
        self.max_projects = max_projects
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.projects: dict[str, Project] = {}
        self.jobs: dict[str, Job] = {}
        self.request_log: list[tuple[str, str]] = []
        self.counters = {
            "requests": 0,
            "faults_429": 0,
            "faults_503": 0,
            "throttled": 0,
            "unauthorized": 0,
            "predictions": 0,
        }
        self._window: deque[float] = deque()
        self._ticks = 637858368000000000

    def __repr__(self) -> str:
        return f"EmulatorState(projects={len(self.projects)}, jobs={len(self.jobs)}, key='***')"

    def key_matches(self, candidate: str | None) -> bool:
        import hmac

        return candidate is not None and hmac.compare_digest(candidate.encode(), self._key.encode())

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_job(self, kind: str, project: str, **payload: Any) -> Job:
        now = time.time()
        job = Job(f"{self.new_id()}_{self._ticks}", kind, project, now, self.job_delay, payload=payload)
        self.jobs[job.job_id] = job
        return job

    # -- time passes ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance every job whose time has come (effects are applied when a job completes)."""
        now = time.time()
        for job in list(self.jobs.values()):
            if job.status in TERMINAL:
                continue
            if job.cancel_requested:
                if job.status == "cancelling":
                    self._finish(job, "cancelled", now)
                else:
                    job.status, job.updated = "cancelling", now
                continue
            elapsed = now - job.created
            if job.delay > 0 and elapsed < job.delay:
                new = "notStarted" if elapsed < job.delay / 4 else "running"
                if new != job.status:
                    job.status, job.updated = new, now
                continue
            self._complete(job, now)

    def _finish(self, job: Job, status: str, now: float) -> None:
        job.status, job.updated = status, now
        project = self.projects.get(job.project)
        if job.kind == "train" and project is not None and project.training_job == job.job_id:
            project.training_job = None

    def _complete(self, job: Job, now: float) -> None:
        project = self.projects.get(job.project)
        if job.kind == "delete":
            self.projects.pop(job.project, None)
            self._finish(job, "succeeded", now)
            return
        if project is None:
            job.errors = [{"code": "ProjectNotFound", "message": f"project {job.project!r} no longer exists"}]
            self._finish(job, "failed", now)
            return
        if job.kind == "import":
            file = job.payload["file"]
            problems = content_problems(file.get("assets") or {})
            if problems:
                job.errors = [p.as_json() for p in problems]
                self._finish(job, "failed", now)
                return
            project.metadata = _normalize_metadata({**project.metadata, **file["metadata"]})
            project.assets = _normalize_assets(file.get("assets"))
            project.modified = now
        elif job.kind == "export":
            job.payload["file"] = self.export_file(project)
        elif job.kind == "train":
            label = job.payload["modelLabel"]
            model = ToyModel.train(job.payload["assets"], job.payload.get("settings"))
            stamp = datetime.fromtimestamp(now, tz=timezone.utc)
            project.models[label] = {
                "info": {
                    "label": label,
                    "modelId": f"{label}-{stamp:%Y%m%dT%H%M%S}-{uuid.UUID(self.new_id()).hex}",
                    "lastTrainedDateTime": _iso(now),
                    "lastTrainingDurationInSeconds": int(now - job.created),
                    "modelExpirationDate": (stamp + timedelta(days=365)).strftime("%Y-%m-%d"),
                    "modelTrainingConfigVersion": job.payload.get("trainingConfigVersion", "2022-05-01"),
                    "hasSnapshot": True,
                },
                "model": model,
            }
            project.last_trained = now
        elif job.kind == "deploy":
            name, label = job.payload["deployment"], job.payload["modelLabel"]
            trained = project.models.get(label)
            if trained is None:
                job.errors = [{"code": "NotFound", "message": f"model {label!r} no longer exists"}]
                self._finish(job, "failed", now)
                return
            stamp = datetime.fromtimestamp(now, tz=timezone.utc)
            project.deployments[name] = {
                "info": {
                    "deploymentName": name,
                    "modelId": trained["info"]["modelId"],
                    "lastTrainedDateTime": trained["info"]["lastTrainedDateTime"],
                    "lastDeployedDateTime": _iso(now),
                    "deploymentExpirationDate": (stamp + timedelta(days=365)).strftime("%Y-%m-%d"),
                    "modelTrainingConfigVersion": trained["info"]["modelTrainingConfigVersion"],
                },
                "model": trained["model"],
            }
            project.last_deployed = now
        elif job.kind == "undeploy":
            project.deployments.pop(job.payload["deployment"], None)
        self._finish(job, "succeeded", now)

    def export_file(self, project: Project) -> dict[str, Any]:
        meta = project.as_json()
        metadata = {
            k: meta[k] for k in ("projectKind", "projectName", "multilingual", "description", "language", "settings")
        }
        for key, value in project.metadata.items():  # keep what the service would echo (e.g. storage fields)
            metadata.setdefault(key, copy.deepcopy(value))
        return {
            "projectFileVersion": "2023-04-01",
            "stringIndexType": "Utf16CodeUnit",
            "metadata": metadata,
            "assets": _normalize_assets(project.assets),
        }

    # -- gatekeeping ----------------------------------------------------------------------------

    def admit(self) -> HttpError | None:
        """Rate limit and injected faults for one request (None = serve it)."""
        now = time.monotonic()
        if self.rps:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.rps:
                self.counters["throttled"] += 1
                wait = max(0.001, 1.0 - (now - self._window[0]))
                return HttpError(
                    429,
                    "429",
                    f"Rate limit is exceeded. Try again in {math.ceil(wait)} seconds.",
                    headers={
                        "Retry-After": str(max(1, math.ceil(wait))),
                        "retry-after-ms": str(max(1, int(wait * 1000))),
                    },
                )
            self._window.append(now)
        if self.fault_rate and self.rng.random() < self.fault_rate:
            ms = self.fault_retry_after_ms
            if self.rng.random() < 0.5:
                self.counters["faults_429"] += 1
                return HttpError(
                    429,
                    "429",
                    "Rate limit is exceeded (injected fault).",
                    headers={"Retry-After": str(max(1, math.ceil(ms / 1000))), "retry-after-ms": str(ms)},
                )
            self.counters["faults_503"] += 1
            return HttpError(503, "ServiceUnavailable", "The service is temporarily unavailable (injected fault).")
        return None


# -- routing --------------------------------------------------------------------------------------------

_SEG = r"([^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile("^" + p + "$"), h)
    for m, p, h in [
        ("POST", re.escape(RUNTIME), "analyze"),
        ("GET", re.escape(AUTHORING), "list_projects"),
        ("GET", re.escape(AUTHORING) + r"/global/deletion-jobs/" + _SEG, "get_deletion_job"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG, "get_project"),
        ("PATCH", re.escape(AUTHORING) + "/" + _SEG, "patch_project"),
        ("DELETE", re.escape(AUTHORING) + "/" + _SEG, "delete_project"),
        ("POST", re.escape(AUTHORING) + "/" + _SEG + "/:import", "import_project"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/import/jobs/" + _SEG, "get_import_job"),
        ("POST", re.escape(AUTHORING) + "/" + _SEG + "/:export", "export_project"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/export/jobs/" + _SEG, "get_export_job"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/export/jobs/" + _SEG + "/result", "get_export_result"),
        ("POST", re.escape(AUTHORING) + "/" + _SEG + "/:train", "train"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/train/jobs", "list_train_jobs"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/train/jobs/" + _SEG, "get_train_job"),
        ("POST", re.escape(AUTHORING) + "/" + _SEG + "/train/jobs/" + _SEG + "/:cancel", "cancel_train"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/models", "list_models"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/models/" + _SEG, "get_model"),
        ("DELETE", re.escape(AUTHORING) + "/" + _SEG + "/models/" + _SEG, "delete_model"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/deployments", "list_deployments"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/deployments/" + _SEG, "get_deployment"),
        ("PUT", re.escape(AUTHORING) + "/" + _SEG + "/deployments/" + _SEG, "deploy"),
        ("DELETE", re.escape(AUTHORING) + "/" + _SEG + "/deployments/" + _SEG, "undeploy"),
        ("GET", re.escape(AUTHORING) + "/" + _SEG + "/deployments/" + _SEG + "/jobs/" + _SEG, "get_deploy_job"),
    ]
]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    base: str  # scheme://host:port as the client reached us

    def json(self) -> Any:
        if not self.body:
            raise _unparsable("The request body is empty.")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise _unparsable("The request body is not valid JSON.") from None


Response = tuple[int, Any, dict[str, str]]


def _check_patch(body: dict[str, Any], name: str) -> None:
    """A project PATCH body's rules (name, kind, settings), as CLU answers them: 400 at the first one broken."""
    why = resource_name_problem(name)
    if why:
        raise HttpError(400, "InvalidArgument", f"project name {name!r} {why}", target="projectName")
    if body.get("projectName", name) != name:
        raise HttpError(400, "InvalidArgument", "projectName must equal the project in the URL", target="projectName")
    kind = body.get("projectKind")
    if kind is not None and (not isinstance(kind, str) or kind.lower() != "conversation"):
        raise HttpError(400, "InvalidArgument", "only Conversation projects are supported", target="projectKind")
    problems = settings_problems(body.get("settings"), ("settings",))
    if problems:
        message, where = problems[0]
        raise HttpError(400, "InvalidArgument", message, target=".".join(where))


def _merge_patch(metadata: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` with ``body`` applied as a JSON merge patch (RFC 7396), one level deep for settings."""
    merged = copy.deepcopy(metadata)
    for key, value in body.items():
        if value is None:
            merged.pop(key, None)
        elif key == "settings" and isinstance(value, dict):
            current = merged.setdefault("settings", {})
            for skey, svalue in value.items():
                if svalue is None:
                    current.pop(skey, None)
                else:
                    current[skey] = svalue
        else:
            merged[key] = value
    return merged


class Api:
    """The operations; each returns (status, json body or None, headers). Called with the state lock held."""

    def __init__(self, state: EmulatorState) -> None:
        self.s = state

    def _project(self, name: str) -> Project:
        project = self.s.projects.get(name)
        if project is None:
            raise _not_found("project", name, "ProjectNotFound")
        return project

    def _accepted(self, req: Request, job: Job) -> Response:
        return 202, None, {"operation-location": f"{req.base}{job.status_path()}?api-version={API_VERSIONS[0]}"}

    def _job(self, kind: str | tuple[str, ...], project: str | None, job_id: str, req: Request) -> Response:
        kinds = (kind,) if isinstance(kind, str) else kind
        job = self.s.jobs.get(job_id)
        if job is None or job.kind not in kinds or (project is not None and job.project != project):
            raise _not_found("job", job_id)
        if job.kind == "export" and job.status == "succeeded" and job.result_url is None:
            job.result_url = f"{req.base}{job.status_path()}/result?api-version={API_VERSIONS[0]}"
        return 200, job.as_json(time.time()), {}

    # projects
    def list_projects(self, req: Request) -> Response:
        try:
            skip = int(req.query.get("skip", 0))
            top = int(req.query.get("top") or req.query.get("maxpagesize") or self.s.page_size)
        except ValueError:
            raise HttpError(400, "InvalidArgument", "top and skip must be integers") from None
        top = max(1, min(top, self.s.page_size))
        names = sorted(self.s.projects)
        page = [self.s.projects[n].as_json() for n in names[skip : skip + top]]
        next_link = None
        if skip + top < len(names):
            next_link = f"{req.base}{AUTHORING}?top={top}&skip={skip + top}&api-version={API_VERSIONS[0]}"
        return 200, {"value": page, "nextLink": next_link}, {}

    def get_project(self, req: Request, name: str) -> Response:
        return 200, self._project(name).as_json(), {}

    def patch_project(self, req: Request, name: str) -> Response:
        body = req.json()
        if not isinstance(body, dict):
            raise HttpError(400, "InvalidArgument", "Failed to parse the input.")
        _check_patch(body, name)
        now = time.time()
        project = self.s.projects.get(name)
        if project is None:
            return self._create_project(body, name, now)
        project.metadata = _normalize_metadata({**_merge_patch(project.metadata, body), "projectName": name})
        project.modified = now
        return 200, project.as_json(), {}

    def _create_project(self, body: dict[str, Any], name: str, now: float) -> Response:
        missing = [k for k in ("projectKind", "language") if not body.get(k)]
        if missing:
            raise HttpError(400, "InvalidArgument", f"creating a project needs {', '.join(missing)}", target=missing[0])
        if len(self.s.projects) >= self.s.max_projects:
            raise HttpError(400, "QuotaExceeded", f"a resource holds at most {self.s.max_projects} projects")
        project = Project(_normalize_metadata({**body, "projectName": name}), now, now)
        self.s.projects[name] = project
        return 201, project.as_json(), {}

    def delete_project(self, req: Request, name: str) -> Response:
        self._project(name)
        return self._accepted(req, self.s.new_job("delete", name))

    def get_deletion_job(self, req: Request, job_id: str) -> Response:
        return self._job("delete", None, job_id, req)

    # import / export
    def import_project(self, req: Request, name: str) -> Response:
        fmt = req.query.get("format")
        if fmt is not None and fmt not in ("Conversation", "Luis"):
            raise HttpError(400, "InvalidArgument", f"unknown format {fmt!r}", target="format")
        if fmt == "Luis":
            raise HttpError(
                400, "InvalidArgument", "the emulator imports only the Conversation format", target="format"
            )
        why = resource_name_problem(name)
        if why:
            raise HttpError(400, "InvalidArgument", f"project name {name!r} {why}", target="projectName")
        body = req.json()
        problems = structure_problems(body, name)
        if problems:
            raise HttpError(
                400,
                "InvalidArgument",
                "Invalid project file.",
                target=problems[0].target,
                details=[p.as_json() for p in problems],
            )
        project = self.s.projects.get(name)
        if project is None:
            if len(self.s.projects) >= self.s.max_projects:
                raise HttpError(400, "QuotaExceeded", f"a resource holds at most {self.s.max_projects} projects")
            now = time.time()
            project = Project(_normalize_metadata({**body["metadata"], "projectName": name}), now, now)
            self.s.projects[name] = project
        return self._accepted(req, self.s.new_job("import", name, file=copy.deepcopy(body)))

    def get_import_job(self, req: Request, name: str, job_id: str) -> Response:
        return self._job("import", name, job_id, req)

    def export_project(self, req: Request, name: str) -> Response:
        if req.query.get("stringIndexType") != "Utf16CodeUnit":
            raise HttpError(
                400, "InvalidArgument", "stringIndexType=Utf16CodeUnit is required", target="stringIndexType"
            )
        self._project(name)
        return self._accepted(req, self.s.new_job("export", name))

    def get_export_job(self, req: Request, name: str, job_id: str) -> Response:
        return self._job("export", name, job_id, req)

    def get_export_result(self, req: Request, name: str, job_id: str) -> Response:
        job = self.s.jobs.get(job_id)
        if job is None or job.kind != "export" or job.project != name or job.status != "succeeded":
            raise _not_found("export result", job_id)
        return 200, job.payload["file"], {}

    # training & models
    def train(self, req: Request, name: str) -> Response:
        project = self._project(name)
        body = req.json()
        if not isinstance(body, dict):
            raise HttpError(400, "InvalidArgument", "Failed to parse the input.")
        label, mode = body.get("modelLabel"), body.get("trainingMode")
        why = resource_name_problem(label)
        if why:
            raise HttpError(400, "InvalidArgument", f"modelLabel {label!r} {why}", target="modelLabel")
        if mode not in ("standard", "advanced"):
            raise _unparsable("trainingMode must be standard or advanced", "trainingMode")
        language = str(project.metadata.get("language", "")).lower()
        if mode == "standard" and (project.metadata.get("multilingual") or language not in ("en-us", "en-gb", "en")):
            raise HttpError(
                400,
                "InvalidArgument",
                "standard training supports only English, non-multilingual projects; use advanced",
                target="trainingMode",
            )
        if project.training_job is not None:
            raise HttpError(
                409, "Conflict", f"a training job ({project.training_job}) is already running", target="projectName"
            )
        if label not in project.models and len(project.models) >= 10:
            raise HttpError(400, "QuotaExceeded", "a project holds at most 10 trained models", target="modelLabel")
        assets = _normalize_assets(project.assets)
        if not any(u for u in assets["utterances"] if u.get("dataset") != "Test"):
            raise HttpError(400, "InvalidArgument", "the project has no training utterances", target="assets")
        job = self.s.new_job(
            "train",
            name,
            modelLabel=label,
            trainingMode=mode,
            assets=assets,
            settings=copy.deepcopy(project.metadata.get("settings")),
            trainingConfigVersion=body.get("trainingConfigVersion") or "2022-05-01",
        )
        project.training_job = job.job_id
        return self._accepted(req, job)

    def list_train_jobs(self, req: Request, name: str) -> Response:
        self._project(name)
        now = time.time()
        jobs = [j.as_json(now) for j in self.s.jobs.values() if j.kind == "train" and j.project == name]
        return 200, {"value": jobs, "nextLink": None}, {}

    def get_train_job(self, req: Request, name: str, job_id: str) -> Response:
        return self._job("train", name, job_id, req)

    def cancel_train(self, req: Request, name: str, job_id: str) -> Response:
        job = self.s.jobs.get(job_id)
        if job is None or job.kind != "train" or job.project != name:
            raise _not_found("job", job_id)
        if job.status not in TERMINAL:
            job.cancel_requested = True
        return self._accepted(req, job)

    def list_models(self, req: Request, name: str) -> Response:
        return _listing(self._project(name).models)

    def get_model(self, req: Request, name: str, label: str) -> Response:
        return _info(self._project(name).models, "model", label)

    def delete_model(self, req: Request, name: str, label: str) -> Response:
        project = self._project(name)
        if project.models.pop(label, None) is None:
            raise _not_found("model", label)
        return 204, None, {}

    # deployments
    def list_deployments(self, req: Request, name: str) -> Response:
        return _listing(self._project(name).deployments)

    def get_deployment(self, req: Request, name: str, deployment: str) -> Response:
        return _info(self._project(name).deployments, "deployment", deployment)

    def deploy(self, req: Request, name: str, deployment: str) -> Response:
        project = self._project(name)
        why = resource_name_problem(deployment)
        if why:
            raise HttpError(400, "InvalidArgument", f"deployment name {deployment!r} {why}", target="deploymentName")
        body = req.json()
        label = body.get("trainedModelLabel") if isinstance(body, dict) else None
        if not isinstance(label, str):
            raise HttpError(400, "InvalidArgument", "trainedModelLabel is required", target="trainedModelLabel")
        if label not in project.models:
            raise HttpError(400, "InvalidArgument", f"there is no trained model {label!r}", target="trainedModelLabel")
        if deployment not in project.deployments and len(project.deployments) >= 10:
            raise HttpError(400, "QuotaExceeded", "a project holds at most 10 deployments")
        return self._accepted(req, self.s.new_job("deploy", name, deployment=deployment, modelLabel=label))

    def undeploy(self, req: Request, name: str, deployment: str) -> Response:
        project = self._project(name)
        if deployment not in project.deployments:
            raise _not_found("deployment", deployment)
        return self._accepted(req, self.s.new_job("undeploy", name, deployment=deployment))

    def get_deploy_job(self, req: Request, name: str, deployment: str, job_id: str) -> Response:
        job = self.s.jobs.get(job_id)
        if job is None or job.payload.get("deployment") != deployment:
            raise _not_found("job", job_id)
        return self._job(("deploy", "undeploy"), name, job_id, req)

    # runtime
    def analyze(self, req: Request) -> Response:
        body = req.json()
        if not isinstance(body, dict) or body.get("kind") != "Conversation":
            raise _unparsable("kind must be Conversation", "kind")
        item = (body.get("analysisInput") or {}).get("conversationItem")
        params = body.get("parameters")
        if not isinstance(item, dict) or not isinstance(params, dict):
            raise HttpError(400, "InvalidArgument", "analysisInput.conversationItem and parameters are required")
        missing = [k for k in ("id", "participantId", "text") if not isinstance(item.get(k), str)]
        missing += [k for k in ("projectName", "deploymentName") if not isinstance(params.get(k), str)]
        if missing:
            raise HttpError(
                400, "InvalidArgument", f"missing required field(s): {', '.join(missing)}", target=missing[0]
            )
        text = item["text"]
        if not 1 <= len(text) <= LIMITS["query_length"]:
            raise HttpError(
                400, "InvalidArgument", f"text must be 1 to {LIMITS['query_length']} characters long", target="text"
            )
        index_type = normalize_index_type(params.get("stringIndexType"))
        if index_type is None:
            raise _unparsable(f"unknown stringIndexType {params['stringIndexType']!r}", "stringIndexType")
        project = self.s.projects.get(params["projectName"])
        dep = project.deployments.get(params["deploymentName"]) if project else None
        if dep is None:
            raise HttpError(
                404,
                "NotFound",
                "The specfied deployement cannot be found within the provided subscription",
                headers={"x-ms-error-code": "NotFound"},
            )
        model: ToyModel = dep["model"]
        self.s.counters["predictions"] += 1
        ranked = model.score_intents(text)
        return (
            200,
            {
                "kind": "ConversationResult",
                "result": {
                    "query": text,
                    "prediction": {
                        "projectKind": "Conversation",
                        "topIntent": model.top_intent(ranked),
                        "intents": ranked,
                        "entities": model.find_entities(text, index_type),
                    },
                },
            },
            {},
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 65536  # headers and body leave in one segment (no Nagle / delayed-ACK stalls)
    disable_nagle_algorithm = True
    server_version = "hfx-clu-emulator"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the state keeps its own request log (no headers, so never the key)

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("apim-request-id", str(uuid.uuid4()))
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        with state.lock:
            state.request_log.append((self.command, self.path))
            state.counters["requests"] += 1
        if state.latency:
            time.sleep(state.latency)
        try:
            if not state.key_matches(self.headers.get("Ocp-Apim-Subscription-Key")):
                with state.lock:
                    state.counters["unauthorized"] += 1
                raise HttpError(
                    401,
                    "401",
                    "Access denied due to invalid subscription key or wrong API endpoint. "
                    "Make sure to provide a valid key for an active subscription and use a correct "
                    "regional API endpoint for your resource.",
                )
            with state.lock:
                refused = state.admit()
            if refused is not None:
                raise refused
            query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            version = query.get("api-version")
            if version not in API_VERSIONS:
                raise HttpError(
                    400,
                    "InvalidRequest" if version is None else "InvalidArgument",
                    f"api-version {version!r} is not supported; use {API_VERSIONS[0]}",
                    target="api-version",
                )
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            req = Request(self.command, unquote(split.path), query, body, f"http://{host}")
            status, payload, headers = self._route(req, split.path)
        except HttpError as exc:
            status, payload, headers = exc.status, exc.body(), dict(exc.headers)
            if exc.status >= 400 and "x-ms-error-code" not in headers:
                headers["x-ms-error-code"] = exc.code
        except Exception:  # pragma: no cover - an emulator bug must still answer
            log.exception("emulator error on %s %s", self.command, split.path)
            status, payload, headers = 500, {"error": {"code": "InternalServerError", "message": "emulator error"}}, {}
        self._send(status, payload, headers)

    def _route(self, req: Request, raw_path: str) -> Response:
        api = Api(self.server.state)
        path_known = False
        for method, pattern, handler in ROUTES:
            match = pattern.match(raw_path)
            if match is None:
                continue
            path_known = True
            if method != req.method:
                continue
            args = [unquote(g) for g in match.groups()]
            if handler in ("get_project", "patch_project", "delete_project") and args[0] == "global":
                continue
            with self.server.state.lock:
                self.server.state.tick()
                return getattr(api, handler)(req, *args)
        if path_known:
            raise HttpError(405, "InvalidRequest", f"method {req.method} is not allowed here")
        raise HttpError(404, "NotFound", "Resource not found")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        self.state = state
        super().__init__(address, _Handler)


class EmulatorHandle:
    """A running emulator: ``url``, ``state``, ``stop()``; also a context manager."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.state = server.state
        host, port = server.socket.getsockname()[:2]  # (str, int) on an IPv4/IPv6 socket
        self.host: str = host
        self.port: int = port
        shown = f"[{host}]" if ":" in str(host) else host
        self.url = f"http://{shown}:{port}"

    def __repr__(self) -> str:
        return f"EmulatorHandle(url={self.url!r})"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def request_log(self) -> list[tuple[str, str]]:
        with self.state.lock:
            return list(self.state.request_log)


def start_emulator(*, host: str = "127.0.0.1", port: int = 0, key: str, **options: Any) -> EmulatorHandle:
    """Start the emulator in a background thread (``port=0`` picks a free port).

    ``options``: latency_ms, fault_rate, rps, job_delay_ms, seed, page_size, fault_retry_after_ms, max_projects.
    """
    state = EmulatorState(key=key, **options)
    server = _Server((host, port), state)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"clu-emulator-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return EmulatorHandle(server, thread)
