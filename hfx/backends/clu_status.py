"""CLU client errors (:mod:`hfx.clu.errors`) as backend errors, i.e. gRPC status codes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from hfx.backends.base import BackendError, Cancelled, InvalidInput, NotFound, Unavailable
from hfx.clu import errors as clu_errors


@contextlib.contextmanager
def clu_errors_mapped(what: str) -> Iterator[None]:
    """Turn CLU client errors into backend errors (message short, no payload, no key)."""
    try:
        yield
    except clu_errors.CluCancelled as exc:
        raise Cancelled(f"{what}: cancelled") from exc
    except clu_errors.CluNotFound as exc:
        raise NotFound(f"{what}: {exc.message}") from exc
    except (clu_errors.Throttled, clu_errors.ServiceError, clu_errors.JobTimeout) as exc:
        raise Unavailable(f"{what}: CLU is unavailable ({exc.code}: {exc.message})") from exc
    except clu_errors.JobFailed as exc:
        raise InvalidInput(f"{what}: CLU rejected it ({exc.code}: {exc.message})") from exc
    except clu_errors.BadRequest as exc:
        raise InvalidInput(f"{what}: CLU rejected it ({exc.code}: {exc.message})") from exc
    except clu_errors.AuthError as exc:
        raise BackendError(f"{what}: CLU refused the key or endpoint (HTTP {exc.status})") from exc
    except clu_errors.CluError as exc:
        raise BackendError(f"{what}: CLU error {exc.code}: {exc.message}") from exc
