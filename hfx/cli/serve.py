"""``hfx serve`` (the HumanFirst custom-integration gRPC server) and ``hfx health``; ``hfx creds`` is in
:mod:`hfx.cli.creds`."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from hfx.backends import directory
from hfx.backends.base import Backend, BackendSettings
from hfx.cli.common import err_console, error_console, examples, out_console
from hfx.cli.creds import creds_app
from hfx.cli.exits import EXIT_FAIL, handle_errors
from hfx.cli.options import TextJson
from hfx.cli.serve_settings import (
    LOCAL_MODEL_OPTIONS,
    BackendName,
    CluOptions,
    LogLevel,
    ModelOptions,
    ServeSettings,
    extra_options,
    parse_config,
)
from hfx.errors import HfxError

if TYPE_CHECKING:
    import grpc

    from hfx.server.app import ServerConfig
    from hfx.server.tls import Credentials

__all__ = ["BackendName", "LogLevel", "parse_config", "register", "run_server"]


def _quiet_grpc() -> None:
    """Keep gRPC's C core from writing its own INFO lines (e.g. every failed TLS handshake) to stderr.

    Must run before ``grpc`` is first imported; an explicit ``GRPC_VERBOSITY`` in the environment wins.
    """
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


def _dev_credentials(data_dir: Path) -> tuple[Path, Path]:
    """Throwaway credentials under the data dir (re-used while valid). Returns (server creds, folder)."""
    from hfx.server.tls import CREDENTIALS_FILE, cert_info, generate_credentials, load_credentials

    folder = data_dir / "dev-credentials"
    path = folder / CREDENTIALS_FILE
    if path.exists():
        try:
            creds = load_credentials(path)
            if not cert_info(creds.certificate).expired() and not cert_info(creds.remote_certificate).expired():
                return path, folder
        except HfxError:
            pass
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    generate_credentials(folder, days=30, server_name="hfx-dev-server", client_name="hfx-dev-client", overwrite=True)
    return path, folder


def _opt(panel: str, *decls: str, env: str | None = None, **kw: Any) -> Any:
    """A ``hfx serve`` option in help panel ``panel``, also read from the environment variable ``env`` (by default
    the option's name: ``--data-dir`` is ``HFX_DATA_DIR``)."""
    env = env or "HFX_" + decls[0].removeprefix("--").upper().replace("-", "_")
    return typer.Option(*decls, envvar=env, rich_help_panel=panel, **kw)


_H = "Server"
_L = "Limits and logging"
_C = "CLU backend (--backend clu)"
_M = "Models"


def serve(
    ctx: typer.Context,
    backend: Annotated[
        BackendName,
        _opt(
            _H,
            "--backend",
            case_sensitive=False,
            help="Where workspaces live: a folder of HF JSON files, or CLU.",
        ),
    ] = BackendName.directory,
    address: Annotated[
        str,
        _opt(
            _H,
            "--address",
            "-a",
            metavar="HOST:PORT",
            help="Where to listen (production: 0.0.0.0:443).",
        ),
    ] = "127.0.0.1:8443",
    creds: Annotated[
        Path | None,
        _opt(
            _H,
            "--creds",
            metavar="FILE",
            help="Credentials JSON from `hf integrations create custom ... --key-out` (client certificates required).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        _opt(_H, "--data-dir", metavar="DIR", help="Data folder (default: ./hfx-data)."),
    ] = None,
    delimiter: Annotated[
        str | None,
        _opt(
            _H,
            "--delimiter",
            "-d",
            metavar="TEXT",
            help="Hierarchy delimiter announced in GetImportParameters (default: ---).",
        ),
    ] = None,
    dev: Annotated[
        bool,
        _opt(
            _H,
            "--dev",
            help="Local trial: throwaway mTLS credentials (and a client cert) under the data dir, loopback only.",
        ),
    ] = False,
    insecure: Annotated[
        bool,
        _opt(_H, "--insecure", help="Plaintext without TLS; only allowed on a loopback address."),
    ] = False,
    reflection: Annotated[bool, _opt(_H, "--reflection", help="Enable gRPC server reflection.")] = False,
    health_address: Annotated[
        str | None,
        _opt(
            _H,
            "--health-address",
            metavar="HOST:PORT",
            help="Also serve grpc.health.v1 (only) in plaintext on HOST:PORT, for probes without a client cert.",
        ),
    ] = None,
    config: Annotated[
        str | None,
        _opt(
            _H,
            "--config",
            metavar="K::V,...",
            help='The original integration\'s "key::value,..." string (migration; see docs). clu_key is refused.',
        ),
    ] = None,
    log_format: Annotated[
        TextJson,
        _opt(
            _L,
            "--log-format",
            case_sensitive=False,
            help="Log lines on stderr: text, or one JSON object per line.",
        ),
    ] = TextJson.text,
    log_level: Annotated[
        LogLevel | None,
        _opt(
            _L,
            "--log-level",
            case_sensitive=False,
            metavar="LEVEL",
            help="debug, info, warning or error (default: info).",
        ),
    ] = None,
    max_message_mb: Annotated[
        int,
        _opt(_L, "--max-message-mb", min=1, metavar="MIB", help="Largest gRPC message, MiB."),
    ] = 256,
    max_decompressed_mb: Annotated[
        int,
        _opt(
            _L,
            "--max-decompressed-mb",
            min=1,
            metavar="MIB",
            help="Largest payload after gunzip, MiB (gzip-bomb guard).",
        ),
    ] = 1024,
    workers: Annotated[int, _opt(_L, "--workers", min=1, help="Threads serving calls.")] = 8,
    history_limit: Annotated[
        int,
        _opt(
            _L,
            "--history-limit",
            min=0,
            help="Previous versions kept per workspace (0 = none).",
        ),
    ] = 10,
    export_gzip: Annotated[
        bool,
        _opt(_L, "--export-gzip", help="Gzip ExportWorkspace data (declared in the response)."),
    ] = False,
    grace_period: Annotated[
        float,
        _opt(
            _L,
            "--grace-period",
            min=0,
            metavar="SECONDS",
            help="Seconds in-flight calls get at shutdown.",
        ),
    ] = 10.0,
    drain_period: Annotated[
        float,
        _opt(
            _L,
            "--drain-period",
            min=0,
            metavar="SECONDS",
            help="Seconds to keep serving while health reports NOT_SERVING before shutdown.",
        ),
    ] = 0.0,
    no_models: Annotated[
        bool,
        _opt(
            _M,
            "--no-models",
            help="Workspaces only: no Models service on the directory backend (by default it trains, classifies and "
            "embeds with local models kept under DATA_DIR/models).",
        ),
    ] = False,
    max_models: Annotated[
        int | None,
        _opt(
            _M,
            "--max-models",
            min=1,
            help="Local models kept in memory at once; the least recently used is dropped first (it stays listed and "
            "loads again when used). Announced as max_concurrent_models. (default: 4)",
        ),
    ] = None,
    max_trainings: Annotated[
        int | None,
        _opt(
            _M,
            "--max-trainings",
            min=1,
            help="Local trainings running at once (each keeps a core busy); further TrainModel calls wait. (default: "
            "1)",
        ),
    ] = None,
    max_batch_size: Annotated[
        int | None,
        _opt(
            _M,
            "--max-batch-size",
            min=1,
            help="Most examples in one Classify or Embed call (both backends); a bigger batch is INVALID_ARGUMENT. "
            "(default: 100)",
        ),
    ] = None,
    top_k: Annotated[
        int | None,
        _opt(
            _M,
            "--top-k",
            min=1,
            help="Intent matches returned per example by local models, best first. (default: 10)",
        ),
    ] = None,
    backend_option: Annotated[
        list[str] | None,
        _opt(
            _C,
            "--backend-option",
            env="HFX_BACKEND_OPTIONS",
            metavar="KEY=VALUE",
            help="A backend setting (repeatable; space-separated in the env var).",
        ),
    ] = None,
    clu_endpoint: Annotated[
        str | None, _opt(_C, "--clu-endpoint", metavar="URL", help="CLU resource endpoint.")
    ] = None,
    clu_key_file: Annotated[
        Path | None,
        _opt(
            _C,
            "--clu-key-file",
            metavar="FILE",
            help="File holding the CLU key (or set HFX_CLU_KEY).",
        ),
    ] = None,
    clu_language: Annotated[
        str | None,
        _opt(_C, "--clu-language", metavar="LANG", help="Language of new projects, e.g. en-us."),
    ] = None,
    clu_multilingual: Annotated[
        bool | None,
        _opt(
            _C,
            "--clu-multilingual",
            help="New projects are multilingual (--no-clu-multilingual: they are not).",
        ),
    ] = None,
    clu_monolingual: Annotated[bool, typer.Option("--no-clu-multilingual", hidden=True)] = False,
    clu_confidence_threshold: Annotated[
        float | None,
        _opt(
            _C,
            "--clu-confidence-threshold",
            metavar="0..1",
            help="Projects' confidence threshold: a lower top score predicts None.",
        ),
    ] = None,
    clu_training_mode: Annotated[
        str | None,
        _opt(_C, "--clu-training-mode", metavar="MODE", help="standard or advanced."),
    ] = None,
    clu_concurrency: Annotated[
        int | None,
        _opt(_C, "--clu-concurrency", min=1, help="Prediction calls in flight at most."),
    ] = None,
    clu_evaluation: Annotated[
        str | None,
        _opt(
            _C,
            "--clu-evaluation",
            metavar="KIND",
            help="percentage (train on 100 % of the Train utterances, the default) or manual (CLU uses each "
            "utterance's Train/Test dataset).",
        ),
    ] = None,
    clu_cleanup: Annotated[
        bool,
        _opt(_C, "--clu-cleanup-on-start", env="HFX_CLU_CLEANUP", help="Delete orphaned hfx- model projects at start."),
    ] = False,
    clu_cleanup_alias: Annotated[bool, typer.Option("--clu-cleanup", hidden=True)] = False,
) -> None:
    """Run the HumanFirst custom-integration gRPC server (mTLS) on the chosen backend.

    Quick start: `hfx serve --dev`. Every option can also be set with the HFX_* environment variable shown.
    """
    _quiet_grpc()
    mapped = parse_config(config) if config else {}
    settings = ServeSettings(
        backend=backend,
        address=address,
        creds=creds,
        data_dir=data_dir if data_dir is not None else Path(mapped.get("data_dir", "hfx-data")),
        delimiter=delimiter if delimiter is not None else mapped.get("delimiter", "---"),
        dev=dev,
        insecure=insecure,
        reflection=reflection,
        health_address=health_address,
        log_format=log_format,
        log_level=log_level.value if log_level is not None else mapped.get("log_level", "info").lower(),
        max_message_mb=max_message_mb,
        max_decompressed_mb=max_decompressed_mb,
        workers=workers,
        history_limit=history_limit,
        export_gzip=export_gzip,
        grace_period=grace_period,
        drain_period=drain_period,
        models=ModelOptions(not no_models, max_models, max_trainings, max_batch_size, top_k),
        clu=CluOptions(
            endpoint=clu_endpoint,
            key_file=clu_key_file,
            language=clu_language,
            multilingual=False if clu_monolingual else clu_multilingual,
            confidence_threshold=clu_confidence_threshold,
            training_mode=clu_training_mode,
            concurrency=clu_concurrency,
            evaluation=clu_evaluation,
            cleanup=clu_cleanup or clu_cleanup_alias,
        ),
        extra_options=extra_options(mapped, backend_option),
    )
    run_server(ctx, settings)


def run_server(ctx: typer.Context, settings: ServeSettings) -> None:
    """``hfx serve`` once its settings are known: check them, set up logging, open the backend, serve until a
    signal ends it."""
    from hfx.server.app import IntegrationServer
    from hfx.server.calls import configure_logging

    _check_transport(settings)
    # the root logger goes to stderr while the command runs, and is put back when it ends (nothing left behind)
    ctx.call_on_close(configure_logging(settings.log_format.value, settings.log_level))
    log = logging.getLogger("hfx.serve")
    credentials, dev_folder = _credentials(settings)
    server = IntegrationServer(_open_backend(settings, log), _server_config(settings, credentials))
    port = server.start()
    server.install_signal_handlers()
    if dev_folder is not None:
        _print_dev_banner(settings, port, dev_folder)
    log.info("ready (pid %d)", os.getpid())
    while not server.wait(0.5):
        pass


def _check_transport(settings: ServeSettings) -> None:
    """Refuse an address that is not HOST:PORT, and TLS settings that are missing, clash or expose plaintext."""
    from hfx.server.app import is_loopback, split_address

    address, dev, insecure, creds = settings.address, settings.dev, settings.insecure, settings.creds
    split_address(address)  # validates HOST:PORT
    if dev and (creds or insecure):
        raise HfxError("--dev makes its own credentials: do not combine it with --creds or --insecure")
    if insecure and creds:
        raise HfxError("--insecure and --creds exclude each other")
    if (dev or insecure) and not is_loopback(address):
        raise HfxError(f"{'--dev' if dev else '--insecure'} only serves on a loopback address, not {address}")
    if not (dev or insecure or creds):
        raise HfxError(
            "no credentials: pass --creds FILE (from `hf integrations create custom ... --key-out`), "
            "or --dev for a local trial"
        )


def _credentials(settings: ServeSettings) -> tuple[Credentials | None, Path | None]:
    """The data dir made, and the server's credentials (None = plaintext) with the ``--dev`` folder if any."""
    from hfx.server.tls import load_credentials

    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        raise HfxError(f"--data-dir {data_dir}: exists and is not a directory")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HfxError(f"--data-dir {data_dir}: cannot create it ({exc.strerror or exc})") from None
    if settings.dev:
        creds, dev_folder = _dev_credentials(data_dir)
        return load_credentials(creds), dev_folder
    return (load_credentials(settings.creds) if settings.creds else None), None


def _open_backend(settings: ServeSettings, log: logging.Logger) -> Backend:
    """The chosen backend, given the backend options that apply to it (others warned about or refused)."""
    options = settings.backend_options()
    if settings.backend is BackendName.clu:
        local_only = sorted(k for k in LOCAL_MODEL_OPTIONS if k in options)
        if local_only:  # CLU trains and runs the models: these settings of local models do not apply
            log.warning("--backend clu ignores the local-model settings %s", ", ".join(local_only))
        applying = {k: v for k, v in options.items() if k not in local_only}
        return _clu_factory()(settings.backend_settings(applying))
    unknown = sorted(k for k in options if not k.startswith("clu_") and k not in directory.MODEL_OPTIONS)
    if unknown:
        raise HfxError(f"--backend-option: the directory backend knows no option {unknown[0]!r}")
    # the endpoint/key may well come from an environment shared with `hfx clu`; other CLU settings mean
    # the user most likely forgot --backend clu
    ignored = sorted(k for k in options if k.startswith("clu_") and k not in {"clu_endpoint", "clu_key_file"})
    if ignored:
        log.warning(
            "the directory backend ignores the CLU settings %s (did you mean --backend clu?)", ", ".join(ignored)
        )
    store = directory.create_backend(settings.backend_settings(options))
    max_models = settings.models.max_models
    if max_models is not None and settings.workers <= max_models:
        log.warning(
            "--workers %d <= --max-models %d: trainings waiting their turn may hold every worker thread "
            "(keep --workers above --max-models)",
            settings.workers,
            max_models,
        )
    return store


def _clu_factory() -> Callable[[BackendSettings], Backend]:
    """``hfx.backends.clu.create_backend``, imported only when ``--backend clu`` asks for it."""
    try:
        module = importlib.import_module("hfx.backends.clu")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("hfx"):
            raise HfxError(
                "the CLU backend (hfx.backends.clu) is not available in this installation; use --backend directory"
            ) from None
        raise
    factory = getattr(module, "create_backend", None)
    if factory is None:
        raise HfxError("hfx.backends.clu has no create_backend(settings); this build's CLU backend is incomplete")
    return cast("Callable[[BackendSettings], Backend]", factory)


def _server_config(settings: ServeSettings, credentials: Credentials | None) -> ServerConfig:
    from hfx.server.app import ServerConfig

    return ServerConfig(
        address=settings.address,
        credentials=credentials,
        max_message_bytes=settings.max_message_mb << 20,
        workers=settings.workers,
        reflection=settings.reflection,
        grace_seconds=settings.grace_period,
        drain_seconds=settings.drain_period,
        health_address=settings.health_address,
    )


def _print_dev_banner(settings: ServeSettings, port: int, dev_folder: Path) -> None:
    """``--dev``: where the server listens and the client-side files to reach it with."""
    from hfx.server.app import split_address

    address = settings.address
    host, _ = split_address(address)
    target = f"localhost:{port}" if host in ("127.0.0.1", "localhost") else f"{address.rsplit(':', 1)[0]}:{port}"
    folder = dev_folder.resolve()
    lines = [
        f"hfx serve --dev: {settings.backend.value} backend on {target}, data in {settings.data_dir.resolve()}, "
        "throwaway mTLS credentials.",
        f"  client certificate: {folder / 'client.crt'}",
        f"  client key:         {folder / 'client.key'}",
        f"  server certificate: {folder / 'server.crt'}  (the client's trust root)",
        f"  both in HF format:  {folder / 'client-credentials.json'}",
        f"  check:   hfx health --address {target} --creds {folder / 'client-credentials.json'}",
    ]
    if settings.reflection:
        lines.append(
            f"  grpcurl: grpcurl -cacert {folder / 'server.crt'} -cert {folder / 'client.crt'} "
            f"-key {folder / 'client.key'} {target} list"
        )
    lines.append("  stop with Ctrl-C")
    err_console.print("\n".join(lines), soft_wrap=True, highlight=False, markup=False)  # paths literally


def health(
    address: Annotated[
        str,
        typer.Option(
            "--address",
            "-a",
            envvar="HFX_HEALTH_TARGET",
            metavar="HOST:PORT",
            help="HOST:PORT of the server (0.0.0.0 means this host).",
        ),
    ] = "127.0.0.1:8443",
    creds: Annotated[
        Path | None,
        typer.Option(
            "--creds",
            envvar="HFX_HEALTH_CREDS",
            metavar="FILE",
            help="Client-side credentials JSON (local_keypair = client cert/key, remote_certificate = server cert), "
            "e.g. client-credentials.json from `hfx creds generate`.",
        ),
    ] = None,
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure", envvar="HFX_HEALTH_INSECURE", help="Plaintext (for --health-address or --insecure servers)."
        ),
    ] = False,
    server_name: Annotated[
        str | None,
        typer.Option(
            "--server-name",
            envvar="HFX_HEALTH_SERVER_NAME",
            metavar="NAME",
            help="TLS name to expect in the server certificate.",
        ),
    ] = None,
    service: Annotated[
        str,
        typer.Option(
            "--service", envvar="HFX_HEALTH_SERVICE", metavar="NAME", help="Service name to check ('' = whole server)."
        ),
    ] = "",
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            envvar="HFX_HEALTH_TIMEOUT",
            min=0.1,
            metavar="SECONDS",
            help="How long to wait for the answer.",
        ),
    ] = 3.0,
) -> None:
    """Ask a running server's grpc.health.v1 service; exit 0 when SERVING, 1 otherwise (for probes)."""
    _quiet_grpc()
    target = _health_target(address)
    if insecure == (creds is not None):
        raise HfxError("pass exactly one of --creds FILE or --insecure")
    status = _check_health(_health_channel(target, creds, server_name), target, service, timeout, insecure)
    out_console.print(status)
    if status != "SERVING":
        raise typer.Exit(EXIT_FAIL)


def _health_target(address: str) -> str:
    """The gRPC target for ``--address`` (a wildcard host means this host)."""
    from hfx.server.app import split_address

    host, port = split_address(address)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _health_channel(target: str, creds: Path | None, server_name: str | None) -> grpc.Channel:
    """A channel to ``target``: mTLS with the client credentials in ``creds``, else plaintext."""
    import grpc

    from hfx.server.tls import channel_credentials, load_credentials

    if creds is None:
        return grpc.insecure_channel(target)
    options = [("grpc.ssl_target_name_override", server_name)] if server_name else []
    return grpc.secure_channel(target, channel_credentials(load_credentials(creds)), options=options)


def _check_health(channel: grpc.Channel, target: str, service: str, timeout: float, insecure: bool) -> str:
    """The serving status's name, or exit 1 with one line saying why the server did not answer."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with channel:
        try:
            # the stub sets Check in __init__; types-grpcio-health-checking does not declare it
            check = health_pb2_grpc.HealthStub(channel).Check  # type: ignore[attr-defined]
            reply = check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError as exc:
            detail = exc.details() or ""
            if exc.code() == grpc.StatusCode.NOT_FOUND and service:
                detail = f"the server has no service {service!r}"
            elif exc.code() == grpc.StatusCode.UNAVAILABLE:
                detail += (
                    " (is it an mTLS port? then pass --creds FILE)"
                    if insecure
                    else " (is the server up at this address, and does it trust this client certificate?)"
                )
            error_console.print(f"{target}: {exc.code().name}: {detail}", soft_wrap=True, highlight=False)
            raise typer.Exit(EXIT_FAIL) from None
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``health`` and ``creds`` to ``app``."""
    app.command(
        "serve",
        epilog=examples(
            "hfx serve --dev",
            "hfx serve --creds credentials.json --address 0.0.0.0:443 --data-dir /srv/hfx",
            "hfx serve --dev --max-models 2 --max-batch-size 200   # 2 models in memory",
            "HFX_CLU_KEY=... hfx serve --backend clu --clu-endpoint URL \\",
            "    --creds credentials.json",
        ),
    )(handle_errors(serve))
    app.command(
        "health",
        epilog=examples(
            "hfx health --address localhost:8443 \\",
            "    --creds hfx-data/dev-credentials/client-credentials.json",
            "hfx health --address 127.0.0.1:8081 --insecure",
        ),
    )(handle_errors(health))
    app.add_typer(creds_app)
