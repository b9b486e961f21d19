"""``hfx convert clu-to-hf`` / ``hf-to-clu``."""

from __future__ import annotations

from typing import Any

import typer

from hfx.cli.common import err_console, error_console, examples, plural, real_renames
from hfx.cli.exits import EXIT_FAIL, fail, handle_errors
from hfx.cli.io import check_outputs, read_document, require_resource_name, write_output
from hfx.cli.loss_report import print_report
from hfx.cli.options import DelimiterOpt, InvalidNames, TestTagOpt, invalid_names_option, language_option
from hfx.formats.clu_json import CluReadOptions, CluWriteOptions, dumps_clu, read_clu, write_clu
from hfx.formats.hf_json import iter_hf, read_hf
from hfx.formats.jsontext import dumps_json
from hfx.gcpause import paused_gc

convert_app = typer.Typer(help="Convert between CLU project JSON and HumanFirst HF JSON.", no_args_is_help=True)


ReportOpt = typer.Option(
    None, "--report", "-r", metavar="FILE", help="Write the full loss report as JSON to FILE ('-' = stdout)."
)
StrictOpt = typer.Option(False, "--strict", help="Exit 1 when anything was lost.")
OutputOpt = typer.Option(
    "-", "--output", "-o", metavar="FILE", help="Output file ('-' = stdout); written in place, never half-written."
)


def register(app: typer.Typer) -> None:
    app.add_typer(convert_app, name="convert")


@convert_app.command(
    "clu-to-hf",
    epilog=examples(
        "hfx convert clu-to-hf project.json -o workspace.json",
        "hfx convert clu-to-hf project.json -d / --report loss.json > workspace.json",
    ),
)
@handle_errors
@paused_gc()
def clu_to_hf(
    input_file: str = typer.Argument(..., metavar="FILE", help="CLU project JSON file ('-' = stdin)."),
    output: str = OutputOpt,
    delimiter: str = DelimiterOpt,
    language: str = language_option("Language to assume when the project names none."),
    test_tag: list[str] = TestTagOpt,
    report: str = ReportOpt,
    strict: bool = StrictOpt,
) -> None:
    """CLU project file -> HF JSON (intents split into parent/child on the delimiter)."""
    check_outputs({"--output": output, "--report": report}, (input_file,))
    source, obj = _read_expecting(
        input_file, "clu", "this is HF JSON, not a CLU project file; try 'hfx convert hf-to-clu'"
    )
    # consume/release: the parsed file, the model and the output text are never all in memory at once
    ws, rep = read_clu(
        obj, source=source, options=CluReadOptions(delimiter=delimiter, test_tags=tuple(test_tag)), consume=True
    )
    del obj
    if ws.language is None and language:
        ws.language = language
    write_output(output, iter_hf(ws), (input_file,))  # streamed into the file: the whole text is never held
    _finish(rep, {}, report, strict, wrote=output, inputs=(input_file,))


@convert_app.command(
    "hf-to-clu",
    epilog=examples(
        "hfx convert hf-to-clu workspace.json -o project.json",
        "hfx convert hf-to-clu workspace.json -o project.json \\",
        "    --invalid-names rewrite --base old.json",
    ),
)
@handle_errors
@paused_gc()
def hf_to_clu(
    input_file: str = typer.Argument(..., metavar="FILE", help="HF JSON file ('-' = stdin)."),
    output: str = OutputOpt,
    delimiter: str = DelimiterOpt,
    language: str = language_option("Project language (default: base, workspace, en-us)."),
    test_tag: list[str] = TestTagOpt,
    invalid_names: InvalidNames = invalid_names_option(
        "'error': report names CLU rejects; 'rewrite': make valid, unique names and report the mapping."
    ),
    project_name: str = typer.Option(
        None, "--project-name", "-p", metavar="NAME", help="CLU project name (default: base or HF name)."
    ),
    base: str = typer.Option(
        None, "--base", metavar="FILE", help="Existing CLU project file whose metadata and settings are kept."
    ),
    report: str = ReportOpt,
    strict: bool = StrictOpt,
) -> None:
    """HF JSON -> CLU project file (hierarchy joined with the delimiter)."""
    check_outputs({"--output": output, "--report": report}, (input_file, base))
    if project_name is not None:
        require_resource_name(project_name, "--project-name", "project name")
    source, obj = _read_expecting(
        input_file, "hf", "this is a CLU project file, not HF JSON; try 'hfx convert clu-to-hf'"
    )
    ws = read_hf(obj, source=source)
    del obj
    _hf_to_clu(
        ws, output, delimiter, language, test_tag, invalid_names, project_name, base, report, strict, (input_file, base)
    )


def _hf_to_clu(
    ws: Any,
    output: str,
    delimiter: str,
    language: str | None,
    test_tag: list[str],
    invalid_names: InvalidNames,
    project_name: str | None,
    base: str | None,
    report: str | None,
    strict: bool,
    inputs: tuple[str | None, ...],
) -> None:
    base_obj = _read_expecting(base, "clu", "--base must be a CLU project file")[1] if base else None
    opts = CluWriteOptions(
        delimiter=delimiter,
        test_tags=tuple(test_tag),
        invalid_names=invalid_names.value,
        project_name=project_name,
        language=language,
        base=base_obj,
    )
    project, rep, renames = write_clu(ws, opts)
    if rep.errors:
        _finish(rep, renames, report, strict, wrote=None, invalid_names=invalid_names, inputs=inputs)
        return
    write_output(output, dumps_clu(project), inputs)
    _finish(rep, renames, report, strict, wrote=output, invalid_names=invalid_names, inputs=inputs)


def _read_expecting(path: str, fmt: str, wrong_kind: str) -> tuple[str, Any]:
    """Parse ``path`` (``-`` = stdin) and insist on format ``fmt``; returns ``(source name, parsed JSON)``."""
    source, obj, found = read_document(path, "a CLU project file" if fmt == "clu" else "HF JSON")
    if found != fmt:
        raise fail(f"{source}: {wrong_kind}")
    return source, obj


def _finish(
    rep: Any,
    renames: dict[str, str],
    report_path: str | None,
    strict: bool,
    wrote: str | None,
    invalid_names: InvalidNames | None = None,
    inputs: tuple[str | None, ...] = (),
) -> None:
    if report_path:
        doc = {
            "items": rep.to_json(),
            "renames": dict(sorted(real_renames(renames).items())),
            "summary": {
                "error": len(rep.errors),
                "loss": len(rep.losses),
                "normalized": len(rep) - len(rep.errors) - len(rep.losses),
            },
        }
        write_output(report_path, dumps_json(doc), inputs)
    print_report(rep, hint="use --report FILE for the full list")
    if rep.errors:
        hint = (
            " Use --invalid-names rewrite to make names CLU accepts."
            if invalid_names is InvalidNames.error and any(i.code.startswith("CLU_NAME_") for i in rep.errors)
            else ""
        )
        error_console.print(f"[red]{plural(len(rep.errors), 'error')}; nothing was written.[/]{hint}")
        raise typer.Exit(EXIT_FAIL)
    if wrote not in (None, "-"):
        err_console.print(f"wrote {wrote}", markup=False, highlight=False, soft_wrap=True)
    if strict and rep.losses:
        error_console.print(f"[yellow]--strict: {plural(len(rep.losses), 'kind')} of data were lost[/]")
        raise typer.Exit(EXIT_FAIL)
