"""Entry point: the ``hfx`` command (global options: -q, --version, completion) over the command modules.

Start-up time is most of a small run, so a command's module (and what it imports: the formats, the server,
the local model) is imported only when that command runs or shows its help: ``hfx --help`` and the top-level
completion list the commands from :data:`COMMANDS` alone.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import os
import sys
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import typer

from hfx import __version__
from hfx.cli.help import CONTEXT_SETTINGS, HfxGroup, apply_help_style, load_rich_help

#: Every top-level command, in the order ``hfx --help`` lists them: (name, module of ``hfx.cli`` whose
#: ``register(app)`` adds it, the first paragraph of its help). tests/cli/test_main.py checks this against
#: the modules.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("validate", "validate", "Check files: schema, then semantic rules with stable codes."),
    ("diff", "workspace_ops", "Semantic diff of two workspaces. Exit 0 identical, 1 different, 2 error."),
    (
        "merge",
        "workspace_ops",
        "Merge THEIRS into OURS and write HF JSON. Exit 0 clean, 1 conflicts (output still written), 2 error.",
    ),
    ("train", "nlu", "Train the local intent + entity model on a workspace, offline, into a new folder."),
    (
        "predict",
        "nlu",
        "Classify texts with a trained model: intents with scores in [0, 1], best first, and entities.",
    ),
    (
        "evaluate",
        "nlu",
        "Evaluate the local model on a workspace: k-fold or held-out tagged set; exit 1 below a --min bar.",
    ),
    ("serve", "serve", "Run the HumanFirst custom-integration gRPC server (mTLS) on the chosen backend."),
    (
        "health",
        "serve",
        "Ask a running server's grpc.health.v1 service; exit 0 when SERVING, 1 otherwise (for probes).",
    ),
    ("convert", "convert", "Convert between CLU project JSON and HumanFirst HF JSON."),
    ("hierarchy", "workspace_ops", "Show, flatten or unflatten the intent hierarchy."),
    ("creds", "serve", "Generate and check mTLS credentials in HumanFirst's credentials-JSON format."),
    (
        "clu",
        "clu",
        "Work with Microsoft CLU projects (or the local emulator): list, export, import with backups, train, "
        "deploy, predict.",
    ),
)
_MODULE_OF = {name: module for name, module, _ in COMMANDS}
_SUMMARY_OF = {name: summary for name, _, summary in COMMANDS}


@functools.cache
def module_app(module: str) -> typer.Typer:
    """The commands ``hfx.cli.<module>`` adds with its ``register(app)``: imported and registered once."""
    sub = typer.Typer()
    importlib.import_module(f"hfx.cli.{module}").register(sub)
    apply_help_style(sub)
    return sub


class _Commands(MutableMapping[str, Any]):
    """The root's commands by name (click's ``Group.commands``): the names come from :data:`COMMANDS`; a
    command's click object is built, its module imported, when it is first looked up. Values are click
    commands (``Any``: Typer's bundled click has no public name)."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built: dict[str, Any] = dict(built)  # any added to the root app itself (none in hfx)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in _MODULE_OF:
            # One module's commands at a time, built afresh for each invocation (like Typer's own groups).
            built = typer.main.get_group(module_app(_MODULE_OF[name])).commands
            self._built.update((key, cmd) for key, cmd in built.items() if key not in self._built)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("hfx's commands cannot be removed")

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*_MODULE_OF, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*_MODULE_OF, *self._built]))


@contextmanager
def _rich_help_on_error() -> Iterator[None]:
    """Typer shows a usage error (or an abort) with ``typer.rich_utils``, importing it then: load it the light way
    first (:func:`load_rich_help`), and only when there is an error to show - a command that runs never needs it."""
    try:
        yield
    except typer.Exit:  # how every command ends, errors included (exit code only)
        raise
    except Exception:  # a usage error, an abort (Ctrl-C at a prompt), or a bug Typer will show
        load_rich_help()
        raise


class _LazyGroup(HfxGroup):
    """The root command: runs a command from its own module, imported on demand; its help page and the
    top-level shell completion list every command from :data:`COMMANDS` without importing any."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands)
        self._summaries = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._summaries and cmd_name in _SUMMARY_OF:
            return typer.core.TyperCommand(cmd_name, help=_SUMMARY_OF[cmd_name])  # name and help, nothing to run
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with self._listing():
            super().format_help(ctx, formatter)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _rich_help_on_error():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _rich_help_on_error():  # a command's usage error too: its arguments are parsed in here
            return super().invoke(ctx)

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        load_rich_help()  # completion strips markup from the help texts with it
        with self._listing():
            return super().shell_complete(ctx, incomplete)

    @contextmanager
    def _listing(self) -> Iterator[None]:
        """While listing commands (help page, completion), ``get_command`` gives each one's name and help only."""
        self._summaries = True
        try:
            yield
        finally:
            self._summaries = False


app = typer.Typer(
    name="hfx",
    cls=_LazyGroup,
    help="Move NLU training data between HumanFirst and Microsoft CLU without losing any of it.",
    no_args_is_help=True,
    context_settings=CONTEXT_SETTINGS,
    pretty_exceptions_enable=False,
    epilog="Examples:\n\n"
    "  hfx serve --dev\n"
    "  hfx convert clu-to-hf project.json -o workspace.json\n"
    "  hfx validate workspace.json --target clu\n"
    "  hfx -q convert hf-to-clu workspace.json -o project.json\n\n"
    "Shell completion: hfx --install-completion (bash, zsh, fish, PowerShell).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hfx {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Print only errors and data: no notes, progress or report tables."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """hfx: HumanFirst <-> CLU conversion, validation, diff, merge and the integration server."""
    from hfx.cli.common import set_quiet  # rich's console: not needed by --help or --version

    set_quiet(quiet)


def main() -> None:
    """The ``hfx`` command. It ends the process without handing the command's objects back one by one: a
    command that loaded large workspaces would otherwise spend a tenth of its time freeing them at exit."""
    try:
        app(prog_name="hfx")
    except SystemExit as done:
        if _other_threads_running():
            raise  # the interpreter's own exit waits for them
        _exit_now(done.code)


def _other_threads_running() -> bool:
    main_thread = threading.main_thread()
    return any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate())


def _exit_now(code: object) -> None:
    """Flush what the process wrote (logging handlers, standard output and error), then leave with ``code``
    (``sys.exit``'s meaning: ``None`` is 0, a message is printed and is 1) without the interpreter's tear-down;
    the functions registered with :mod:`atexit` still run.
    Every file hfx writes is complete and closed before its command returns (``hfx.fileio``)."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # what libraries registered to run at exit still runs (CPython's own entry point)
    logging = sys.modules.get("logging")  # not imported: no handler to flush (and no 10 ms to import it)
    if logging is not None:
        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`hfx ... | head`) or a closed stream: nothing more to say
            pass
    os._exit(code or 0)
