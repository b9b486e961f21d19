"""``hfx train``, ``hfx predict``, ``hfx evaluate``: the local model, offline (thin commands over :mod:`hfx.nlu`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from hfx.cli.common import err_console, error_console, examples, out_console, plural, progress_bar
from hfx.cli.exits import EXIT_FAIL, fail, handle_errors
from hfx.cli.io import check_outputs, read_document, read_input, write_output
from hfx.cli.options import DelimiterOpt, TextJson, TextJsonMarkdown
from hfx.formats.detect import read_any
from hfx.formats.jsontext import dumps_json
from hfx.nlu.errors import ModelFileError
from hfx.nlu.settings import TrainSettings

#: Intent matches ``hfx predict`` prints per text unless --top says otherwise.
PREDICT_TOP = 3
#: Texts classified at once by ``hfx predict``.
_BATCH = 256


def register(app: typer.Typer) -> None:
    app.command(
        "train",
        epilog=examples(
            "hfx train workspace.json -o models/v1", "hfx train clu-project.json -o models/flights --delimiter ---"
        ),
    )(train_cmd)
    app.command(
        "predict",
        epilog=examples(
            'hfx predict models/v1 "where is my parcel" "I want a refund"',
            "hfx predict models/v1 --input texts.txt --format json --top 5",
        ),
    )(predict_cmd)
    app.command(
        "evaluate",
        epilog=examples(
            "hfx evaluate workspace.json",
            "hfx evaluate workspace.json --folds 10 --html report.html",
            "hfx evaluate workspace.json --test-tag blind --min-accuracy 0.9",
            "hfx evaluate workspace.json --format markdown >> $GITHUB_STEP_SUMMARY",
        ),
    )(evaluate_cmd)


def _load_workspace(path: str, delimiter: str) -> Any:
    """An HF JSON or CLU project file (format detected), or stdin for ``-``."""
    source, obj, _ = read_document(path)
    return read_any(obj, source=source, delimiter=delimiter)[1]


@contextmanager
def _progress(description: str) -> Iterator[Callable[[str, float], None]]:
    """A rich progress bar on stderr (see :func:`progress_bar`), fed by the model's ``progress(phase, fraction)``
    callback."""
    with progress_bar(description, 1.0, "{task.percentage:>3.0f}%") as update:

        def on_phase(phase: str, fraction: float) -> None:
            if update is not None:
                update(completed=max(0.0, min(1.0, fraction)), description=f"{description}: {phase}")

        yield on_phase


def _settings(delimiter: str, seed: int) -> TrainSettings:
    return TrainSettings(delimiter=delimiter or None, seed=seed)


# -- train ----------------------------------------------------------------------------------------------------------


@handle_errors
def train_cmd(
    workspace: str = typer.Argument(
        ..., metavar="WORKSPACE", help="HF JSON or CLU project file (format detected; '-' = stdin)."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", metavar="MODEL_DIR", help="Model folder to create (must not exist yet)."
    ),
    delimiter: str = DelimiterOpt,
    seed: int = typer.Option(0, "--seed", help="Random seed (the same workspace and seed give the same model)."),
) -> None:
    """Train the local intent + entity model on a workspace, offline, into a new folder."""
    from hfx.nlu.model import NluModel

    if output.exists() or output.is_symlink():
        raise fail(f"{output}: exists already; name a new folder (a model is never written over another)")
    ws = _load_workspace(workspace, delimiter)
    started = time.perf_counter()
    with _progress("training") as progress:
        model = NluModel.train(ws, _settings(delimiter, seed), progress=progress)
    elapsed = time.perf_counter() - started
    try:
        model.save(output)
    except FileExistsError:
        raise fail(f"{output}: exists already; name a new folder") from None
    err_console.print(
        f"trained model {model.id} on {plural(model.example_count, 'example')}, "
        f"{plural(model.intent_count, 'intent')} in {elapsed:.1f} s -> {output}",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


# -- predict --------------------------------------------------------------------------------------------------------


def _read_texts(path: str) -> list[str]:
    source = "<stdin>" if path == "-" else path
    try:
        data = read_input(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"{source}: not UTF-8 text (byte {exc.start})") from None
    return [line for line in data.splitlines() if line.strip()]


def _load_model(folder: Path) -> Any:
    from hfx.nlu.model import NluModel  # numpy, SciPy, scikit-learn: loaded by the commands that need them

    if not folder.is_dir():  # the usual slip: the workspace file instead of the folder `hfx train -o` wrote
        what = "a file, not a model folder" if folder.exists() else "no such model folder"
        raise fail(f"{folder}: {what} (make one with `hfx train WORKSPACE -o MODEL_DIR`)")
    try:
        return NluModel.load(folder)
    except ModelFileError as exc:
        raise fail(f"{folder}: {exc}") from None


def _prediction_json(prediction: Any) -> dict[str, Any]:
    return {
        "text": prediction.text,
        "matches": [{"id": m.id, "name": m.name, "score": m.score} for m in prediction.intents],
        "entities": [
            {
                "entity_id": e.entity_id,
                "entity_value_id": e.entity_value_id,
                "text": e.text,
                "value": e.value,
                "start": e.start,
                "end": e.end,
                "score": e.score,
                "extractor": e.extractor,
            }
            for e in prediction.entities
        ],
    }


@handle_errors
def predict_cmd(
    model_dir: Path = typer.Argument(..., metavar="MODEL_DIR", help="Model folder written by 'hfx train'."),
    texts: list[str] = typer.Argument(None, metavar="TEXT", help="Texts to classify."),
    input_file: str = typer.Option(
        None, "--input", "-i", metavar="FILE", help="UTF-8 file with one text per line ('-' = stdin)."
    ),
    top: int = typer.Option(PREDICT_TOP, "--top", min=1, help="Intent matches per text, best first."),
    output_format: TextJson = typer.Option(TextJson.text, "--format", help="text (human) or json (one document)."),
) -> None:
    """Classify texts with a trained model: intents with scores in [0, 1], best first, and entities.

    Entity spans (start, end) are UTF-8 byte offsets of the text, as in HumanFirst.
    """
    all_texts = list(texts or []) + (_read_texts(input_file) if input_file else [])
    if not all_texts:
        raise fail("no texts to classify: give them as arguments or with --input FILE (or - for stdin)")
    model = _load_model(model_dir)
    predictions = []
    for lo in range(0, len(all_texts), _BATCH):
        predictions += model.predict(all_texts[lo : lo + _BATCH], top_k=top)
    if output_format is TextJson.json:
        write_output("-", dumps_json([_prediction_json(p) for p in predictions]))
        return
    _print_predictions(predictions, model.entity_names)


def _print_predictions(predictions: Sequence[Any], entity_names: dict[str, str]) -> None:
    from rich.markup import escape

    for p in predictions:
        out_console.print(f"[bold]{escape(p.text)}[/]", soft_wrap=True)
        for m in p.intents:
            out_console.print(f"  {m.score:6.3f}  {escape(m.name)}", soft_wrap=True)
        for e in p.entities:
            value = f" = {escape(e.value)}" if e.value != e.text else ""
            out_console.print(
                f"  [cyan]@{escape(entity_names.get(e.entity_id, e.entity_id))}[/] "
                f"{escape(repr(e.text))}{value} [dim]bytes {e.start}-{e.end}, {e.extractor}, "
                f"{e.score:.2f}[/]",
                soft_wrap=True,
            )


# -- evaluate -------------------------------------------------------------------------------------------------------


@handle_errors
def evaluate_cmd(
    workspace: str = typer.Argument(
        ..., metavar="WORKSPACE", help="HF JSON or CLU project file (format detected; '-' = stdin)."
    ),
    folds: int = typer.Option(
        None, "--folds", "-k", metavar="K", help="Stratified k-fold cross-validation (default 5)."
    ),
    test_tag: str = typer.Option(
        None,
        "--test-tag",
        metavar="TAG",
        help="Instead of folds: test on the examples with this tag (name or id), train on the others.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the fold split and of the models."),
    output_format: TextJsonMarkdown = typer.Option(
        TextJsonMarkdown.text, "--format", help="text, json, or markdown (PR comments)."
    ),
    html: Path = typer.Option(
        None, "--html", metavar="FILE", help="Also write a self-contained HTML report to this file."
    ),
    min_accuracy: float = typer.Option(None, "--min-accuracy", help="Exit 1 when accuracy is below this (0-1)."),
    min_macro_f1: float = typer.Option(None, "--min-macro-f1", help="Exit 1 when macro-F1 is below this (0-1)."),
    delimiter: str = DelimiterOpt,
) -> None:
    """Evaluate the local model on a workspace: k-fold or held-out tagged set; exit 1 below a --min bar."""
    from hfx.nlu.evaluate import cross_validate, held_out

    if folds is not None and test_tag is not None:
        raise fail("--folds and --test-tag exclude each other")
    check_outputs({"--html": str(html) if html is not None else None}, (workspace,))
    for name, bar in (("--min-accuracy", min_accuracy), ("--min-macro-f1", min_macro_f1)):
        if bar is not None and not 0 <= bar <= 1:
            raise fail(f"{name} must be from 0 to 1 (got {bar})")
    ws = _load_workspace(workspace, delimiter)
    settings = _settings(delimiter, seed)
    with _progress("evaluating") as progress:
        if test_tag is not None:
            ev = held_out(ws, test_tag, settings, progress=progress)
        else:
            ev = cross_validate(ws, settings, folds=5 if folds is None else folds, seed=seed, progress=progress)
    source = "<stdin>" if workspace == "-" else workspace
    if html is not None:
        from hfx.nlu.report import to_html

        write_output(str(html), to_html(ev, source=source).encode("utf-8"), (workspace,))
    if output_format is TextJsonMarkdown.json:
        write_output("-", dumps_json(ev.to_json()))
    elif output_format is TextJsonMarkdown.markdown:
        from hfx.nlu.report import to_markdown

        write_output("-", to_markdown(ev, source=source).encode("utf-8"))
    else:
        _print_evaluation(ev)
    missed = [
        f"{name} {value:.4f} is below {bar}"
        for name, value, bar in (("accuracy", ev.accuracy, min_accuracy), ("macro-F1", ev.macro_f1, min_macro_f1))
        if bar is not None and value < bar
    ]
    if missed:
        error_console.print(f"[bold red]failed:[/] {'; '.join(missed)}", markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_FAIL)


def _print_evaluation(ev: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    out_console.print(
        f"[bold]{ev.method}[/] on {plural(ev.example_count, 'example')}: "
        f"accuracy [bold]{ev.accuracy:.2%}[/], macro-F1 [bold]{ev.macro_f1:.2%}[/]",
        soft_wrap=True,
    )
    table = Table(title="intents (worst first)", title_justify="left")
    for col in ("intent", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "intent" else "right", overflow="fold")
    for s in ev.intents[:20]:
        table.add_row(escape(s.name), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    out_console.print(table)
    if len(ev.intents) > 20:
        out_console.print(f"... and {len(ev.intents) - 20} more intents (--format json or --html for all)")
    if ev.confusions:
        table = Table(title="most confused", title_justify="left")
        for col in ("expected", "predicted", "count", "example"):
            table.add_column(col, overflow="fold")
        for c in ev.confusions[:10]:
            table.add_row(
                escape(c.expected_name),
                escape(c.predicted_name),
                str(c.count),
                escape(c.examples[0]) if c.examples else "",
            )
        out_console.print(table)
    if ev.entities:
        table = Table(title="entities", title_justify="left")
        for col in ("entity", "precision", "recall", "F1", "support"):
            table.add_column(col, justify="left" if col == "entity" else "right")
        for s in ev.entities:
            table.add_row(escape(s.name), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
        out_console.print(table)
