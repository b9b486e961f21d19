"""Fixtures for the CLU backend: a real CLU emulator, the backend over it, and a real mTLS gRPC server on loopback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from clu_backend_support import KEY, make_client

from hfx.backends.clu import CluBackend, CluBackendConfig
from hfx.clu.client import CluClient
from hfx.clu.emulator import EmulatorHandle, start_emulator
from hfx.proto.external_integration.v1alpha1 import models_pb2_grpc, workspace_pb2_grpc
from hfx.server.app import IntegrationServer, ServerConfig
from hfx.server.tls import channel_credentials, generate_credentials, load_credentials


@pytest.fixture(scope="session")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return generate_credentials(tmp_path_factory.mktemp("creds"))


@pytest.fixture
def emulator_options() -> dict[str, Any]:
    """Override in a test module (or parametrize) to inject faults / latency."""
    return {}


@pytest.fixture
def emulator(emulator_options: dict[str, Any]) -> Iterator[EmulatorHandle]:
    opts = {"fault_retry_after_ms": 20, **emulator_options}
    with start_emulator(key=KEY, **opts) as emu:
        yield emu


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[CluClient]:
    with make_client(emulator) as c:
        yield c


@pytest.fixture
def config(tmp_path: Path) -> CluBackendConfig:
    return CluBackendConfig(data_dir=tmp_path / "data", language="en-us", confidence_threshold=0.25)


@pytest.fixture
def backend(emulator: EmulatorHandle, config: CluBackendConfig) -> Iterator[CluBackend]:
    b = CluBackend(make_client(emulator), config)
    yield b
    b.close()


@dataclass
class Grpc:
    workspaces: Any
    models: Any
    server: IntegrationServer
    channel: Any


@pytest.fixture
def grpc_server(backend: CluBackend, creds: Any) -> Iterator[Grpc]:
    server = IntegrationServer(
        backend,
        ServerConfig(
            address="127.0.0.1:0", credentials=load_credentials(creds.credentials), grace_seconds=1, workers=8
        ),
    )
    port = server.start()
    channel = grpc.secure_channel(f"localhost:{port}", channel_credentials(load_credentials(creds.client_credentials)))
    grpc.channel_ready_future(channel).result(timeout=10)
    try:
        yield Grpc(workspace_pb2_grpc.WorkspacesStub(channel), models_pb2_grpc.ModelsStub(channel), server, channel)
    finally:
        channel.close()
        server.stop(grace=1)


@pytest.fixture(scope="session")
def clu_file(clu_corpus: list[Path]) -> Callable[[str], dict[str, Any]]:
    cache = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in clu_corpus}

    def get(name: str) -> dict[str, Any]:
        return copy.deepcopy(cache[name])

    return get


@pytest.fixture(scope="session")
def hf_file(hf_corpus: list[Path]) -> Callable[[str], bytes]:
    files = {p.name: p for p in hf_corpus}
    return lambda name: files[name].read_bytes()
