"""``hfx validate``: a thin command over :mod:`hfx.ops.validate` (which it imports when it runs)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

from hfx.cli.common import err_console, esc, examples, options, out_console, plural
from hfx.cli.io import write_output
from hfx.cli.options import DelimiterOpt, TextJson
from hfx.formats.jsontext import dumps_json
from hfx.gcpause import paused_gc

if TYPE_CHECKING:
    from hfx.ops.validate import FileResult, Format

Target = Enum("Target", [("hf", "hf"), ("clu", "clu")], type=str)


def register(app: typer.Typer) -> None:
    app.command(
        "validate",
        epilog=examples(
            "hfx validate workspace.json",
            "hfx validate workspace.json --target clu --strict",
            "hfx validate *.json --format json > findings.json",
        ),
    )(validate_cmd)


@paused_gc()
def validate_cmd(
    files: list[str] = typer.Argument(
        ..., metavar="FILE", help="HF JSON or CLU project files (format detected per file; - = stdin)."
    ),
    target: Target = typer.Option(
        None,
        "--target",
        "-t",
        help="Also check against this format's rules (hf file + clu: CLU names, limits after flattening).",
    ),
    output_format: TextJson = typer.Option(
        TextJson.text,
        "--format",
        "-f",
        help="text: one line per code and place, repeats counted; json: every finding, one document.",
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
    delimiter: str = DelimiterOpt,
) -> None:
    """Check files: schema, then semantic rules with stable codes.

    Exit 0 clean, 1 errors (or warnings with --strict), 2 unreadable input.
    """
    from hfx.ops.validate import exit_code, summary, to_json

    results = _validate_with_progress(files, target.value if target else None, delimiter)
    if output_format is TextJson.json:
        write_output("-", dumps_json(to_json(results)))
    else:
        for r in results:
            _print_file_findings(r)
        s = summary(results)
        out_console.print(
            f"{plural(s['files'], 'file')}: {plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')}"
            + (f", {s['unreadable']} unreadable" if s["unreadable"] else "")
        )
    raise typer.Exit(exit_code(results, strict=strict))


def _validate_with_progress(files: list[str], target: Format | None, delimiter: str) -> list[FileResult]:
    """Validate each file; on a terminal (and without -q) a progress line on stderr names the file and step."""
    from hfx.ops.validate import validate_file

    if options.quiet or not err_console.is_terminal:
        return [validate_file(p, target=target, delimiter=delimiter) for p in files]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    results = []
    with Progress(
        SpinnerColumn(),
        TextColumn("validating {task.fields[file]}"),
        TextColumn("{task.fields[stage]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console.get(),
        transient=True,
    ) as progress:
        task = progress.add_task("validate", total=len(files), file="", stage="")
        for path in files:
            progress.update(task, file=esc(path), stage="")
            results.append(
                validate_file(
                    path, target=target, delimiter=delimiter, on_stage=lambda stage: progress.update(task, stage=stage)
                )
            )
            progress.advance(task)
    return results


def _print_file_findings(r: Any) -> None:
    """A file's findings, one line per code and pointer pattern (``/examples/*/language``) with a count."""
    style = {"error": "red", "warning": "yellow"}
    from hfx.ops.validate import group_findings

    head = f"[bold]{esc(r.path)}[/] ({r.format or 'unreadable'}): "
    head += f"{plural(r.errors, 'error')}, {plural(r.warnings, 'warning')}" if not r.unreadable else "cannot be read"
    out_console.print(head, soft_wrap=True)
    grouped = False
    for group in group_findings(r.findings):
        first = group.first
        if len(group) == 1:
            where, times = first.pointer or "/", ""
        else:
            grouped = True
            # the first message stands for the group: say when the others differ (another language, name, ...)
            others = len({f.message for f in group.findings}) - 1
            variants = f", {plural(others, 'other message')} like it" if others else ""
            where, times = group.pattern, f" [dim]({len(group):,} times{variants}; first at {esc(first.pointer)})[/]"
        out_console.print(
            f"  [{style[group.severity]}]{group.severity}[/] {group.code} {esc(where)}: {esc(first.message)}{times}",
            soft_wrap=True,
        )
        out_console.print(f"      [dim]hint: {esc(first.hint)}[/]", soft_wrap=True)
    if grouped:
        out_console.print("  [dim](--format json lists every finding)[/]", soft_wrap=True)
