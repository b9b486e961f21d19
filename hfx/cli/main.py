"""Entry point: builds the Typer app from the command modules and configures logging once."""

from __future__ import annotations

import typer

from hfx import __version__
from hfx.cli import clu, convert, serve, workspace_ops

app = typer.Typer(
    name="hfx",
    help="Move NLU training data between HumanFirst and Microsoft CLU without losing any of it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hfx {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """hfx: HumanFirst <-> CLU conversion, validation, diff, merge and the integration server."""


convert.register(app)
workspace_ops.register(app)
serve.register(app)
clu.register(app)


def main() -> None:
    app()
