"""Helpers shared by the CLI commands: consoles, exit codes, error reporting."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from hfx.errors import HfxError, InputError
from hfx.fileio import Data, check_output, joined, write_user_file

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

#: Environment variables rich reads when it builds a Console (width, height, colour, terminal detection).
_CONSOLE_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


class _Options:
    """Per-invocation settings of the root command (``-q/--quiet``); reset by every ``hfx`` invocation."""

    quiet = False


options = _Options()


def set_quiet(quiet: bool) -> None:
    """``-q/--quiet``: only errors and data from here on (notes, progress and report tables are dropped)."""
    options.quiet = quiet


class LiveConsole:
    """A rich :class:`Console` that follows the environment of the current invocation.

    A Console reads ``COLUMNS``, ``NO_COLOR`` ... once, when it is built; one built at import time would keep the
    first importer's terminal for the life of the process (every later invocation in a test worker, a notebook
    or an embedding program). This one builds a new Console whenever those settings (or ``--quiet``) change and
    otherwise re-uses it. ``quiet_aware`` consoles print nothing under ``-q``; error messages use one that is not.
    """

    def __init__(self, *, stderr: bool, quiet_aware: bool = True) -> None:
        self._stderr = stderr
        self._quiet_aware = quiet_aware
        self._key: tuple[Any, ...] | None = None
        self._console: Console | None = None

    def get(self) -> Console:
        """The Console for the current environment."""
        quiet = self._quiet_aware and options.quiet
        key = (quiet, *(os.environ.get(name) for name in _CONSOLE_ENV))
        if self._console is None or key != self._key:
            self._console = Console(stderr=self._stderr, highlight=False, quiet=quiet)
            self._key = key
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


#: Human-facing output goes to stderr so stdout stays clean for data (``-o -``); ``-q`` silences it.
err_console = LiveConsole(stderr=True)
#: Tables and text that are the command's result (data: never silenced).
out_console = LiveConsole(stderr=False, quiet_aware=False)
#: Error messages: stderr, shown even under ``-q``.
error_console = LiveConsole(stderr=True, quiet_aware=False)

P = ParamSpec("P")
R = TypeVar("R")


def examples(*lines: str) -> str:
    """An "Examples" section for a command's help page (Typer's epilog)."""
    return "Examples:\n\n" + "\n".join(f"  {line}" for line in lines)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 errors``, ``37,454 warnings`` (``plural_form`` for irregular nouns)."""
    return f"{count:,} {noun if count == 1 else (plural_form or noun + 's')}"


def real_renames(renames: dict[str, str]) -> dict[str, str]:
    """The renames that change a name (a rewrite map also lists the names it kept)."""
    return {old: new for old, new in renames.items() if old != new}


class TextJson(str, Enum):
    """``--format`` of the commands that print text for people or one JSON document."""

    text = "text"
    json = "json"


class InvalidNames(str, Enum):
    """What to do with names CLU would reject."""

    error = "error"
    rewrite = "rewrite"


#: Options shared by every command that maps CLU names to an HF hierarchy.
DelimiterOpt = typer.Option(
    "---", "--delimiter", "-d", metavar="TEXT", help="Intent hierarchy delimiter in CLU names; '' = none."
)
TestTagOpt = typer.Option(
    ["Test"], "--test-tag", metavar="TAG", help="HF tag(s) that mean CLU's Test dataset (repeatable)."
)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    from rich.markup import escape

    error_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn hfx errors into a one-line message and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            raise fail(str(exc)) from None
        except HfxError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None

    return wrapper


def require_object(obj: Any, source: str, expected: str) -> None:
    """Refuse a JSON document that is not an object (an array is neither HF JSON nor a CLU project file)."""
    if not isinstance(obj, dict):
        kinds = {list: "an array", str: "a string", bool: "true/false", type(None): "null"}
        found = kinds.get(type(obj), "a number")
        raise fail(f"{source}: not a JSON object ({found}): expected {expected}")


def read_input(path: str) -> bytes:
    """Read a file, or stdin for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def write_output(path: str | None, data: Data, inputs: tuple[str | None, ...] = ()) -> None:
    """Write into what the user named (``-`` or ``None``: stdout); refused when it is one of ``inputs``.
    ``data`` can come in pieces (a file is written as they come). See :func:`hfx.fileio.write_user_file`."""
    if path is None or path == "-":
        sys.stdout.buffer.write(joined(data))
        sys.stdout.buffer.flush()
        return
    write_user_file(path, data, inputs)


def check_outputs(outputs: dict[str, str | None], inputs: tuple[str | None, ...] = ()) -> None:
    """Before any work: refuse outputs (option name -> path) that are inputs, folders or in a missing folder,
    two documents for stdout (``-``), or two outputs naming the same file."""
    named = {opt: path for opt, path in outputs.items() if path is not None}
    on_stdout = [opt for opt, path in named.items() if path == "-"]
    if len(on_stdout) > 1:
        raise fail(f"{' and '.join(on_stdout)} both write to stdout ('-'); send one of them to a file")
    files = {opt: path for opt, path in named.items() if path != "-"}
    for opt, path in files.items():
        check_output(path, inputs)
        for other, other_path in files.items():
            if other < opt and _same_target(path, other_path):
                raise fail(f"{other} and {opt} name the same file ({path})")


def _same_target(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
