"""Typed errors of the CLU client. Each carries CLU's error ``code``, ``message`` and the HTTP ``status``."""

from __future__ import annotations

from typing import Any

from hfx.errors import HfxError


class CluError(HfxError):
    """Base class: a CLU call failed. ``code``/``message`` are CLU's own (``error.code``/``error.message``)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "Error",
        status: int | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.target = target
        self.details = details or []
        self.request_id = request_id

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status else ""
        code = "" if self.code == str(self.status) else self.code  # Azure's 401 body says code "401"
        text = f"CLU {' '.join(p for p in (where, code) if p)}: {self.message}"
        if self.target:
            text += f" (target: {self.target})"
        shown = [d for d in self.details if isinstance(d, dict)][:5]
        for detail in shown:
            piece = f"{detail.get('code', '')}: {detail.get('message', '')}".strip(": ")
            if detail.get("target"):
                piece += f" (target: {detail['target']})"
            text += f"; {piece}"
        if len(self.details) > len(shown):
            text += f"; ... {len(self.details) - len(shown)} more"
        return text


class BadRequest(CluError):
    """HTTP 400: CLU rejected the request (``InvalidArgument``, ``InvalidRequest``...)."""


class AuthError(CluError):
    """HTTP 401/403: missing or wrong key, or wrong endpoint."""


class CluNotFound(CluError):
    """HTTP 404: project, model, deployment or job does not exist."""


class CluConflict(CluError):
    """HTTP 409: e.g. a second training job while one runs."""


class Throttled(CluError):
    """HTTP 429 still answered after every retry."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServiceError(CluError):
    """HTTP 5xx (or a connection failure) still happening after every retry."""


class JobFailed(CluError):
    """A long-running job ended ``failed`` (or ``partiallyCompleted``); ``job`` is its last status JSON."""

    def __init__(self, message: str, *, job: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.job = job or {}


class CluCancelled(CluError):
    """Polling stopped because the caller cancelled, or the job ended ``cancelled``."""

    def __init__(self, message: str = "cancelled", *, job: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("code", "Cancelled")
        super().__init__(message, **kwargs)
        self.job = job or {}


class JobTimeout(CluError):
    """A job did not finish before the polling deadline (the job itself may still run)."""

    def __init__(self, message: str, *, job: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("code", "Timeout")
        super().__init__(message, **kwargs)
        self.job = job or {}


class ConfigError(CluError):
    """CLU endpoint or key is not configured (or the key file is unreadable)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="Configuration")

    def __str__(self) -> str:
        return self.message


STATUS_ERRORS: dict[int, type[CluError]] = {
    400: BadRequest,
    401: AuthError,
    403: AuthError,
    404: CluNotFound,
    409: CluConflict,
    429: Throttled,
}


def error_class(status: int) -> type[CluError]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status >= 500:
        return ServiceError
    return CluError
