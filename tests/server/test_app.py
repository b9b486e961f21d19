"""mTLS is enforced on every call; health reports SERVING then NOT_SERVING while shutting down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hfx.proto.external_integration.v1alpha1 import discovery_pb2, discovery_pb2_grpc, workspace_pb2_grpc
from hfx.proto.external_integration.v1alpha1 import workspace_pb2 as ws_pb
from hfx.server.tls import Credentials, load_credentials

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def _all_calls(channel: grpc.Channel) -> list[Callable[[], Any]]:
    w = workspace_pb2_grpc.WorkspacesStub(channel)
    return [
        lambda: discovery_pb2_grpc.DiscoveryStub(channel).GetCapabilities(
            discovery_pb2.GetCapabilitiesRequest(), timeout=5
        ),
        lambda: w.ListWorkspaces(ws_pb.ListWorkspacesRequest(), timeout=5),
        lambda: w.GetWorkspace(ws_pb.GetWorkspaceRequest(workspace_id="w"), timeout=5),
        lambda: w.CreateWorkspace(ws_pb.CreateWorkspaceRequest(workspace=ws_pb.Workspace(name="evil")), timeout=5),
        lambda: w.GetImportParameters(ws_pb.GetImportParametersRequest(workspace_id="w"), timeout=5),
        lambda: w.ImportWorkspace(ws_pb.ImportWorkspaceRequest(workspace_id="w", data=b"{}"), timeout=5),
        lambda: w.ExportWorkspace(ws_pb.ExportWorkspaceRequest(workspace_id="w"), timeout=5),
        lambda: health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5),
    ]


def _bad_channels(target: str, client: Credentials, other: Credentials) -> dict[str, grpc.Channel]:
    return {
        "no client certificate": grpc.secure_channel(
            target, grpc.ssl_channel_credentials(root_certificates=client.remote_certificate)
        ),
        "untrusted client certificate": grpc.secure_channel(
            target,
            grpc.ssl_channel_credentials(
                root_certificates=client.remote_certificate,
                private_key=other.private_key,
                certificate_chain=other.certificate,
            ),
        ),
        "plaintext": grpc.insecure_channel(target),
    }


def test_clients_without_the_trusted_certificate_cannot_call(
    start_server: Callable[..., Any], client_creds: Credentials, other_creds_dir: Path
) -> None:
    srv = start_server()
    other = load_credentials(other_creds_dir / "client-credentials.json")
    # the legitimate client works
    assert srv.discovery.GetCapabilities(discovery_pb2.GetCapabilitiesRequest(), timeout=5).supports_workspaces
    for label, channel in _bad_channels(srv.target, client_creds, other).items():
        with channel:
            for call in _all_calls(channel):
                with pytest.raises(grpc.RpcError) as info:
                    call()
                assert info.value.code() == grpc.StatusCode.UNAVAILABLE, label
    assert not any((srv.data_dir / "workspaces").iterdir())  # the CreateWorkspace attempts did nothing


def test_health_serving_then_not_serving_during_shutdown(start_server: Callable[..., Any]) -> None:
    srv = start_server(drain_seconds=1.0)
    health = health_pb2_grpc.HealthStub(srv.channel)
    for service in (
        "",
        "zia.ai.external_integration.v1alpha1.Workspaces",
        "zia.ai.external_integration.v1alpha1.Discovery",
    ):
        assert health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status == SERVING
    watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert next(watch).status == SERVING

    stopper = threading.Thread(target=srv.server.stop)
    stopper.start()
    assert next(watch).status == NOT_SERVING  # pushed to watchers at once
    watch.cancel()
    # during the drain period new calls are still answered, and health says NOT_SERVING
    assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == NOT_SERVING
    assert srv.workspaces.ListWorkspaces(ws_pb.ListWorkspacesRequest(), timeout=5) is not None
    stopper.join(10)
    assert srv.server.wait(0)
    with pytest.raises(grpc.RpcError) as info:
        health.Check(health_pb2.HealthCheckRequest(), timeout=2)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


def test_in_flight_call_finishes_within_grace(start_server: Callable[..., Any], tmp_path: Path) -> None:
    from hfx.backends.directory import DirectoryBackend

    entered, release = threading.Event(), threading.Event()

    class Slow(DirectoryBackend):
        def list_workspaces(self, ctx: Any) -> Any:
            entered.set()
            release.wait(5)
            return super().list_workspaces(ctx)

    srv = start_server(backend=Slow(tmp_path / "slow"), grace_seconds=5.0)
    future = srv.workspaces.ListWorkspaces.future(ws_pb.ListWorkspacesRequest(), timeout=10)
    assert entered.wait(5)
    stopper = threading.Thread(target=srv.server.stop)
    stopper.start()
    # new calls are refused while the in-flight one is still running (polled: no fixed sleep to race with)
    refused, deadline = False, time.monotonic() + 10
    while not refused and time.monotonic() < deadline:
        try:
            srv.discovery.GetCapabilities(discovery_pb2.GetCapabilitiesRequest(), timeout=2)
            time.sleep(0.02)
        except grpc.RpcError:
            refused = True
    assert refused and not future.done()
    release.set()
    assert list(future.result(timeout=5).workspaces) == []
    stopper.join(10)


def test_health_only_plaintext_listener(start_server: Callable[..., Any]) -> None:
    srv = start_server(health_address="127.0.0.1:0")
    with grpc.insecure_channel(f"127.0.0.1:{srv.server.health_port}") as channel:
        assert health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5).status == SERVING
        with pytest.raises(grpc.RpcError) as info:  # nothing but health there
            workspace_pb2_grpc.WorkspacesStub(channel).ListWorkspaces(ws_pb.ListWorkspacesRequest(), timeout=5)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_reflection_is_opt_in(start_server: Callable[..., Any]) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    def services(srv: Any) -> Any:
        stub = reflection_pb2_grpc.ServerReflectionStub(srv.channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
        return sorted(s.name for r in replies for s in r.list_services_response.service)

    with pytest.raises(grpc.RpcError) as info:
        services(start_server())
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "zia.ai.external_integration.v1alpha1.Workspaces" in services(start_server(reflection=True))
