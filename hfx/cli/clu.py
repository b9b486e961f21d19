"""``hfx clu ...``: CLU projects, export/import (with backups), predictions, and the local emulator.

The endpoint comes from ``--clu-endpoint`` / ``HFX_CLU_ENDPOINT`` / ``CLU_ENDPOINT``; the key from
``--clu-key-file`` / ``HFX_CLU_KEY`` / ``CLU_KEY`` / ``HFX_CLU_KEY_FILE`` - never from the command line.
Exit codes: 0 ok, 1 CLU refused or a job failed, 2 bad usage, configuration or input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

import typer

from hfx.cli.clu_cleanup import register_cleanup
from hfx.cli.clu_options import (
    Connection,
    EndpointOpt,
    KeyFileOpt,
    TimeoutOpt,
    VerboseOpt,
    clu_errors,
    connection_options,
    open_client,
    say,
)
from hfx.cli.common import (
    examples,
    out_console,
    plural,
    progress_bar,
    real_renames,
)
from hfx.cli.exits import EXIT_FAIL, fail, handle_errors
from hfx.cli.io import check_outputs, read_document, require_resource_name, write_output
from hfx.cli.loss_report import print_report
from hfx.cli.options import (
    DelimiterOpt,
    InvalidNames,
    TestTagOpt,
    data_dir_option,
    invalid_names_option,
    language_option,
)
from hfx.clu.backup import write_backup
from hfx.clu.client import Training
from hfx.clu.config import resolve_key
from hfx.clu.emulator import start_emulator
from hfx.clu.errors import CluError, CluNotFound, JobFailed
from hfx.formats.clu_json import CluReadOptions, CluWriteOptions, project_dates, read_clu, write_clu
from hfx.formats.clu_names import LIMITS
from hfx.formats.hf_json import dumps_hf, read_hf
from hfx.formats.jsontext import dumps_json

clu_app = typer.Typer(
    help="Work with Microsoft CLU projects (or the local emulator): list, export, import with backups, train, "
    "deploy, predict.",
    no_args_is_help=True,
)


ExportTarget = Enum("ExportTarget", [("clu", "clu"), ("hf", "hf")], type=str)
#: ``--string-index-type``: the option's names for CLU's offset units.
IndexType = Enum(
    "IndexType",
    [("utf16", "Utf16CodeUnit"), ("code_point", "UnicodeCodePoint"), ("text_elements", "TextElements_v8")],
    type=str,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands (and ``hfx clu cleanup``) to ``app``."""
    register_cleanup(clu_app)
    app.add_typer(clu_app, name="clu")


@contextmanager
def _job_progress(description: str) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A rich spinner on stderr showing a CLU job's status while it runs (see :func:`progress_bar`); yields the
    on_progress callback."""
    with progress_bar(description, 100, "{task.fields[status]}", status="starting") as update:

        def on_job(job: dict[str, Any]) -> None:
            if update is None:
                return
            status = str(job.get("status", ""))
            done = ((job.get("result") or {}).get("trainingStatus") or {}).get("percentComplete")
            if done is None:
                done = {"notstarted": 5, "running": 50, "succeeded": 100}.get(status.lower(), 50)
            update(completed=done, status=status)

        yield on_job


# -- emulator ----------------------------------------------------------------------------------------


@clu_app.command(
    "emulator",
    epilog=examples(
        "HFX_CLU_KEY=dev-key hfx clu emulator --port 5099",
        "HFX_CLU_KEY=dev-key hfx clu emulator --fault-rate 0.2 --job-delay-ms 2000",
    ),
)
@handle_errors
def emulator_cmd(
    port: int = typer.Option(
        5099, "--port", "-p", min=0, max=65535, metavar="PORT", help="Port to listen on (0 = any free port)."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", metavar="HOST", help="Address to bind (keep loopback unless you mean it)."
    ),
    key_file: str = typer.Option(
        None,
        "--key-file",
        metavar="FILE",
        help="File holding the key clients must send (default: $HFX_CLU_KEY, $CLU_KEY).",
    ),
    latency_ms: float = typer.Option(0.0, "--latency-ms", min=0, metavar="MS", help="Delay added to every answer."),
    fault_rate: float = typer.Option(
        0.0,
        "--fault-rate",
        min=0,
        max=0.99,
        metavar="0..0.99",
        help="Fraction of requests answered 429 (with Retry-After) or 503, half each.",
    ),
    fault_retry_after_ms: int = typer.Option(
        1000,
        "--fault-retry-after-ms",
        min=1,
        metavar="MS",
        help="Retry-After hint of injected 429s (also sent as retry-after-ms).",
    ),
    rps: float = typer.Option(
        None, "--rps", min=0.1, metavar="N", help="Requests per second accepted (sliding 1 s window); beyond it: 429."
    ),
    job_delay_ms: float = typer.Option(
        0.0, "--job-delay-ms", min=0, metavar="MS", help="How long jobs (import, export, train, deploy, delete) take."
    ),
    seed: int = typer.Option(0, "--seed", metavar="N", help="Seed of the fault injection and of generated ids."),
    page_size: int = typer.Option(10, "--page-size", min=1, metavar="N", help="Projects per page of the project list."),
) -> None:
    """Run a local CLU emulator (authoring + runtime subset of api-version 2023-04-01) until Ctrl-C."""
    import signal
    import threading

    key = resolve_key(key_file, option="--key-file")
    try:
        handle = start_emulator(
            host=host,
            port=port,
            key=key,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            rps=rps,
            job_delay_ms=job_delay_ms,
            seed=seed,
            page_size=page_size,
            fault_retry_after_ms=fault_retry_after_ms,
        )
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    typer.echo(f"CLU emulator listening on {handle.url}", err=False)
    say(f"set HFX_CLU_ENDPOINT={handle.url} and the same key in HFX_CLU_KEY; Ctrl-C stops")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        handle.stop()
        counters = handle.state.counters
        say(
            f"emulator stopped after {counters['requests']} requests "
            f"({counters['faults_429'] + counters['faults_503']} injected faults, "
            f"{counters['throttled']} over the rate limit)"
        )


# -- projects ----------------------------------------------------------------------------------------


@clu_app.command("projects")
@clu_errors
def projects_cmd(
    endpoint: str = EndpointOpt,
    key_file: str = KeyFileOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the project list as JSON instead of a table."),
    timeout: float = TimeoutOpt,
    verbose: int = VerboseOpt,
) -> None:
    """List the projects of the CLU resource."""
    with open_client(endpoint, key_file, timeout, verbose) as client:
        projects = sorted(client.list_projects(), key=lambda p: p.get("projectName", ""))
    if as_json:
        write_output("-", dumps_json(projects))
        return
    from rich.markup import escape
    from rich.table import Table

    def cell(value: Any, default: str = "") -> str:  # CLU's values, shown literally (never as rich markup)
        return escape(str(value)) if value not in (None, "") else default

    table = Table(title=f"{plural(len(projects), 'CLU project')}", title_justify="left")
    table.add_column("project", overflow="fold")
    for col in ("language", "modified", "trained", "deployed"):  # codes and timestamps stay whole
        table.add_column(col, no_wrap=True)
    table.add_column("description", overflow="fold", ratio=1)
    for p in projects:
        language = cell(p.get("language")) + (" (multilingual)" if p.get("multilingual") else "")
        table.add_row(
            cell(p.get("projectName")),
            language,
            _stamp(p.get("lastModifiedDateTime")),
            _stamp(p.get("lastTrainedDateTime")),
            _stamp(p.get("lastDeployedDateTime")),
            cell(p.get("description")),
        )
    out_console.print(table)


def _stamp(value: Any) -> str:
    """CLU's ISO timestamp as ``2024-01-01 11:30`` (UTC, to the minute); ``-`` when absent."""
    text = str(value or "")
    if len(text) < 16 or text[10] != "T":
        return text or "-"
    return f"{text[:10]} {text[11:16]}"


# -- export ------------------------------------------------------------------------------------------


@clu_app.command(
    "export",
    epilog=examples("hfx clu export Flights -o project.json", "hfx clu export Flights --to hf -o workspace.json"),
)
@clu_errors
@connection_options()
def export_cmd(
    project: str = typer.Argument(..., metavar="PROJECT", help="CLU project name (case-sensitive)."),
    output: str = typer.Option(
        "-", "--output", "-o", metavar="FILE", help="Output file ('-' = stdout); written in place, never half-written."
    ),
    to: ExportTarget = typer.Option(
        ExportTarget.clu, "--to", help="'clu': the CLU project file as exported; 'hf': converted to HF JSON."
    ),
    delimiter: str = DelimiterOpt,
    test_tag: list[str] = TestTagOpt,
    *,
    conn: Connection,
) -> None:
    """Export a CLU project as a CLU project file or as HF JSON."""
    check_outputs({"--output": output}, (conn.key_file,))
    with conn.client() as client, _job_progress(f"exporting {project}") as tick:
        exported = client.export_project(project, deadline=conn.job_timeout, on_progress=tick)
        info = client.get_project(project) if to is ExportTarget.hf else {}
    if to is ExportTarget.clu:
        write_output(output, dumps_json(exported), (conn.key_file,))
    else:
        ws, report = read_clu(
            exported,
            source=f"CLU project {project}",
            options=CluReadOptions(delimiter=delimiter, test_tags=tuple(test_tag)),
        )
        project_dates(info, ws)  # the project's own dates time what hfx creates
        write_output(output, dumps_hf(ws), (conn.key_file,))
        print_report(report)
    if output != "-":
        say(f"exported {project} to {output} ({to.value})")


# -- import ------------------------------------------------------------------------------------------


@clu_app.command(
    "import",
    epilog=examples(
        "hfx clu import project.json -p Flights",
        "hfx clu import workspace.json -p Flights --invalid-names rewrite",
        "HFX_DATA_DIR=/srv/hfx hfx clu import workspace.json -p Flights",
    ),
)
@clu_errors
@connection_options()
def import_cmd(
    file: str = typer.Argument(..., metavar="FILE", help="HF JSON or CLU project file (auto-detected; '-' = stdin)."),
    project: str = typer.Option(..., "--project", "-p", metavar="NAME", help="CLU project to create or replace."),
    data_dir: str = data_dir_option("Backups go to DIR/backups/PROJECT/ (one file per import, named by UTC time)."),
    delimiter: str = DelimiterOpt,
    test_tag: list[str] = TestTagOpt,
    invalid_names: InvalidNames = invalid_names_option(
        "HF input: 'error' refuses names CLU rejects; 'rewrite' makes valid, unique names."
    ),
    language: str = language_option(
        "HF input: project language (default: the existing project's, the workspace's, en-us)."
    ),
    *,
    conn: Connection,
) -> None:
    """Import a file into a CLU project, backing up the current project first.

    Then train and deploy it: `hfx clu train PROJECT`, `hfx clu deploy PROJECT`.
    """

    require_resource_name(project, "--project", "project name")
    source, obj, fmt = read_document(file)  # a non-object is refused before CLU is called
    if fmt == "clu":
        from hfx.formats.schemas import check_schema  # jsonschema: loaded for CLU files only

        check_schema(obj, "clu", source)  # a broken file stops here (exit 2, file + JSON pointer), before CLU is called
    with conn.client() as client:
        current: dict[str, Any] | None = None
        if client.project_exists(project):
            with _job_progress(f"backing up {project}") as tick:
                current = client.export_project(project, deadline=conn.job_timeout, on_progress=tick)
        if fmt == "hf":
            body = _hf_to_clu(obj, source, project, current, delimiter, tuple(test_tag), invalid_names, language)
        else:
            body = dict(obj)
            body["metadata"] = {**obj["metadata"], "projectName": project}
        backup = write_backup(data_dir, project, current) if current is not None else None
        if backup is not None:
            say(f"backup of the current {project}: {backup}")
        try:
            with _job_progress(f"importing {source} into {project}") as tick:
                client.import_project(project, body, deadline=conn.job_timeout, on_progress=tick)
        except JobFailed as exc:
            raise _import_rejected(exc, source, project, backup) from None
    assets = body.get("assets") or {}
    say(
        f"imported {source} ({fmt}) into {project}: {plural(len(assets.get('intents') or []), 'intent')}, "
        f"{plural(len(assets.get('entities') or []), 'entity', 'entities')}, "
        f"{plural(len(assets.get('utterances') or []), 'utterance')}"
    )


def _import_rejected(exc: JobFailed, source: str, project: str, backup: object) -> JobFailed:
    """Say what CLU found wrong with an import (and where the backup stays); the error to raise (``exc`` itself
    when CLU gave no details, else a short one: the problems are listed above it)."""
    shown = [d for d in exc.details if isinstance(d, dict)]
    for detail in shown[:20]:
        say(f"  {detail.get('target', '')}: {detail.get('message', '')}")
    if len(shown) > 20:
        say(f"  ... and {len(shown) - 20} more")
    if backup is not None:
        say(f"the project was not replaced; its backup stays at {backup}")
    if not shown:
        return exc
    return JobFailed(
        f"CLU rejected the import of {source} into {project} ({plural(len(shown), 'problem')} above)",
        code=exc.code,
        status=exc.status,
    )


def _hf_to_clu(
    obj: Any,
    source: str,
    project: str,
    current: dict[str, Any] | None,
    delimiter: str,
    test_tags: tuple[str, ...],
    invalid_names: InvalidNames,
    language: str | None,
) -> dict[str, Any]:

    ws = read_hf(obj, source=source)
    options = CluWriteOptions(
        delimiter=delimiter,
        test_tags=test_tags,
        invalid_names=invalid_names.value,
        project_name=project,
        language=language,
        base=current,
    )
    body, report, renames = write_clu(ws, options)
    print_report(report, skip=("CLU_NAME_REWRITTEN",))  # each rename is printed once, below
    for old, new in sorted(real_renames(renames).items()):
        say(f"renamed {old!r} -> {new!r}")
    if report.errors:
        hint = ""
        if invalid_names is InvalidNames.error and any(i.code.startswith("CLU_NAME_") for i in report.errors):
            hint = " (--invalid-names rewrite makes names CLU accepts)"
        n = len(report.errors)
        raise fail(
            f"{source}: {plural(n, 'problem')} {'stops' if n == 1 else 'stop'} the conversion to CLU; "
            f"nothing was imported{hint}",
            code=EXIT_FAIL,
        )
    return body


# -- train & deploy ----------------------------------------------------------------------------------


TrainingMode = Enum("TrainingMode", [("auto", "auto"), ("standard", "standard"), ("advanced", "advanced")], type=str)
EvaluationKind = Enum("EvaluationKind", [("percentage", "percentage"), ("manual", "manual")], type=str)


ModelOpt = typer.Option(
    "latest", "--model", "-m", metavar="LABEL", help="Model label (training again under a label replaces that model)."
)


@clu_app.command(
    "train", epilog=examples("hfx clu train Flights", "hfx clu train Flights -m v2 --mode advanced --test-percent 0")
)
@clu_errors
@connection_options()
def train_cmd(
    project: str = typer.Argument(..., metavar="PROJECT", help="CLU project to train."),
    model: str = ModelOpt,
    mode: TrainingMode = typer.Option(
        TrainingMode.auto,
        "--mode",
        help="standard (English projects only) or advanced; auto: standard where CLU allows it.",
    ),
    evaluation: EvaluationKind = typer.Option(
        EvaluationKind.percentage,
        "--evaluation",
        help="percentage: hold out --test-percent of the Train utterances; "
        "manual: test on the utterances of the Test dataset.",
    ),
    test_percent: int = typer.Option(
        20,
        "--test-percent",
        min=0,
        max=50,
        metavar="PERCENT",
        help="With --evaluation percentage: share held out for testing.",
    ),
    *,
    conn: Connection,
) -> None:
    """Train a model of a CLU project and wait for the training job to finish."""

    require_resource_name(model, "--model", "model label")
    evaluation_options: dict[str, Any] = (
        {"kind": "manual"}
        if evaluation is EvaluationKind.manual
        else {
            "kind": "percentage",
            "trainingSplitPercentage": 100 - test_percent,
            "testingSplitPercentage": test_percent,
        }
    )
    with conn.client() as client:
        chosen = mode.value
        if mode is TrainingMode.auto:
            meta = client.get_project(project)
            english = str(meta.get("language", "")).lower() in ("en-us", "en-gb")
            chosen = "standard" if english and not meta.get("multilingual") else "advanced"
        with _job_progress(f"training {project} ({model}, {chosen})") as tick:
            job = client.train(
                project,
                model,
                Training(mode=chosen, evaluation=evaluation_options),
                deadline=conn.job_timeout,
                on_progress=tick,
            )
    took = _job_seconds(job)
    say(
        f"trained model {model} of {project} ({chosen}{took}); deploy it with: hfx clu deploy {project} "
        f"production -m {model}"
    )


@clu_app.command("deploy", epilog=examples("hfx clu deploy Flights", "hfx clu deploy Flights staging -m v2"))
@clu_errors
@connection_options()
def deploy_cmd(
    project: str = typer.Argument(..., metavar="PROJECT", help="CLU project."),
    deployment: str = typer.Argument("production", metavar="DEPLOYMENT", help="Deployment to create or replace."),
    model: str = ModelOpt,
    *,
    conn: Connection,
) -> None:
    """Deploy a trained model under a name and wait until it answers predictions."""

    require_resource_name(deployment, "DEPLOYMENT", "deployment name")
    with conn.client() as client:
        _require_model(client, project, model)
        with _job_progress(f"deploying {project} {model} as {deployment}") as tick:
            info = client.deploy(project, deployment, model, deadline=conn.job_timeout, on_progress=tick)
    say(
        f"deployed model {model} of {project} as {deployment} (model id {info.get('modelId', '?')}); "
        f"try it: hfx clu predict {project} {deployment} 'some text'"
    )


def _require_model(client: Any, project: str, model: str) -> None:
    """Fail with the labels there are (and how to train one) when ``model`` is not a trained model."""

    try:
        client.get_model(project, model)
    except CluNotFound:
        labels = (
            sorted(m.get("label", "") for m in client.list_models(project)) if client.project_exists(project) else None
        )
        if labels is None:
            raise fail(
                f"CLU has no project {project!r}; create it with: hfx clu import FILE -p {project}", code=EXIT_FAIL
            ) from None
        have = f"its models: {', '.join(labels)}" if labels else "it has no trained model yet"
        raise fail(
            f"project {project!r} has no trained model {model!r} ({have}); train one with: "
            f"hfx clu train {project} -m {model}",
            code=EXIT_FAIL,
        ) from None


def _job_seconds(job: dict[str, Any]) -> str:
    from datetime import datetime

    try:
        start = datetime.fromisoformat(str(job["createdDateTime"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(job["lastUpdatedDateTime"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return ""
    return f", {max(0.0, (end - start).total_seconds()):.0f} s"


# -- predict -----------------------------------------------------------------------------------------


@clu_app.command(
    "predict",
    epilog=examples(
        "hfx clu predict Flights production 'book a flight to Paris'",
        "hfx clu predict Flights production --json 'fly home' 'cancel it'",
    ),
)
@clu_errors
@connection_options(jobs=False)
def predict_cmd(
    project: str = typer.Argument(..., metavar="PROJECT", help="CLU project name."),
    deployment: str = typer.Argument(..., metavar="DEPLOYMENT", help="Deployment name."),
    texts: list[str] = typer.Argument(..., metavar="TEXT", help="Utterance(s) to classify."),
    string_index_type: IndexType = typer.Option(
        IndexType.utf16, "--string-index-type", "-i", help="Offset unit asked for from CLU."
    ),
    language: str = typer.Option(
        None, "--language", metavar="LANG", help="Language of the texts (default: the project's)."
    ),
    concurrency: int = typer.Option(4, "--concurrency", min=1, max=64, help="Calls in flight at most."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON result per line instead of a table."),
    *,
    conn: Connection,
) -> None:
    """Classify texts with a deployed CLU model (results in input order)."""
    from concurrent.futures import ThreadPoolExecutor

    MAX_QUERY = LIMITS["query_length"]  # noqa: N806
    for n, text in enumerate(texts, 1):  # CLU answers 400 for these, failing the whole command late
        if not text.strip():
            raise fail(f"TEXT {n} is empty; CLU classifies 1 to {MAX_QUERY} characters")
        if len(text) > MAX_QUERY:
            raise fail(f"TEXT {n} has {len(text)} characters; CLU classifies at most {MAX_QUERY}")
    with conn.client() as client:
        try:
            with ThreadPoolExecutor(max_workers=min(concurrency, len(texts))) as pool:
                results = list(
                    pool.map(
                        lambda t: client.analyze(
                            t, project, deployment, string_index_type=string_index_type.value, language=language
                        ),
                        texts,
                    )
                )
        except CluNotFound as exc:
            raise fail(_missing_deployment(client, project, deployment, str(exc)), code=EXIT_FAIL) from None
        threshold = None if as_json else _threshold_if_needed(client, project, results)
    if as_json:
        write_output("-", b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in results))
        return
    _print_predictions(f"{project}/{deployment}", results, threshold)


def _missing_deployment(client: Any, project: str, deployment: str, message: str) -> str:
    """Say what is missing (the project, a deployment) and the commands that make it."""

    try:
        if not client.project_exists(project):
            return f"CLU has no project {project!r} ({message}); create it with: hfx clu import FILE -p {project}"
        names = sorted(d.get("deploymentName", "") for d in client.list_deployments(project))
    except CluError:
        return message
    have = f"its deployments: {', '.join(names)}" if names else "it has no deployment yet"
    return (
        f"project {project!r} has no deployment {deployment!r} ({have}); train and deploy a model with: "
        f"hfx clu train {project} && hfx clu deploy {project} {deployment}"
    )


def _threshold_if_needed(client: Any, project: str, results: list[dict[str, Any]]) -> float | None:
    """The project's confidence threshold, fetched only when some answer's top intent fell under it."""

    if not any(_under_threshold(r.get("prediction") or {}) for r in results):
        return None
    try:
        threshold = (client.get_project(project).get("settings") or {}).get("confidenceThreshold")
        return None if threshold is None else float(threshold)
    except (CluError, TypeError, ValueError):
        return None


def _under_threshold(pred: dict[str, Any]) -> dict[str, Any] | None:
    """The best-scored intent when CLU answered None because it scored under the project's threshold."""
    intents = pred.get("intents") or []
    best = intents[0] if intents else {}
    if pred.get("topIntent") == "None" and best.get("category") not in (None, "None"):
        return best
    return None


def _print_predictions(title: str, results: list[dict[str, Any]], threshold: float | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    def scored(intent: dict[str, Any]) -> str:
        return f"{intent.get('category', '')} {intent.get('confidenceScore', 0):.3f}" if intent else ""

    table = Table(title=title, title_justify="left")
    table.add_column("text", overflow="fold")
    table.add_column("top intent", overflow="fold")
    table.add_column("score", no_wrap=True, justify="right")
    table.add_column("next", overflow="fold")
    table.add_column("entities", overflow="fold")
    under = 0
    for r in results:
        pred = r.get("prediction") or {}
        intents = pred.get("intents") or []
        top_name = str(pred.get("topIntent", ""))
        top = next((i for i in intents if i.get("category") == top_name), None)
        others = [i for i in intents if i is not top]
        best = _under_threshold(pred)
        if best is not None:
            under += 1
            nxt = f"{scored(best)} (under the threshold)"
        else:
            nxt = scored(others[0]) if others else ""
        ents = ", ".join(
            f"{e.get('category')}={e.get('text')!r}@{e.get('offset')}+{e.get('length')}"
            for e in pred.get("entities") or []
        )
        table.add_row(
            escape(str(r.get("query", ""))),
            escape(top_name),
            f"{top.get('confidenceScore', 0):.3f}" if top else "-",
            escape(nxt),
            escape(ents),
        )  # user text is shown literally, never read as rich markup
    out_console.print(table)
    if under:
        limit = f" ({threshold:g})" if threshold is not None else ""
        say(
            f"{plural(under, 'text')}: the best intent scored under the project's confidence threshold{limit}, "
            "so CLU answered None"
        )
