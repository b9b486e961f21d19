"""Backend errors -> gRPC status codes (short messages, never tracebacks)."""

from __future__ import annotations

import grpc

from hfx.backends import base

_CODES: tuple[tuple[type[base.BackendError], grpc.StatusCode], ...] = (
    (base.NotFound, grpc.StatusCode.NOT_FOUND),
    (base.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (base.InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (base.TooLarge, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (base.Unsupported, grpc.StatusCode.UNIMPLEMENTED),
    (base.Cancelled, grpc.StatusCode.CANCELLED),
    (base.Unavailable, grpc.StatusCode.UNAVAILABLE),
)

MAX_DETAILS = 500


def status_for(exc: base.BackendError) -> tuple[grpc.StatusCode, str]:
    """Status code and client-facing message of a backend error."""
    code = grpc.StatusCode.INTERNAL
    for kind, mapped in _CODES:
        if isinstance(exc, kind):
            code = mapped
            break
    message = str(exc) or type(exc).__name__
    if isinstance(exc, base.InvalidInput):
        message = f"invalid payload at {message}" if exc.pointer is not None else message
    if len(message) > MAX_DETAILS:
        message = message[: MAX_DETAILS - 3] + "..."
    return code, message
