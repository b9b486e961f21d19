"""What every CLI command shares: the consoles (and ``--quiet``), help text and wording helpers.

Exit codes and error messages: :mod:`hfx.cli.exits`; reading inputs and writing outputs: :mod:`hfx.cli.io`;
options several commands take: :mod:`hfx.cli.options`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

#: Environment variables rich reads when it builds a Console (width, height, colour, terminal detection).
_CONSOLE_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


class _Options:
    """Per-invocation settings of the root command (``-q/--quiet``); reset by every ``hfx`` invocation."""

    quiet = False


options = _Options()


def set_quiet(quiet: bool) -> None:
    """``-q/--quiet``: only errors and data from here on (notes, progress and report tables are dropped)."""
    options.quiet = quiet


def esc(text: str) -> str:
    """``text`` as rich markup that shows it as it is (``[`` escaped)."""
    from rich.markup import escape

    return escape(text)


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
            # emoji=False: a name such as ":smile:" in a workspace is shown as it is, never as an emoji
            self._console = Console(stderr=self._stderr, highlight=False, emoji=False, quiet=quiet)
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


def examples(*lines: str) -> str:
    """An "Examples" section for a command's help page (Typer's epilog)."""
    return "Examples:\n\n" + "\n".join(f"  {line}" for line in lines)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 errors``, ``37,454 warnings`` (``plural_form`` for irregular nouns)."""
    return f"{count:,} {noun if count == 1 else (plural_form or noun + 's')}"


def real_renames(renames: dict[str, str]) -> dict[str, str]:
    """The renames that change a name (a rewrite map also lists the names it kept)."""
    return {old: new for old, new in renames.items() if old != new}


@contextmanager
def progress_bar(description: str, total: float, column: str, **fields: Any) -> Iterator[Callable[..., None] | None]:
    """A transient rich progress bar on stderr (``column`` before the elapsed time); yields its ``update(**kw)``.

    Not a terminal (CI logs, pipes) or ``-q``: nothing is drawn, not even the blank line a finished live display
    leaves, and None is yielded.
    """
    if options.quiet or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(column),
        TimeElapsedColumn(),
        console=err_console.get(),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total, **fields)

        def update(**kw: Any) -> None:
            bar.update(task, **kw)

        yield update
