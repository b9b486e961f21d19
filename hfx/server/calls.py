"""One log line per call, error mapping, and the log formatters (text and JSON).

The interceptor wraps every unary-unary handler: it maps :class:`BackendError` to a status code with a short
message, turns unexpected exceptions into INTERNAL (traceback logged server-side only) and logs the call once
with method, namespace, integration id, workspace/model id, payload size, duration and status. Payloads,
certificates and keys are never logged.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import grpc

from hfx.backends.base import BackendError
from hfx.logs import StderrHandler
from hfx.server.status import status_for

CALL_LOGGER = "hfx.server.calls"
_QUIET = ("/grpc.health.v1.Health/", "/grpc.reflection.")
_SERVER_FAULTS = (
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.DATA_LOSS,
)


def _status_code(context: grpc.ServicerContext) -> grpc.StatusCode | None:
    """The code the servicer set (``set_code``, ``abort``), else None. ``ServicerContext.code()`` exists since
    grpcio 1.38; the types-grpcio stubs do not declare it yet."""
    code: grpc.StatusCode | None = context.code()  # type: ignore[attr-defined]
    return code


def _fields(method: str, request: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"method": method}
    for name in ("namespace", "integration_id", "workspace_id", "model_id"):
        value = getattr(request, name, None)
        if value:
            out[name] = value
    data = getattr(request, "data", None)
    if isinstance(data, bytes):
        out["request_bytes"] = len(data)
    examples = getattr(request, "examples", None)
    if examples is not None and not isinstance(examples, (bytes, str)):
        out["examples"] = len(examples)
    return out


class CallInterceptor(grpc.ServerInterceptor):
    """Error mapping + one log record per unary call (logger ``hfx.server.calls``)."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.log = logger or logging.getLogger(CALL_LOGGER)

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method: str = handler_call_details.method
        inner = handler.unary_unary
        level = logging.DEBUG if method.startswith(_QUIET) else logging.INFO

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            start = time.perf_counter()
            fields = _fields(method, request)
            peer = context.peer()
            if peer:
                fields["peer"] = peer
            code: grpc.StatusCode
            message = ""
            try:
                response = inner(request, context)
            except BackendError as exc:
                code, message = status_for(exc)
            except Exception:
                aborted = _status_code(context)
                if aborted is not None and aborted != grpc.StatusCode.OK:  # the servicer called context.abort
                    self._log(level, fields, aborted, start)
                    raise
                self.log.exception("unexpected error in %s", method)
                code, message = grpc.StatusCode.INTERNAL, "internal server error"
            else:
                code = _status_code(context) or grpc.StatusCode.OK
                if code == grpc.StatusCode.OK and not context.is_active():
                    code = grpc.StatusCode.CANCELLED
                data = getattr(response, "data", None)
                if isinstance(data, bytes):
                    fields["response_bytes"] = len(data)
                self._log(level, fields, code, start)
                return response
            self._log(level, fields, code, start)
            context.abort(code, message)

        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _log(self, level: int, fields: dict[str, Any], code: grpc.StatusCode, start: float) -> None:
        fields["status"] = code.name
        fields["duration_ms"] = round((time.perf_counter() - start) * 1000, 1)
        if code in _SERVER_FAULTS:
            level = max(level, logging.WARNING)
        self.log.log(
            level,
            "call %s",
            " ".join(f"{k}={_short(v)}" for k, v in fields.items()),
            extra={"hfx_fields": dict(fields)},
        )


def _short(value: Any) -> str:
    text = str(value)
    # quote anything that could break the one-line key=value format (ids come from the client)
    return json.dumps(text) if (not text or not text.isprintable() or " " in text or '"' in text) else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg plus the structured call fields."""

    def format(self, record: logging.LogRecord) -> str:
        obj: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "hfx_fields", None)
        if isinstance(fields, dict):
            obj["msg"] = record.msg.split(" ", 1)[0] if isinstance(record.msg, str) else "call"
            obj.update(fields)
        else:
            obj["msg"] = record.getMessage()
        if record.exc_info:
            obj["exc"] = self.formatException(record.exc_info)
        return json.dumps(obj, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(fmt: str = "text", level: str = "INFO") -> Callable[[], None]:
    """Point the root logger at stderr for ``hfx serve``; returns the function that puts it back as it was.

    The server logs through the root logger while it runs; the caller restores the previous handlers and level
    when the command ends, so nothing is left behind in the process (tests run the command in-process).
    """
    handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = logging.Formatter(TEXT_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    root = logging.getLogger()
    previous, previous_level = list(root.handlers), root.level
    for old in previous:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())

    def restore() -> None:
        root.removeHandler(handler)
        for old in previous:
            root.addHandler(old)
        root.setLevel(previous_level)

    return restore
