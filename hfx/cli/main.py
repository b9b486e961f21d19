"""Entry point: builds the Typer app from the command modules (global options: -q, --version, completion)."""

from __future__ import annotations

import typer

from hfx import __version__
from hfx.cli import clu, convert, nlu, serve, workspace_ops
from hfx.cli.common import set_quiet
from hfx.cli.help import CONTEXT_SETTINGS, apply_help_style

app = typer.Typer(
    name="hfx",
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
    set_quiet(quiet)


convert.register(app)
workspace_ops.register(app)
nlu.register(app)
serve.register(app)
clu.register(app)
apply_help_style(app)


def main() -> None:
    app(prog_name="hfx")
