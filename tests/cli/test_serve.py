"""``hfx serve`` / ``hfx health`` command line: option checks, --config migration, --dev, SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.cli.serve import parse_config
from hfx.errors import HfxError

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_config_string_maps_original_keys() -> None:
    mapped = parse_config(
        "clu_endpoint::https://x.cognitiveservices.azure.com,delimiter::-,project_path::/srv/p,"
        "clu_language::ja,clu_multilingual::True,clu_training_mode::advanced,log_level::debug,"
        "max_batch_size::500"
    )
    assert mapped == {
        "option:clu_endpoint": "https://x.cognitiveservices.azure.com",
        "delimiter": "-",
        "data_dir": "/srv/p",
        "option:clu_language": "ja",
        "option:clu_multilingual": "True",
        "option:clu_training_mode": "advanced",
        "log_level": "debug",
        "option:max_batch_size": "500",
    }


def test_config_refuses_clu_key_without_echoing_it() -> None:
    with pytest.raises(HfxError) as info:
        parse_config("clu_endpoint::https://e,clu_key::s3cr3t-value")
    assert "HFX_CLU_KEY" in str(info.value) and "s3cr3t-value" not in str(info.value)
    result = runner.invoke(app, ["serve", "--dev", "--config", "clu_key::s3cr3t-value"])
    assert result.exit_code == 2 and "HFX_CLU_KEY" in result.output and "s3cr3t" not in result.output
    with pytest.raises(HfxError, match="unknown key 'colour'"):
        parse_config("colour::blue")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--insecure", "--address", "0.0.0.0:8443"], "loopback"),
        (["--dev", "--address", "10.1.2.3:8443"], "loopback"),
        ([], "--creds"),
        (["--dev", "--insecure"], "--dev"),
        (["--address", "nohostport", "--dev"], "HOST:PORT"),
        (["--address", "127.0.0.1:99999", "--dev"], "0-65535"),  # gRPC would pick a random port instead
        (["--backend-option", "x=1", "--dev"], "directory backend knows no option"),
        (["--backend-option", "max_models=many", "--dev"], "max_models: expected a whole number"),
        (["--max-models", "0", "--dev"], "--max-models"),
        (["--max-batch-size", "0", "--dev"], "--max-batch-size"),
    ],
)
def test_serve_refuses_unsafe_or_incomplete_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_unusable_data_dir_is_named(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    result = runner.invoke(app, ["serve", "--insecure", "--data-dir", str(a_file)])
    assert result.exit_code == 2 and f"--data-dir {a_file}: exists and is not a directory" in result.output
    result = runner.invoke(app, ["serve", "--insecure", "--data-dir", str(a_file / "sub")])
    assert result.exit_code == 2 and f"--data-dir {a_file / 'sub'}: cannot create it" in result.output


def test_serve_in_process_puts_logging_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`hfx serve` points the root logger at stderr while it runs; run in-process and ended (here by a refused
    option after logging is set up), a later log line anywhere must not hit CliRunner's closed stream."""
    import logging

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    result = runner.invoke(app, ["serve", "--insecure", "--data-dir", str(a_file)])
    assert result.exit_code == 2
    logging.getLogger("hfx.backends.models").warning("a server thread finishing late")
    assert "Logging error" not in capsys.readouterr().err


def test_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    """As a user sees it (a real process, its real stderr): hfx's line and nothing from gRPC's C core."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HFX_", "GRPC_"))}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        result = subprocess.run(
            [sys.executable, "-m", "hfx", "serve", "--data-dir", str(tmp_path), "--insecure", "--address", address],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: cannot listen on {address}: address already in use"]
    assert result.stdout == ""


def test_insecure_refused_from_environment_too(tmp_path: Path) -> None:
    env = {"HFX_INSECURE": "1", "HFX_ADDRESS": "0.0.0.0:9443", "HFX_DATA_DIR": str(tmp_path)}
    result = runner.invoke(app, ["serve"], env=env)
    assert result.exit_code == 2 and "loopback" in result.output


def test_missing_clu_backend_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hfx.backends.clu", None)  # as if the module were not installed
    result = runner.invoke(app, ["serve", "--backend", "clu", "--dev", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "CLU backend" in result.output and "not available" in result.output


def _capabilities(target: str, client_creds: Path) -> object:
    import grpc

    from hfx.proto.external_integration.v1alpha1 import discovery_pb2, discovery_pb2_grpc
    from hfx.server.tls import channel_credentials, load_credentials

    with grpc.secure_channel(target, channel_credentials(load_credentials(client_creds))) as channel:
        return discovery_pb2_grpc.DiscoveryStub(channel).GetCapabilities(
            discovery_pb2.GetCapabilitiesRequest(), timeout=10
        )


def test_dev_mode_on_a_fresh_machine_then_sigterm(tmp_path: Path) -> None:
    tmp_path = tmp_path / "run [b]"  # brackets in the path: printed literally, not read as markup
    tmp_path.mkdir()
    # port 0: the server picks a free port and logs it (no probe-then-bind race with other processes)
    env = {
        **os.environ,
        "HFX_ADDRESS": "127.0.0.1:0",
        "HFX_LOG_FORMAT": "json",
        "PYTHONPATH": str(REPO),
        "HFX_CLU_LANGUAGE": "de-de",
    }  # a CLU setting without --backend clu: warned about, not silently ignored
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfx", "serve", "--dev"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(30, proc.kill)  # a hung server fails the test instead of hanging it
    watchdog.start()
    early: list[str] = []
    try:
        port = None
        for line in proc.stderr:  # type: ignore[union-attr]
            early.append(line)
            found = re.search(r"\(port (\d+), mTLS\)", line)
            port = int(found.group(1)) if found else port
            if '"ready' in line:
                break
        assert port, "".join(early)
        client = tmp_path / "hfx-data" / "dev-credentials" / "client-credentials.json"
        health = [sys.executable, "-m", "hfx", "health", "--address", f"127.0.0.1:{port}", "--creds", str(client)]
        ok = subprocess.run(health, cwd=REPO, capture_output=True, text=True)
        assert ok.returncode == 0 and ok.stdout.strip() == "SERVING", ok.stderr
        # a client with the wrong certificate fails, and neither side prints gRPC's own handshake noise
        server_side = tmp_path / "hfx-data" / "dev-credentials" / "credentials.json"
        wrong = subprocess.run([*health[:-1], str(server_side)], cwd=REPO, capture_output=True, text=True)
        assert wrong.returncode == 1 and "UNAVAILABLE" in wrong.stderr
        assert "ssl_transport_security" not in wrong.stderr and "trust this client certificate" in wrong.stderr
        plain = subprocess.run([*health[:-2], "--insecure"], cwd=REPO, capture_output=True, text=True)
        assert plain.returncode == 1 and "pass --creds FILE" in plain.stderr
        unknown = subprocess.run([*health, "--service", "no.such.Service"], cwd=REPO, capture_output=True, text=True)
        assert unknown.returncode == 1 and "no service 'no.such.Service'" in unknown.stderr
        # the embedded default offers Models with local models, with the documented defaults
        caps = _capabilities(f"localhost:{port}", client)
        assert (caps.supports_models, caps.max_concurrent_models, caps.model_classification_batch_size) == (
            True,
            4,
            100,
        )
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=20)
        err = "".join(early) + rest
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Handshake failed" not in err  # gRPC's C core stays quiet; hfx logs calls itself
    assert str((tmp_path / "hfx-data" / "dev-credentials" / "client.crt").resolve()) in err
    assert str((tmp_path / "hfx-data" / "dev-credentials" / "client.key").resolve()) in err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]  # --log-format json via env
    messages = [r["msg"] for r in records]
    assert any(m.startswith("serving ") and "Models" in m for m in messages)  # local models on the default
    assert any("ignores the CLU settings clu_language" in m and "--backend clu" in m for m in messages)
    assert any("NOT_SERVING" in m for m in messages) and messages[-1] == "stopped"
    assert not any(r.get("method", "").startswith("/grpc.health") for r in records)  # probes only at DEBUG
    assert (tmp_path / "hfx-data" / "workspaces").is_dir() and (tmp_path / "hfx-data" / "models").is_dir()
    # health now fails: exit code 1
    assert subprocess.run(health, cwd=REPO, capture_output=True).returncode == 1


def test_model_options_reach_the_directory_backend(tmp_path: Path) -> None:
    from hfx.backends.base import BackendSettings
    from hfx.backends.directory import create_backend, model_limits_from_options

    enabled, limits = model_limits_from_options(
        {"max_models": "2", "max_trainings": "3", "max_batch_size": "50", "top_k": "5", "training_delimiter": "/"}
    )
    assert enabled and (
        limits.max_loaded,
        limits.max_trainings,
        limits.max_batch_size,
        limits.top_k,
        limits.training_delimiter,
    ) == (2, 3, 50, 5, "/")
    assert model_limits_from_options({"models": "false"})[0] is False
    with pytest.raises(HfxError, match="max_trainings: must be at least 1"):
        model_limits_from_options({"max_trainings": "0"})
    backend = create_backend(BackendSettings(data_dir=str(tmp_path), options={"max_batch_size": "7"}))
    try:
        assert backend.supports_models and backend.capabilities().classification_batch_size == 7
    finally:
        backend.close()
    off = create_backend(BackendSettings(data_dir=str(tmp_path), options={"models": "false"}))
    assert not off.supports_models and off.capabilities().max_concurrent_models == 0


def test_typed_and_string_backend_options_mean_the_same(tmp_path: Path) -> None:
    from hfx.backends.base import BackendSettings
    from hfx.backends.clu_settings import settings_from_options
    from hfx.backends.directory import model_limits_from_options

    typed = {"max_models": 2, "max_trainings": 3, "max_batch_size": 50, "top_k": 5, "models": False}
    strings = {key: str(value).lower() for key, value in typed.items()}
    assert model_limits_from_options(typed) == model_limits_from_options(strings)
    assert model_limits_from_options(typed)[0] is False
    with pytest.raises(HfxError, match="max_models: expected a whole number"):
        model_limits_from_options({"max_models": 2.5})
    clu_typed = {"clu_multilingual": True, "clu_confidence_threshold": 0.4, "clu_concurrency": 3, "max_batch_size": 9}
    clu_strings = {key: str(value).lower() for key, value in clu_typed.items()}
    config, _ = settings_from_options(BackendSettings(data_dir=str(tmp_path), options=clu_typed))
    assert config == settings_from_options(BackendSettings(data_dir=str(tmp_path), options=clu_strings))[0]
    assert (config.multilingual, config.confidence_threshold, config.concurrency, config.max_batch_size) == (
        True,
        0.4,
        3,
        9,
    )
    with pytest.raises(HfxError, match="--clu-concurrency: expected a number"):
        settings_from_options(BackendSettings(data_dir=str(tmp_path), options={"clu_concurrency": 2.5}))


def test_serve_help_describes_the_model_options() -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--max-models", "--max-trainings", "--max-batch-size", "--top-k", "--no-models"):
        assert option in result.output
    from hfx.backends.clu_settings import CluBackendConfig
    from hfx.backends.local_models import ModelLimits
    from hfx.nlu.model import DEFAULT_TOP_K

    text = " ".join(result.output.replace("│", " ").split())  # the help tells the truth about the defaults
    limits = ModelLimits()
    assert f"best first. (default: {DEFAULT_TOP_K})" in text
    assert f"max_concurrent_models. (default: {limits.max_loaded})" in text
    assert f"calls wait. (default: {limits.max_trainings})" in text
    assert f"INVALID_ARGUMENT. (default: {limits.max_batch_size})" in text
    assert CluBackendConfig().max_batch_size == limits.max_batch_size


def test_clu_backend_gets_the_batch_size_and_ignores_local_model_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    seen: list[dict[str, object]] = []

    def create_backend(settings: object) -> object:
        seen.append(dict(settings.options))  # type: ignore[attr-defined]
        raise HfxError("stop here")

    monkeypatch.setitem(sys.modules, "hfx.backends.clu", types.SimpleNamespace(create_backend=create_backend))
    result = runner.invoke(
        app,
        [
            "serve",
            "--backend",
            "clu",
            "--dev",
            "--data-dir",
            str(tmp_path),
            "--max-batch-size",
            "20",
            "--max-models",
            "2",
            "--top-k",
            "3",
        ],
    )
    assert result.exit_code == 2 and "stop here" in result.output
    assert seen == [{"max_batch_size": 20}]
    assert "ignores the local-model settings max_models, top_k" in result.output
