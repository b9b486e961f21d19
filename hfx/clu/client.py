"""CLU REST client (api-version 2023-04-01) over ``requests``.

* Every call has a timeout. 429 is retried honouring ``retry-after-ms`` / ``Retry-After``; 408/5xx and connection
  errors are retried with exponential backoff (bounded attempts). Read timeouts are retried only for idempotent calls.
* Long-running jobs are polled with a deadline and an optional per-call cancellation check (a callable returning
  ``True`` or a :class:`threading.Event`) - never shared state.
* Errors are typed (:mod:`hfx.clu.errors`) and carry CLU's ``code``, ``message`` and the HTTP status.
* The key is sent only as the ``Ocp-Apim-Subscription-Key`` header; it never appears in URLs, reprs or logs.
* One client can be used from many threads: each thread gets its own :class:`requests.Session`. An optional
  ``max_rps`` spaces request starts evenly across all threads (stay under a resource's rate limit).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, overload
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from hfx.clu.errors import (
    CluCancelled,
    CluError,
    CluNotFound,
    JobFailed,
    JobTimeout,
    ServiceError,
    Throttled,
    error_class,
)

log = logging.getLogger("hfx.clu")

API_VERSION = "2023-04-01"
AUTHORING = "/language/authoring/analyze-conversations"
RUNTIME = "/language/:analyze-conversations"
KEY_HEADER = "Ocp-Apim-Subscription-Key"

#: What a caller may pass to stop polling: a callable answering "cancelled?" or an Event.
CancelCheck = Callable[[], bool] | threading.Event | None
ProgressCallback = Callable[[dict[str, Any]], None] | None

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RUNNING = frozenset({"notstarted", "running", "cancelling"})
INDEX_TYPES = ("Utf16CodeUnit", "UnicodeCodePoint", "TextElements_v8")


def is_cancelled(cancel: CancelCheck) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def _seg(name: str) -> str:
    return quote(name, safe="")


def _redact_url(url: str) -> str:
    """The URL as logged: scheme, host, path and query (no userinfo). Keys never travel in URLs anyway."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def _with_api_version(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "api-version"]
    query.append(("api-version", API_VERSION))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def parse_retry_after(headers: Any, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``x-ms-retry-after-ms`` / ``Retry-After`` (seconds or HTTP date)."""
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) / 1000.0)
            except ValueError:
                pass
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _job_done(job: dict[str, Any], shown: str) -> bool:
    """Whether a polled job succeeded (False: still running); JobFailed / CluCancelled / CluError when it ended
    any other way."""
    status = str(job.get("status", "")).lower()
    if status == "succeeded":
        return True
    if status in ("failed", "partiallycompleted"):
        errors = [e for e in job.get("errors") or [] if isinstance(e, dict)]
        first = errors[0] if errors else {}
        raise JobFailed(
            f"job {job.get('jobId', shown)} {status}: {first.get('message', 'no error given')}",
            code=str(first.get("code") or "JobFailed"),
            target=first.get("target"),
            details=errors,
            job=job,
        )
    if status in ("cancelled", "canceled"):
        raise CluCancelled(f"job {job.get('jobId', shown)} was cancelled", job=job)
    if status not in RUNNING:
        raise CluError(f"job {shown} has an unknown status {job.get('status')!r}", code="InvalidResponse")
    return False


@dataclass(frozen=True)
class Training:
    """What a training job is asked for (CLU's train request, but the model label)."""

    mode: str = "standard"
    config_version: str | None = None
    #: CLU's ``evaluationOptions`` (None: CLU's default, a percentage split).
    evaluation: dict[str, Any] | None = None


class CluClient:
    """Client for one CLU resource. ``repr`` shows the endpoint only."""

    def __init__(
        self,
        endpoint: str,
        key: str,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 60.0,
        poll_interval: float = 1.0,
        poll_deadline: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pool_size: int = 16,
        seed: int | None = None,
        max_rps: float | None = None,
    ) -> None:
        if not key:
            raise ValueError("a CLU key is required")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if max_rps is not None and max_rps <= 0:
            raise ValueError("max_rps must be positive")
        self.endpoint = endpoint.strip().rstrip("/")
        self.__key = key
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.poll_interval = poll_interval
        self.poll_deadline = poll_deadline
        self._sleep = sleep
        self._clock = clock
        self._pool_size = pool_size
        self._local = threading.local()
        self._sessions: list[Any] = []
        self._lock = threading.Lock()
        self._jitter = random.Random(seed)
        self.max_rps = max_rps
        self._next_slot = 0.0
        #: Counters (thread-safe) for reports and tests: requests sent, retries done.
        self.stats = {"requests": 0, "retries": 0}

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> CluClient:
        return cls(settings.endpoint, settings.key, **kwargs)

    def __repr__(self) -> str:
        return f"CluClient(endpoint={self.endpoint!r}, key='***')"

    # -- plumbing -------------------------------------------------------------------------------

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter

            session = requests.Session()
            session.trust_env = False  # no proxies/.netrc auth picked up behind our back
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self._pool_size, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def __enter__(self) -> CluClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _count(self, name: str) -> None:
        with self._lock:
            self.stats[name] += 1

    def url(self, path: str) -> str:
        return self.endpoint + path

    def _backoff(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        with self._lock:
            return base * (0.5 + self._jitter.random() / 2)

    def _pace(self, cancel: CancelCheck) -> None:
        """Client-side rate limit shared by every thread: request starts are spaced ``1 / max_rps`` apart."""
        if not self.max_rps:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.max_rps
        self._wait(slot - now, cancel)

    def _wait(self, seconds: float, cancel: CancelCheck = None) -> None:
        """Sleep ``seconds``, waking early (raising :class:`CluCancelled`) when ``cancel`` fires."""
        if seconds <= 0:
            return
        if cancel is None:
            self._sleep(seconds)
            return
        end = self._clock() + seconds
        while True:
            if is_cancelled(cancel):
                raise CluCancelled("cancelled by the caller")
            left = end - self._clock()
            if left <= 0:
                return
            self._sleep(min(left, 0.05))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        idempotent: bool | None = None,
        cancel: CancelCheck = None,
    ) -> Any:
        """One CLU call with retries (``body``: sent as JSON); returns the :class:`requests.Response` of a 2xx
        answer or raises."""
        import requests

        if idempotent is None:
            idempotent = method.upper() in ("GET", "PUT", "DELETE", "PATCH", "HEAD")
        query = {"api-version": API_VERSION}
        if params:
            query.update({k: v for k, v in params.items() if v is not None})
        headers = {KEY_HEADER: self.__key, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = content_type or "application/json"
        # api-version goes into the URL here so that a nextLink/operation-location keeps its own parameters.
        full = _with_api_version(url)
        shown = _redact_url(full)
        attempt = 0
        while True:
            attempt += 1
            if is_cancelled(cancel):
                raise CluCancelled("cancelled by the caller")
            self._pace(cancel)
            self._count("requests")
            started = time.monotonic()
            try:
                resp = self._session().request(
                    method,
                    full,
                    params={k: v for k, v in query.items() if k != "api-version"},
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                retryable = idempotent or not isinstance(exc, requests.ReadTimeout)
                kind = type(exc).__name__
                log.debug(
                    "%s %s -> %s after %.3fs (attempt %d)", method, shown, kind, time.monotonic() - started, attempt
                )
                if not retryable or attempt >= self.max_attempts:
                    reason = (
                        f"no answer within {self.timeout:g}s"
                        if isinstance(exc, requests.Timeout)
                        else "cannot connect (is the endpoint right and reachable?)"
                    )
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    raise ServiceError(f"{method} {shown} failed{tries}: {reason}", code=kind) from None
                delay = self._backoff(attempt)
                self._count("retries")
                log.info("CLU %s %s: %s, retry %d in %.2fs", method, shown, kind, attempt, delay)
                self._wait(delay, cancel)
                continue
            elapsed = time.monotonic() - started
            status = resp.status_code
            log.debug("%s %s -> %d in %.3fs (attempt %d)", method, shown, status, elapsed, attempt)
            if 200 <= status < 300:
                return resp
            if status in RETRY_STATUSES and attempt < self.max_attempts:
                hinted = parse_retry_after(resp.headers)
                delay = self._backoff(attempt) if hinted is None else min(hinted, self.max_retry_after)
                self._count("retries")
                log.info("CLU %s %s: HTTP %d, retry %d in %.2fs", method, shown, status, attempt, delay)
                resp.close()
                self._wait(delay, cancel)
                continue
            raise self._error(resp)

    @staticmethod
    def _error(resp: Any) -> CluError:
        status = resp.status_code
        body: Any = None
        try:
            body = resp.json()
        except ValueError:
            body = None
        err = body.get("error") if isinstance(body, dict) else None
        if not isinstance(err, dict):
            err = {}
        code = str(err.get("code") or resp.headers.get("x-ms-error-code") or status)
        message = str(err.get("message") or resp.reason or f"HTTP {status}")
        cls = error_class(status)
        kwargs: dict[str, Any] = {
            "code": code,
            "status": status,
            "target": err.get("target"),
            "details": err.get("details") if isinstance(err.get("details"), list) else None,
            "request_id": resp.headers.get("apim-request-id"),
        }
        if cls is Throttled:
            return Throttled(message, retry_after=parse_retry_after(resp.headers), **kwargs)
        return cls(message, **kwargs)

    def _json(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url(path_or_url)
        resp = self.request(method, url, **kwargs)
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise CluError(
                f"CLU answered non-JSON to {method} {_redact_url(url)}", code="InvalidResponse", status=resp.status_code
            ) from None

    def _start(self, method: str, path: str, **kwargs: Any) -> str:
        """Start a long-running operation; returns its absolute ``operation-location``."""
        resp = self.request(method, self.url(path), **kwargs)
        location = resp.headers.get("operation-location")
        if not location:
            raise CluError(
                f"CLU answered {resp.status_code} without operation-location to {method} {path}",
                code="InvalidResponse",
                status=resp.status_code,
            )
        return location

    def _pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        url: str | None = self.url(path)
        first = True
        while url:
            body = self._json("GET", url, params=params if first else None) or {}
            first = False
            if not isinstance(body, dict) or not isinstance(body.get("value") or [], list):
                raise CluError(
                    f"CLU answered an unexpected list page to GET {_redact_url(url)}", code="InvalidResponse"
                )
            yield from body.get("value") or []
            url = body.get("nextLink") or None

    # -- long-running jobs ----------------------------------------------------------------------

    def wait_job(
        self,
        location: str,
        *,
        deadline: float | None = None,
        cancel: CancelCheck = None,
        on_progress: ProgressCallback = None,
        interval: float | None = None,
    ) -> dict[str, Any]:
        """Poll a job until it succeeds (returns its JSON) or raise JobFailed / CluCancelled / JobTimeout."""
        interval = self.poll_interval if interval is None else interval
        limit = self.poll_deadline if deadline is None else deadline
        end = self._clock() + limit
        shown = _redact_url(location)
        while True:
            resp = self.request("GET", location, cancel=cancel)
            try:
                job = resp.json()
            except ValueError:
                job = None
            if not isinstance(job, dict):
                raise CluError(
                    f"CLU answered an unexpected job status to GET {shown}",
                    code="InvalidResponse",
                    status=resp.status_code,
                )
            if on_progress is not None:
                on_progress(job)
            if _job_done(job, shown):
                return job
            if is_cancelled(cancel):
                raise CluCancelled("cancelled by the caller", job=job)
            hinted = parse_retry_after(resp.headers)
            delay = interval if hinted is None else min(hinted, self.max_retry_after)
            if self._clock() + delay > end:
                raise JobTimeout(f"job {job.get('jobId', shown)} still {job.get('status')} after {limit:g}s", job=job)
            try:
                self._wait(delay, cancel)
            except CluCancelled as exc:
                exc.job = job
                raise

    # -- projects -------------------------------------------------------------------------------

    def list_projects(self, *, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every project's metadata, following ``nextLink`` pages."""
        return self._pages(f"{AUTHORING}/projects", {"top": page_size} if page_size else None)

    def get_project(self, project: str) -> dict[str, Any]:
        return self._json("GET", f"{AUTHORING}/projects/{_seg(project)}")

    def project_exists(self, project: str) -> bool:
        try:
            self.get_project(project)
        except CluNotFound:
            return False
        return True

    def create_or_update_project(self, project: str, metadata: dict[str, Any]) -> dict[str, Any]:
        """PATCH (merge-patch) the project; creating needs ``projectKind`` and ``language``."""
        body = dict(metadata)
        body["projectName"] = project
        return self._json(
            "PATCH",
            f"{AUTHORING}/projects/{_seg(project)}",
            body=body,
            content_type="application/merge-patch+json",
        )

    @overload
    def delete_project(self, project: str, *, wait: Literal[True] = ..., **poll: Any) -> dict[str, Any]: ...
    @overload
    def delete_project(self, project: str, *, wait: Literal[False], **poll: Any) -> str: ...

    def delete_project(self, project: str, *, wait: bool = True, **poll: Any) -> dict[str, Any] | str:
        location = self._start("DELETE", f"{AUTHORING}/projects/{_seg(project)}")
        return self.wait_job(location, **poll) if wait else location

    def import_project(
        self,
        project: str,
        project_file: dict[str, Any],
        *,
        project_format: str | None = None,
        **poll: Any,
    ) -> dict[str, Any]:
        """Import (replace) the project's data (``project_format``: CLU's ``format`` parameter) and wait for the
        job (``poll``: :meth:`wait_job`'s options); returns the finished job."""
        location = self._start(
            "POST",
            f"{AUTHORING}/projects/{_seg(project)}/:import",
            params={"format": project_format},
            body=project_file,
        )
        return self.wait_job(location, **poll)

    def export_project(self, project: str, *, trained_model_label: str | None = None, **poll: Any) -> dict[str, Any]:
        """Export the project file (``stringIndexType=Utf16CodeUnit``): start, poll, then GET ``resultUrl``."""
        location = self._start(
            "POST",
            f"{AUTHORING}/projects/{_seg(project)}/:export",
            params={"stringIndexType": "Utf16CodeUnit", "trainedModelLabel": trained_model_label},
            idempotent=True,
        )
        job = self.wait_job(location, **poll)
        result_url = job.get("resultUrl")
        if not result_url:
            raise CluError(f"export job {job.get('jobId')} succeeded without resultUrl", code="InvalidResponse")
        return self._json("GET", result_url, cancel=poll.get("cancel"))

    # -- training & models ----------------------------------------------------------------------

    @overload
    def train(
        self, project: str, model_label: str, options: Training | None = ..., *, wait: Literal[True] = ..., **poll: Any
    ) -> dict[str, Any]: ...
    @overload
    def train(
        self, project: str, model_label: str, options: Training | None = ..., *, wait: Literal[False], **poll: Any
    ) -> str: ...

    def train(
        self,
        project: str,
        model_label: str,
        options: Training | None = None,
        *,
        wait: bool = True,
        cancel_remote: bool = True,
        **poll: Any,
    ) -> dict[str, Any] | str:
        """Start training; with ``wait`` poll to the end. When the caller cancels, the CLU job is cancelled too."""
        options = options or Training()
        body: dict[str, Any] = {"modelLabel": model_label, "trainingMode": options.mode}
        if options.config_version:
            body["trainingConfigVersion"] = options.config_version
        if options.evaluation is not None:
            body["evaluationOptions"] = options.evaluation
        location = self._start("POST", f"{AUTHORING}/projects/{_seg(project)}/:train", body=body)
        if not wait:
            return location
        try:
            return self.wait_job(location, **poll)
        except CluCancelled as exc:
            if cancel_remote and str(exc.job.get("status", "")).lower() not in ("cancelled", "canceled"):
                job_id = exc.job.get("jobId") or urlsplit(location).path.rsplit("/", 1)[-1]
                try:
                    self.cancel_training(project, job_id)
                except CluError as cerr:
                    log.warning("could not cancel training job %s of %s: %s", job_id, project, cerr.code)
            raise

    def cancel_training(self, project: str, job_id: str) -> str:
        return self._start(
            "POST", f"{AUTHORING}/projects/{_seg(project)}/train/jobs/{_seg(job_id)}/:cancel", idempotent=True
        )

    def get_training_job(self, project: str, job_id: str) -> dict[str, Any]:
        return self._json("GET", f"{AUTHORING}/projects/{_seg(project)}/train/jobs/{_seg(job_id)}")

    def list_models(self, project: str) -> list[dict[str, Any]]:
        return list(self._pages(f"{AUTHORING}/projects/{_seg(project)}/models"))

    def get_model(self, project: str, label: str) -> dict[str, Any]:
        return self._json("GET", f"{AUTHORING}/projects/{_seg(project)}/models/{_seg(label)}")

    def delete_model(self, project: str, label: str) -> None:
        self.request("DELETE", self.url(f"{AUTHORING}/projects/{_seg(project)}/models/{_seg(label)}"))

    # -- deployments ----------------------------------------------------------------------------

    def list_deployments(self, project: str) -> list[dict[str, Any]]:
        return list(self._pages(f"{AUTHORING}/projects/{_seg(project)}/deployments"))

    def get_deployment(self, project: str, deployment: str) -> dict[str, Any]:
        return self._json("GET", f"{AUTHORING}/projects/{_seg(project)}/deployments/{_seg(deployment)}")

    @overload
    def deploy(
        self, project: str, deployment: str, model_label: str, *, wait: Literal[True] = ..., **poll: Any
    ) -> dict[str, Any]: ...
    @overload
    def deploy(self, project: str, deployment: str, model_label: str, *, wait: Literal[False], **poll: Any) -> str: ...

    def deploy(
        self, project: str, deployment: str, model_label: str, *, wait: bool = True, **poll: Any
    ) -> dict[str, Any] | str:
        """Deploy ``model_label`` as ``deployment``; returns the deployment JSON (GET after the job succeeds)."""
        location = self._start(
            "PUT",
            f"{AUTHORING}/projects/{_seg(project)}/deployments/{_seg(deployment)}",
            body={"trainedModelLabel": model_label},
        )
        if not wait:
            return location
        self.wait_job(location, **poll)
        return self.get_deployment(project, deployment)

    @overload
    def delete_deployment(
        self, project: str, deployment: str, *, wait: Literal[True] = ..., **poll: Any
    ) -> dict[str, Any]: ...
    @overload
    def delete_deployment(self, project: str, deployment: str, *, wait: Literal[False], **poll: Any) -> str: ...

    def delete_deployment(
        self, project: str, deployment: str, *, wait: bool = True, **poll: Any
    ) -> dict[str, Any] | str:
        location = self._start("DELETE", f"{AUTHORING}/projects/{_seg(project)}/deployments/{_seg(deployment)}")
        return self.wait_job(location, **poll) if wait else location

    # -- runtime --------------------------------------------------------------------------------

    def analyze(
        self,
        text: str,
        project: str,
        deployment: str,
        *,
        string_index_type: str = "Utf16CodeUnit",
        language: str | None = None,
        verbose: bool = True,
        item_id: str = "1",
        participant_id: str = "1",
        cancel: CancelCheck = None,
    ) -> dict[str, Any]:
        """``:analyze-conversations`` for one utterance; returns the ``result`` object (query + prediction).

        ``string_index_type`` is always sent explicitly (the service's default is grapheme clusters).
        """
        item: dict[str, Any] = {"id": item_id, "participantId": participant_id, "text": text}
        if language:
            item["language"] = language
        body = {
            "kind": "Conversation",
            "analysisInput": {"conversationItem": item},
            "parameters": {
                "projectName": project,
                "deploymentName": deployment,
                "stringIndexType": string_index_type,
                "verbose": verbose,
            },
        }
        answer = self._json("POST", RUNTIME, body=body, idempotent=True, cancel=cancel) or {}
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, dict):
            raise CluError("CLU answered a prediction without result", code="InvalidResponse")
        return result
