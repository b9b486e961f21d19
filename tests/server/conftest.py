"""A real gRPC server on loopback with real mTLS credentials made by ``hfx creds generate``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from typer.testing import CliRunner

from hfx.backends.base import Backend
from hfx.backends.directory import DirectoryBackend
from hfx.cli.main import app
from hfx.proto.external_integration.v1alpha1 import discovery_pb2_grpc, models_pb2_grpc, workspace_pb2_grpc
from hfx.server.app import IntegrationServer, ServerConfig
from hfx.server.tls import Credentials, channel_credentials, load_credentials


def _generate(folder: Path) -> Path:
    result = CliRunner().invoke(app, ["creds", "generate", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def creds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("creds"))


@pytest.fixture(scope="session")
def other_creds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second, unrelated credentials set (its client certificate is not trusted by the server)."""
    return _generate(tmp_path_factory.mktemp("other-creds"))


@pytest.fixture(scope="session")
def server_creds(creds_dir: Path) -> Credentials:
    return load_credentials(creds_dir / "credentials.json")


@pytest.fixture(scope="session")
def client_creds(creds_dir: Path) -> Credentials:
    return load_credentials(creds_dir / "client-credentials.json")


@dataclass
class Running:
    server: IntegrationServer
    backend: Backend
    data_dir: Path
    port: int
    channel: grpc.Channel

    @property
    def target(self) -> str:
        return f"localhost:{self.port}"

    @property
    def workspaces(self) -> workspace_pb2_grpc.WorkspacesStub:
        return workspace_pb2_grpc.WorkspacesStub(self.channel)

    @property
    def discovery(self) -> discovery_pb2_grpc.DiscoveryStub:
        return discovery_pb2_grpc.DiscoveryStub(self.channel)

    @property
    def models(self) -> models_pb2_grpc.ModelsStub:
        return models_pb2_grpc.ModelsStub(self.channel)


def secure_channel(target: str, creds: Credentials) -> grpc.Channel:
    return grpc.secure_channel(
        target,
        channel_credentials(creds),
        options=[("grpc.max_receive_message_length", 256 << 20), ("grpc.max_send_message_length", 256 << 20)],
    )


@pytest.fixture
def start_server(
    tmp_path: Path, server_creds: Credentials, client_creds: Credentials
) -> Iterator[Callable[..., Running]]:
    """Factory: start_server(backend=None, **ServerConfig fields, **DirectoryBackend kwargs)."""
    started: list[Running] = []

    def start(backend: Backend | None = None, **kwargs: Any) -> Running:
        config_keys = set(ServerConfig.__dataclass_fields__)
        config_kwargs = {k: v for k, v in kwargs.items() if k in config_keys}
        backend_kwargs = {k: v for k, v in kwargs.items() if k not in config_keys}
        data_dir = tmp_path / f"data{len(started)}"
        backend = backend or DirectoryBackend(data_dir, **backend_kwargs)
        config = ServerConfig(address="127.0.0.1:0", credentials=server_creds, workers=8, grace_seconds=2.0)
        for key, value in config_kwargs.items():
            setattr(config, key, value)
        server = IntegrationServer(backend, config)
        port = server.start()
        running = Running(server, backend, data_dir, port, secure_channel(f"localhost:{port}", client_creds))
        started.append(running)
        return running

    yield start
    for running in started:
        running.channel.close()
        running.server.stop(grace=0)


@pytest.fixture(scope="session")
def make_channel() -> Callable[[str, Credentials], grpc.Channel]:
    return secure_channel
