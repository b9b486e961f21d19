"""Workspaces over a real mTLS server: every RPC, corpus round trips, status codes, concurrency."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from hfx.proto.external_integration.v1alpha1 import discovery_pb2
from hfx.proto.external_integration.v1alpha1 import workspace_pb2 as ws_pb
from hfx.proto.playbook.data.config.v1alpha1 import config_pb2

HF_JSON = config_pb2.INTENTS_FORMAT_HF_JSON
NS = dict(namespace="acme", integration_id="intg-1")


def _create(stub: Any, name: str, description: str = "") -> ws_pb.Workspace:
    return stub.CreateWorkspace(
        ws_pb.CreateWorkspaceRequest(**NS, workspace=ws_pb.Workspace(name=name, description=description))
    )


def _import(stub: Any, workspace_id: str, data: bytes, gzip_flag: bool = False) -> None:
    stub.ImportWorkspace(
        ws_pb.ImportWorkspaceRequest(
            **NS,
            workspace_id=workspace_id,
            data_format=HF_JSON,
            format_options=config_pb2.IntentsDataOptions(gzip_encoding=gzip_flag),
            data=data,
        )
    )


def _export(stub: Any, workspace_id: str) -> bytes:
    reply = stub.ExportWorkspace(ws_pb.ExportWorkspaceRequest(**NS, workspace_id=workspace_id))
    assert reply.data_format == HF_JSON
    return gzip.decompress(reply.data) if reply.format_options.gzip_encoding else reply.data


def _code(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value.code(), info.value.details() or ""


def test_every_workspaces_rpc(start_server: Callable[..., Any]) -> None:
    srv = start_server(delimiter="/")
    stub = srv.workspaces
    assert list(stub.ListWorkspaces(ws_pb.ListWorkspacesRequest(**NS)).workspaces) == []

    created = _create(stub, "Billing bot", "all billing intents")
    assert created.id == "billing-bot" and created.name == "Billing bot"
    got = stub.GetWorkspace(ws_pb.GetWorkspaceRequest(**NS, workspace_id=created.id))
    assert (got.id, got.name, got.description) == ("billing-bot", "Billing bot", "all billing intents")

    params = stub.GetImportParameters(ws_pb.GetImportParametersRequest(**NS, workspace_id=created.id))
    assert params.data_format == HF_JSON
    assert params.format_options.gzip_encoding is True
    assert params.format_options.hierarchical_delimiter == "/"

    empty = json.loads(_export(stub, created.id))
    assert empty["name"] == "Billing bot" and empty["examples"] == []

    payload = json.dumps(
        {
            "name": "Billing v2",
            "description": "d2",
            "intents": [{"id": "i1", "name": "refund"}],
            "examples": [{"id": "e1", "text": "give me my money back", "intents": [{"intent_id": "i1"}]}],
        }
    ).encode()
    _import(stub, created.id, gzip.compress(payload), gzip_flag=True)
    assert _export(stub, created.id) == payload

    listed = stub.ListWorkspaces(ws_pb.ListWorkspacesRequest(**NS)).workspaces
    assert [(w.id, w.name, w.description) for w in listed] == [("billing-bot", "Billing v2", "d2")]


def test_corpus_round_trips_unchanged(start_server: Callable[..., Any], hf_corpus: list[Path]) -> None:
    stub = start_server().workspaces
    for i, path in enumerate(hf_corpus):
        original = path.read_bytes()
        ws = _create(stub, path.stem)
        # alternate encodings; the magic bytes decide, whatever the flag says
        data = gzip.compress(original) if i % 2 == 0 else original
        _import(stub, ws.id, data, gzip_flag=(i % 3 == 0))
        exported = _export(stub, ws.id)
        assert exported == original, path.name
        assert json.loads(exported) == json.loads(original), path.name


def test_export_gzip_is_declared_in_the_response(start_server: Callable[..., Any], hf_corpus: list[Path]) -> None:
    stub = start_server(export_gzip=True).workspaces
    ws = _create(stub, "z")
    original = hf_corpus[-1].read_bytes()
    _import(stub, ws.id, original)
    reply = stub.ExportWorkspace(ws_pb.ExportWorkspaceRequest(**NS, workspace_id=ws.id))
    assert reply.format_options.gzip_encoding and reply.data[:2] == b"\x1f\x8b"
    assert gzip.decompress(reply.data) == original


@pytest.mark.parametrize("bad_id", ["nope", "../x", "/etc/passwd", "..", "a/../../b", "%2E%2E"])
def test_unknown_and_traversal_ids_are_not_found(start_server: Callable[..., Any], bad_id: str) -> None:
    srv = start_server()
    stub = srv.workspaces
    calls = [
        lambda: stub.GetWorkspace(ws_pb.GetWorkspaceRequest(**NS, workspace_id=bad_id)),
        lambda: stub.GetImportParameters(ws_pb.GetImportParametersRequest(**NS, workspace_id=bad_id)),
        lambda: stub.ExportWorkspace(ws_pb.ExportWorkspaceRequest(**NS, workspace_id=bad_id)),
        lambda: _import(stub, bad_id, b"{}"),
    ]
    for call in calls:
        code, details = _code(call)
        assert code == grpc.StatusCode.NOT_FOUND, details
        assert "Traceback" not in details
    assert sorted(p.name for p in srv.data_dir.iterdir()) == ["history", "locks", "models", "workspaces"]
    assert not any((srv.data_dir / "workspaces").iterdir())


def test_traversal_id_on_create_stays_inside_the_data_dir(start_server: Callable[..., Any]) -> None:
    srv = start_server()
    stub = srv.workspaces
    for weird in ("../x", "/etc/passwd", "..", "a\x00b"):
        ws = stub.CreateWorkspace(ws_pb.CreateWorkspaceRequest(**NS, workspace=ws_pb.Workspace(id=weird, name="w")))
        assert ws.id == weird
        _import(stub, weird, b'{"name": "inside"}')
        assert json.loads(_export(stub, weird)) == {"name": "inside"}
    files = sorted(p for p in srv.data_dir.rglob("*") if p.is_file())
    assert all(p.resolve().is_relative_to(srv.data_dir.resolve()) for p in files)
    assert len(list((srv.data_dir / "workspaces").glob("*.json"))) == 4
    assert not (srv.data_dir.parent / "x").exists()
    code, _ = _code(
        lambda: stub.CreateWorkspace(
            ws_pb.CreateWorkspaceRequest(**NS, workspace=ws_pb.Workspace(id="../x", name="again"))
        )
    )
    assert code == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"name": "x",', "not valid JSON"),
        (b'"{\\"name\\": \\"double encoded\\"}"', "expected an object, found a string"),
        (b"[]", "expected an object, found an array"),
        (b'{"examples": [{"id": "e1", "text": "ok"}, {"id": "e2"}]}', "/examples/1"),
        (b'{"intents": [{"id": "i", "name": 5}]}', "/intents/0/name"),
        (b'{"name": "\xff"}', "UTF-8"),
        (b'{"name": "x", "settings": {"confidenceThreshold": NaN}}', "NaN is not a JSON number"),
        (b'{"name": "x", "n": 1e400}', "beyond the range of a double"),
        (b'{"name": "x", "n": 123456789012345678901234567890}', "beyond 64 bits"),
        (b'{"name": "x", "deep": ' + b"[" * 2000 + b"]" * 2000 + b"}", "nested deeper than 128 levels"),
        (b'{"entities": [{"id": "e", "name": "a"}, {"id": "e", "name": "b"}]}', "/entities/1/id"),
        (b'{"examples": [{"id": "x", "text": "a"}, {"id": "x", "text": "b"}]}', "id 'x' is also used by /examples/0"),
    ],
)
def test_invalid_payloads_are_invalid_argument_with_pointer(
    start_server: Callable[..., Any], payload: bytes, expected: str
) -> None:
    stub = start_server().workspaces
    ws = _create(stub, "target")
    before = _export(stub, ws.id)
    code, details = _code(lambda: _import(stub, ws.id, payload))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert expected in details
    assert _export(stub, ws.id) == before  # nothing stored


def test_gzip_bomb_is_resource_exhausted(start_server: Callable[..., Any]) -> None:
    srv = start_server(max_decompressed_bytes=1 << 20)
    stub = srv.workspaces
    ws = _create(stub, "bomb")
    bomb = gzip.compress(b'{"name": "' + b"A" * (50 << 20) + b'"}', compresslevel=9)
    assert len(bomb) < 100 << 10
    code, details = _code(lambda: _import(stub, ws.id, bomb, gzip_flag=True))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "1 MiB" in details
    code, _ = _code(lambda: _import(stub, ws.id, b'{"name": "' + b"A" * (2 << 20) + b'"}'))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert json.loads(_export(stub, ws.id))["name"] == "bomb"


def test_missing_workspace_id_is_invalid_argument(start_server: Callable[..., Any]) -> None:
    stub = start_server().workspaces
    code, details = _code(lambda: stub.GetWorkspace(ws_pb.GetWorkspaceRequest(**NS)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "workspace_id" in details


def test_unsupported_format_is_invalid_argument(start_server: Callable[..., Any]) -> None:
    stub = start_server().workspaces
    ws = _create(stub, "f")
    code, details = _code(
        lambda: stub.ImportWorkspace(
            ws_pb.ImportWorkspaceRequest(
                **NS, workspace_id=ws.id, data_format=config_pb2.INTENTS_FORMAT_RASA_YAML, data=b"{}"
            )
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "HF_JSON" in details


def test_twenty_concurrent_imports_leave_one_whole_payload_plus_history(start_server: Callable[..., Any]) -> None:
    srv = start_server(history_limit=50)
    stub = srv.workspaces
    ws = _create(stub, "busy")
    initial = _export(stub, ws.id)
    payloads = [
        json.dumps(
            {
                "name": f"writer {n}",
                "examples": [{"id": f"e{n}-{k}", "text": f"writer {n} example {k} " + "x" * 50} for k in range(3000)],
            }
        ).encode()
        for n in range(20)
    ]
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def run(data: bytes) -> None:
        try:
            barrier.wait()
            _import(stub, ws.id, gzip.compress(data, compresslevel=1), gzip_flag=True)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    final = _export(stub, ws.id)
    assert final in payloads  # exactly one payload, whole
    history = [p.read_bytes() for p in srv.backend.history(ws.id)]
    assert len(history) == 20  # the empty workspace + 19 superseded payloads
    assert set(history) | {final} == set(payloads) | {initial}  # none lost
    leftovers = [p.name for p in (srv.data_dir / "workspaces").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_discovery_without_models(start_server: Callable[..., Any]) -> None:
    srv = start_server(models=False)  # a workspaces-only server (hfx serve --no-models)
    caps = srv.discovery.GetCapabilities(discovery_pb2.GetCapabilitiesRequest())
    assert caps.supports_workspaces is True and caps.supports_models is False
    assert (caps.max_concurrent_models, caps.model_classification_batch_size) == (0, 0)
    from hfx.proto.external_integration.v1alpha1 import models_pb2

    code, _ = _code(lambda: srv.models.ListModels(models_pb2.ListModelsRequest(**NS)))
    assert code == grpc.StatusCode.UNIMPLEMENTED
