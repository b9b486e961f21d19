"""``hfx diff``, ``hfx merge``, ``hfx hierarchy``: thin commands over :mod:`hfx.ops` (``hfx validate``:
:mod:`hfx.cli.validate`)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import typer

from hfx.cli.common import err_console, error_console, esc, examples, options, out_console, plural
from hfx.cli.exits import EXIT_FAIL, EXIT_OK, fail, handle_errors
from hfx.cli.io import check_outputs, read_document, read_input, write_output
from hfx.cli.options import DelimiterOpt, TestTagOpt, TextJson, TextJsonMarkdown
from hfx.errors import shorten
from hfx.formats.detect import load_workspace, parse_json, read_any
from hfx.formats.hf_json import read_hf, write_hf
from hfx.formats.jsontext import dumps_json, dumps_json_deep
from hfx.gcpause import paused_gc
from hfx.ops._index import show_path
from hfx.ops.diff import DiffStyle, diff, sections, summary_rows, to_markdown, without_service_intents
from hfx.ops.hierarchy import flatten, intent_tree, unflatten_names
from hfx.provenance import SOURCE_CLU, from_clu

# hfx.ops.validate and hfx.ops.merge (with the formats' fidelity) are imported by the commands that use them: each
# command loads only what it runs.

hierarchy_app = typer.Typer(help="Show, flatten or unflatten the intent hierarchy.", no_args_is_help=True)


#: Levels of the intent tree ``hierarchy show`` draws (deeper ones are summarised; JSON has them all).
SHOW_DEPTH = 16
#: Deeper trees are written by ``hierarchy show --format json`` on one line, without indentation.
INDENT_DEPTH = 64


Prefer = Enum("Prefer", [("ours", "ours"), ("theirs", "theirs")], type=str)


def register(app: typer.Typer) -> None:
    app.command(
        "diff",
        epilog=examples(
            "hfx diff old.json new.json", "hfx diff workspace.json project.json --format markdown > diff.md"
        ),
    )(diff_cmd)
    app.command(
        "merge",
        epilog=examples(
            "hfx merge ours.json theirs.json --base base.json -o merged.json",
            "hfx merge workspace.json clu-export.json --renames report.json -o merged.json",
        ),
    )(merge_cmd)
    app.add_typer(hierarchy_app, name="hierarchy")


def _load(path: str, delimiter: str = "---", test_tags: tuple[str, ...] = ("Test",)) -> tuple[str, Any]:
    """(format, workspace) of an HF or CLU file, or of stdin for ``-``."""
    if path != "-":
        fmt, ws, _ = load_workspace(path, delimiter=delimiter, test_tags=test_tags)
        return fmt, ws
    _, obj, _ = read_document("-", None)
    fmt, ws, _ = read_any(obj, source="<stdin>", delimiter=delimiter, test_tags=test_tags)
    return fmt, ws


def _one_stdin(*paths: str | None) -> None:
    if sum(p == "-" for p in paths) > 1:
        raise fail("only one input can be '-' (stdin)")


# -- diff -------------------------------------------------------------------------------------------------------


@handle_errors
@paused_gc()
def diff_cmd(
    old: str = typer.Argument(..., metavar="OLD", help="Old workspace (HF JSON or CLU project file; '-' = stdin)."),
    new: str = typer.Argument(..., metavar="NEW", help="New workspace (HF JSON or CLU project file; '-' = stdin)."),
    output_format: TextJsonMarkdown = typer.Option(
        TextJsonMarkdown.text, "--format", "-f", help="text, json, or markdown (PR comments)."
    ),
    delimiter: str = DelimiterOpt,
    test_tag: list[str] = TestTagOpt,
) -> None:
    """Semantic diff of two workspaces. Exit 0 identical, 1 different, 2 error."""
    _one_stdin(old, new)
    fmt_a, a = _load(old, delimiter, tuple(test_tag))
    fmt_b, b = _load(new, delimiter, tuple(test_tag))
    # the None intent CLU adds to every project is no change (as in merge); HF JSON converted from CLU is a
    # CLU side too
    if fmt_a == "clu" or from_clu(a):
        a = without_service_intents(a, b)
    if fmt_b == "clu" or from_clu(b):
        b = without_service_intents(b, a)
    d = diff(a, b)
    if output_format is TextJsonMarkdown.json:
        write_output("-", dumps_json({"old": old, "new": new, **d.to_json()}))
    elif output_format is TextJsonMarkdown.markdown:
        write_output("-", to_markdown(d, old=old, new=new).encode("utf-8"))
    else:
        _print_diff(d, old, new)
    raise typer.Exit(EXIT_OK if d.identical else EXIT_FAIL)


def _print_diff(d: Any, old: str, new: str) -> None:
    from rich.table import Table

    if d.identical:
        out_console.print(f"{esc(old)} and {esc(new)} are semantically identical", soft_wrap=True)
        return
    out_console.print(f"[bold]{esc(old)}[/] -> [bold]{esc(new)}[/]", soft_wrap=True)
    table = Table(title_justify="left")
    table.add_column("change")
    table.add_column("count", justify="right")
    for change, count in summary_rows(d):
        table.add_row(change, str(count))
    out_console.print(table)
    for title, rows in sections(d, _TERMINAL):
        if rows:
            out_console.print(f"[bold]{title}[/] ({len(rows)})")
            # a section's rows in one call: the same lines as a call per row, at a fraction of rich's cost
            out_console.print("\n".join(f"  {row}" for row in rows), soft_wrap=True)


#: The diff on the terminal (rich markup): added objects green, removed ones red.
_TERMINAL = DiffStyle(
    name=esc,
    text=lambda text: esc(repr(text)),
    plain=esc,
    added=lambda s: f"[green]+ {s}[/]",
    removed=lambda s: f"[red]- {s}[/]",
    arrow=" -> ",
)


# -- merge ------------------------------------------------------------------------------------------------------


@handle_errors
@paused_gc()
def merge_cmd(
    ours: str = typer.Argument(..., metavar="OURS", help="Our workspace (HF JSON or CLU project file; '-' = stdin)."),
    theirs: str = typer.Argument(
        ...,
        metavar="THEIRS",
        help="Their workspace (HF JSON, or a CLU export: fields CLU cannot hold "
        "are then kept from BASE/OURS, not deleted).",
    ),
    output: str = typer.Option(
        ...,
        "--output",
        "-o",
        metavar="FILE",
        help="Merged HF JSON ('-' = stdout); written in place, never half-written.",
    ),
    base: str = typer.Option(None, "--base", "-b", metavar="BASE", help="Common ancestor: enables the 3-way merge."),
    prefer: Prefer = typer.Option(Prefer.ours, "--prefer", help="Side that wins a conflict."),
    report: str = typer.Option(
        None,
        "--report",
        "-r",
        metavar="FILE",
        help="Write the merge report (conflicts, changes) as JSON to FILE ('-' = stdout).",
    ),
    output_format: TextJson = typer.Option(
        TextJson.text, "--format", "-f", help="Report on the terminal as text or json."
    ),
    renames: str = typer.Option(
        None,
        "--renames",
        metavar="FILE",
        help="JSON file with the CLU renames (old -> new name), or the --report of "
        "'hfx convert hf-to-clu', to map rewritten names back.",
    ),
    delimiter: str = DelimiterOpt,
    test_tag: list[str] = TestTagOpt,
) -> None:
    """Merge THEIRS into OURS and write HF JSON. Exit 0 clean, 1 conflicts (output still written), 2 error."""
    from hfx.formats.clu_fidelity import side_fidelity
    from hfx.ops.merge import merge

    inputs = (ours, theirs, base, renames)
    _one_stdin(*inputs)
    check_outputs(
        {"--output": output, "--report": report, "--format json": "-" if output_format is TextJson.json else None},
        inputs,
    )
    tags = tuple(test_tag)
    fmt_o, ws_o = _load(ours, delimiter, tags)
    fmt_t, ws_t = _load(theirs, delimiter, tags)
    ws_b = None
    if base:
        _, ws_b = _load(base, delimiter, tags)
    rename_map = _read_renames(renames) if renames else None
    fid_o, fid_t = side_fidelity(fmt_o, ws_o, tags), side_fidelity(fmt_t, ws_t, tags)
    merged, conflicts = merge(
        ws_o,
        ws_t,
        ws_b,
        prefer.value,
        ours_fidelity=fid_o,
        theirs_fidelity=fid_t,
        renames=rename_map,
        delimiter=delimiter,
    )
    # the result holds what CLU cannot unless both sides came from CLU: only then is it marked as from CLU
    if fid_o.lossless or fid_t.lossless:
        merged.source = None
    else:
        merged.source = SOURCE_CLU
    merged_doc = write_hf(merged)
    write_output(output, dumps_json(merged_doc), inputs)
    changes = {k: v for k, v in diff(ws_o, merged).summary().items() if v}
    doc = {
        "ours": ours,
        "theirs": theirs,
        "base": base,
        "output": output,
        "prefer": prefer.value,
        "mode": "3-way" if base else "2-way",
        "lossy": [side for side, f in (("ours", fid_o), ("theirs", fid_t)) if not f.lossless],
        "conflicts": [c.to_json() for c in conflicts],
        "summary": {"conflicts": len(conflicts), "changes_to_ours": changes},
    }
    if report:
        write_output(report, dumps_json(doc), inputs)
    if output_format is TextJson.json:
        write_output("-", dumps_json(doc))
    else:
        _print_merge(doc, conflicts)
    broken = _still_invalid(merged_doc, output if output != "-" else "<stdout>")
    raise typer.Exit(EXIT_FAIL if conflicts or broken else EXIT_OK)


def _read_renames(path: str) -> dict[str, str]:
    doc = parse_json(read_input(path), path)
    if isinstance(doc, dict) and isinstance(doc.get("renames"), dict):
        doc = doc["renames"]
    if not isinstance(doc, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in doc.items()):
        raise fail(f"{path}: expected a JSON object of old name -> new name (or a convert report with 'renames')")
    return doc


#: The noun of each diff summary key (``examples_added``), singular and plural.
_CHANGE_NOUNS = {
    "intents": ("intent", "intents"),
    "examples": ("example", "examples"),
    "entities": ("entity", "entities"),
    "tags": ("tag", "tags"),
    "workspace": ("workspace field", "workspace fields"),
}


def _change_phrase(key: str, count: int) -> str:
    """``examples_added``, 1 -> ``1 example added``; ``examples_annotations_changed``, 2 -> ``annotations changed
    on 2 examples``."""
    noun, _, rest = key.partition("_")
    one, many = _CHANGE_NOUNS.get(noun, (noun, noun))
    if rest == "annotations_changed":
        return f"annotations changed on {plural(count, one, many)}"
    return f"{plural(count, one, many)} {rest.replace('_', ' ')}"


def _print_merge(doc: dict[str, Any], conflicts: list[Any]) -> None:
    from rich.table import Table

    changes = doc["summary"]["changes_to_ours"]
    what = ", ".join(_change_phrase(k, v) for k, v in changes.items()) or "no changes"
    err_console.print(f"{doc['mode']} merge -> {esc(doc['output'])}: {what}", soft_wrap=True)
    if doc["lossy"]:
        err_console.print(
            f"[dim]{' and '.join(doc['lossy'])} came from CLU: tags, ids, metadata and examples CLU "
            "cannot hold were kept, not deleted[/]",
            soft_wrap=True,
        )
    if not conflicts:
        return
    if options.quiet:  # the exit code says "conflicts"; one line says how many and who won
        error_console.print(f"{plural(len(conflicts), 'conflict')} (resolved: {doc['prefer']})", highlight=False)
        return
    table = Table(title=f"{plural(len(conflicts), 'conflict')} (resolved: {doc['prefer']})", title_justify="left")
    table.add_column("kind", no_wrap=True)
    for col in ("object", "field", "ours", "theirs"):
        table.add_column(col, overflow="fold")
    for c in conflicts[:50]:
        j = c.to_json()
        table.add_row(
            c.kind, esc(c.key), esc(c.field), esc(_short(readable(j["ours"]))), esc(_short(readable(j["theirs"])))
        )
    err_console.print(table)
    if len(conflicts) > 50:
        err_console.print(f"... and {len(conflicts) - 50} more (use --report FILE for the full list)")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def readable(value: Any) -> str:
    """A conflict value as a person reads it: ``billing / refund``, ``a, b``, ``key=value``; ``-`` for absent."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value if value.strip() else repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        if value and all(_is_intent_ref(v) for v in value):  # example intents: [[path...], negative]
            return ", ".join(("not " if neg else "") + show_path(tuple(path)) for path, neg in value)
        if not value:
            return "(none)"
        return ", ".join(_nested(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_nested(v)}" for k, v in value.items()) or "(empty)"
    return str(value)


def _nested(value: Any) -> str:
    """A value inside a list or object: in parentheses when it has parts of its own."""
    text = readable(value)
    return f"({text})" if isinstance(value, (list, dict)) and len(value) > 1 else text


def _is_intent_ref(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[1], bool)
        and isinstance(value[0], list)
        and all(isinstance(p, str) for p in value[0])
    )


# -- hierarchy -------------------------------------------------------------------------------------------------


def _load_hf(path: str) -> Any:
    source, obj, fmt = read_document(path, None)
    if fmt != "hf":
        raise fail(f"{source}: this is a CLU project file; flatten/unflatten work on HF JSON")
    return read_hf(obj, source=source)


@hierarchy_app.command("show")
@handle_errors
@paused_gc()
def hierarchy_show(
    file: str = typer.Argument(..., metavar="FILE", help="HF JSON or CLU project file ('-' = stdin)."),
    output_format: TextJson = typer.Option(TextJson.text, "--format", "-f", help="text (tree) or json."),
    delimiter: str = DelimiterOpt,
) -> None:
    """The intent tree with example counts (own / including children)."""
    _, ws = _load(file, delimiter)
    roots, unlabelled = intent_tree(ws)
    if output_format is TextJson.json:
        doc = {
            "intents": [r.to_json() for r in roots],
            "unlabelled_examples": unlabelled,
            "total_examples": len(ws.examples),
        }
        # nests as deep as the hierarchy: a very deep one is written on one line (indentation alone would grow
        # with the square of the depth)
        write_output("-", dumps_json_deep(doc, indent=_depth(roots) <= INDENT_DEPTH))
        return
    from rich.tree import Tree

    tree = Tree(
        f"[bold]{esc(shorten(ws.name or file, 80))}[/] ({plural(len(ws.examples), 'example')}, "
        f"{plural(len(ws.intents), 'intent')})"
    )

    def add(parent: Any, node: Any, level: int = 1) -> None:
        counts = f"{node.examples}" if not node.children else f"{node.examples} own, {node.total} total"
        if node.negatives:
            counts += f", {node.negatives} negative"
        branch = parent.add(f"{esc(shorten(node.name, 80))} [dim]({counts})[/]")
        if level >= SHOW_DEPTH and node.children:
            branch.add(
                f"[dim]... {len(node.children)} children and deeper levels not shown (--format json has them all)[/]"
            )
            return
        for child in node.children:
            add(branch, child, level + 1)

    for r in roots:
        add(tree, r)
    if unlabelled:
        tree.add(f"[dim](unlabelled: {unlabelled})[/]")
    out_console.print(tree)


def _depth(roots: list[Any]) -> int:
    deepest, stack = 0, [(r, 1) for r in roots]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((c, level + 1) for c in node.children)
    return deepest


def _rewrite_hierarchy(op: Any, file: str, delimiter: str, output: str) -> None:
    """Run flatten/unflatten on an HF file, write the result, report issues; exit 1 when there were any."""
    if not delimiter:
        raise fail("--delimiter must not be empty")
    check_outputs({"--output": output}, (file,))
    ws, issues = op(_load_hf(file), delimiter)
    doc = write_hf(ws)
    write_output(output, dumps_json(doc), (file,))
    for issue in issues:
        err_console.print(f"[yellow]{issue.kind}[/]: {esc(issue.message)}", soft_wrap=True)
    broken = _still_invalid(doc, output)
    raise typer.Exit(EXIT_FAIL if issues or broken else EXIT_OK)


def _still_invalid(doc: dict[str, Any], output: str) -> int:
    """The errors ``hfx validate`` would find in a written HF workspace (they came with the input: merge and
    hierarchy keep what they cannot fix), shown briefly; the command then exits 1, never 0. ``doc`` is the
    document whose JSON text was written (``dumps_json(doc)``; validated as it is, not parsed back from the
    text: the text reads back as an equal document). Without the reader's check: hfx's writer wrote ``doc`` from
    workspaces hfx's reader accepted (a property test in tests/ops/test_merge.py pins that the reader accepts what
    merge writes, and that the findings are the same with its check)."""
    from hfx.ops.validate import validate_obj

    _, findings = validate_obj(doc, source=output, fmt="hf", reader_check=False)
    errors = [f for f in findings if f.severity == "error"]
    for f in errors[:5]:
        err_console.print(f"[red]{f.code}[/] {esc(f.pointer or '/')}: {esc(f.message)}", soft_wrap=True)
    if errors:
        err_console.print(
            f"[red]{esc(output)} has {len(errors)} validation errors that came with the input (see 'hfx validate')[/]",
            soft_wrap=True,
        )
    return len(errors)


_HierarchyFile = typer.Argument(..., metavar="FILE", help="HF JSON file ('-' = stdin).")
_HierarchyOutput = typer.Option("-", "--output", "-o", metavar="FILE", help="Output HF JSON ('-' = stdout).")


def _delimiter(what: str) -> Any:
    return typer.Option(..., "--delimiter", "-d", metavar="TEXT", help=what)


@hierarchy_app.command("flatten")
@handle_errors
@paused_gc()
def hierarchy_flatten(
    file: str = _HierarchyFile,
    delimiter: str = _delimiter("Joins the names of a path."),
    output: str = _HierarchyOutput,
) -> None:
    """HF -> HF: every intent becomes a root named by its full path.

    Exit 1 when collisions or names containing the delimiter were found (the output is still written).
    """
    _rewrite_hierarchy(flatten, file, delimiter, output)


@hierarchy_app.command("unflatten")
@handle_errors
@paused_gc()
def hierarchy_unflatten(
    file: str = _HierarchyFile, delimiter: str = _delimiter("Splits names into a path."), output: str = _HierarchyOutput
) -> None:
    """HF -> HF: split intent names on the delimiter, creating each parent once.

    Parents get deterministic ids. Exit 1 when collisions or empty segments were found (the output is still
    written).
    """
    _rewrite_hierarchy(unflatten_names, file, delimiter, output)
