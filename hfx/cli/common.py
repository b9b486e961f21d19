"""Helpers shared by the CLI commands: consoles, exit codes, error reporting."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import typer
from rich.console import Console

from hfx.errors import HfxError, InputError

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

#: Human-facing output goes to stderr so stdout stays clean for data (``-o -``).
err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)

F = TypeVar("F", bound=Callable[..., Any])

class InvalidNames(str, Enum):
    """What to do with names CLU would reject."""

    error = "error"
    rewrite = "rewrite"


#: Options shared by every command that maps CLU names to an HF hierarchy.
DelimiterOpt = typer.Option("---", "--delimiter", "-d", help="Intent hierarchy delimiter in CLU names; '' = none.")
TestTagOpt = typer.Option(["Test"], "--test-tag", help="HF tag(s) that mean CLU's Test dataset (repeatable).")


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn hfx errors into a one-line message and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            raise fail(str(exc)) from None
        except HfxError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None

    return wrapper  # type: ignore[return-value]


def read_input(path: str) -> bytes:
    """Read a file, or stdin for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def write_output(path: str | None, data: bytes) -> None:
    """Write atomically to ``path``; ``-`` or ``None`` means stdout."""
    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from hfx.fileio import atomic_write, user_file_mode

    atomic_write(path, data, mode=user_file_mode(path))
