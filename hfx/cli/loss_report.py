"""The conversion (loss) report on the terminal: one rendering for ``hfx convert`` and ``hfx clu export``/``import``."""

from __future__ import annotations

from collections.abc import Container

from hfx.cli.common import error_console, options
from hfx.report import Report

#: How each severity is coloured.
_STYLE = {"error": "red", "loss": "yellow", "normalized": "cyan"}


def print_report(report: Report, *, skip: Container[str] = (), hint: str = "", limit: int = 50) -> None:
    """Errors always (they say why nothing was written); losses and normalisations unless ``-q``; items whose code
    is in ``skip`` never (the caller says them otherwise). A table on stderr, at most ``limit`` rows, errors first;
    codes and pointers never break mid-word. ``hint`` says where the rest is (``use --report FILE ...``)."""
    shown = [i for i in report.errors if i.code not in skip]
    if not options.quiet:
        shown += [i for i in report if i.severity != "error" and i.code not in skip]
    if not shown:
        return
    from rich.markup import escape  # rich's table only when there is a report: start-up stays small
    from rich.table import Table

    table = Table(title="conversion report", title_justify="left", show_lines=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("where", overflow="fold")
    table.add_column("message", overflow="fold", ratio=1)
    for item in shown[:limit]:
        table.add_row(
            f"[{_STYLE[item.severity]}]{item.severity}[/]", item.code, escape(item.pointer or "/"), escape(item.message)
        )
    error_console.print(table)
    if len(shown) > limit:
        error_console.print(f"... and {len(shown) - limit} more" + (f" ({hint})" if hint else ""))
