"""What every ``hfx clu`` command shares: the connection options, the client, error handling and plain notes.

:mod:`hfx.cli.clu` and :mod:`hfx.cli.clu_cleanup` both build on this module (neither imports the other's commands).
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import typer

from hfx.cli.common import err_console
from hfx.cli.exits import EXIT_FAIL, fail, handle_errors
from hfx.clu.client import CluClient
from hfx.clu.config import CluSettings
from hfx.clu.errors import CluError, ConfigError
from hfx.logs import StderrHandler

P = ParamSpec("P")
R = TypeVar("R")

EndpointOpt = typer.Option(
    None,
    "--clu-endpoint",
    metavar="URL",
    help="CLU resource endpoint (default: $HFX_CLU_ENDPOINT, then $CLU_ENDPOINT).",
)
KeyFileOpt = typer.Option(
    None,
    "--clu-key-file",
    metavar="FILE",
    help="File holding the CLU key (default: $HFX_CLU_KEY, $CLU_KEY, $HFX_CLU_KEY_FILE).",
)
TimeoutOpt = typer.Option(30.0, "--timeout", min=0.1, metavar="SECONDS", help="Seconds to wait for each HTTP answer.")
JobTimeoutOpt = typer.Option(
    1800.0,
    "--job-timeout",
    min=0.1,
    metavar="SECONDS",
    help="Seconds to wait for a long-running CLU job (import, export, train, deploy).",
)
VerboseOpt = typer.Option(
    0, "--verbose", "-v", count=True, help="Log CLU calls to stderr (-v: retries, -vv: every request; never the key)."
)


def clu_errors(func: Callable[P, R]) -> Callable[P, R]:
    """CLU refusals and failed jobs exit 1 with one line; configuration errors exit 2 (via handle_errors)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConfigError:
            raise
        except CluError as exc:
            raise fail(str(exc), code=EXIT_FAIL) from None

    return handle_errors(wrapper)


@contextmanager
def verbose_logging(verbose: int) -> Iterator[None]:
    """``-v``: hfx's log (retries) on stderr; ``-vv``: every request too (urllib3). Never the key.

    The handler is removed and the levels put back when the command ends: run in-process (tests, notebooks), a
    handler left behind printed every later run's lines once more, or ``--- Logging error ---`` on a closed stream.
    """
    if verbose <= 0:
        yield
        return
    level = logging.DEBUG if verbose > 1 else logging.INFO
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in (("hfx", "urllib3") if verbose > 1 else ("hfx",))]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(previous)


@contextmanager
def open_client(endpoint: str | None, key_file: str | None, timeout: float, verbose: int = 0) -> Iterator[CluClient]:
    """A CLU client for the endpoint and key the options and environment name (:mod:`hfx.clu.config`), closed
    when the command ends, with ``-v`` logging while it lasts."""
    with verbose_logging(verbose):
        settings = CluSettings.resolve(endpoint, key_file)
        with CluClient.from_settings(settings, timeout=timeout) as client:
            yield client


def say(message: str) -> None:
    """One plain line on stderr (no markup interpretation, no hard wrapping: paths stay copyable)."""
    err_console.print(message, markup=False, soft_wrap=True, highlight=False)


@dataclass(frozen=True)
class Connection:
    """The connection options of a ``hfx clu`` command (see :func:`connection_options`)."""

    endpoint: str | None
    key_file: str | None
    timeout: float
    verbose: int
    #: Seconds to wait for a long-running job (commands that start none do not offer ``--job-timeout``).
    job_timeout: float = 1800.0

    def client(self) -> Any:
        """:func:`open_client` for these options (a context manager)."""
        return open_client(self.endpoint, self.key_file, self.timeout, self.verbose)


def connection_options(*, jobs: bool = True) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Give a command that takes ``conn: Connection`` the options ``--clu-endpoint``, ``--clu-key-file``,
    ``--timeout``, ``--job-timeout`` (when ``jobs``) and ``-v``, after its own options, declared once here."""
    added: list[tuple[str, type, Any]] = [
        ("endpoint", str, EndpointOpt),
        ("key_file", str, KeyFileOpt),
        ("timeout", float, TimeoutOpt),
        *([("job_timeout", float, JobTimeoutOpt)] if jobs else []),
        ("verbose", int, VerboseOpt),
    ]
    names = [name for name, _, _ in added]

    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        hints = typing.get_type_hints(func)
        own = [p.replace(annotation=hints[p.name]) for p in inspect.signature(func).parameters.values()]
        params = [p for p in own if p.name != "conn"] + [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
            for name, kind, default in added
        ]

        @functools.wraps(func)
        def command(**kwargs: Any) -> R:
            conn = Connection(**{name: kwargs.pop(name) for name in names})
            return func(conn=conn, **kwargs)

        command.__signature__ = inspect.Signature(params, return_annotation=hints.get("return"))  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params} | {"return": hints.get("return")}
        return command

    return decorate
