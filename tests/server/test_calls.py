"""The generic Models servicer over a model-capable backend, per-call logging and error mapping."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from hfx.backends.base import (
    CallContext,
    Cancelled,
    Capabilities,
    DataOptions,
    EntityScore,
    ModelInfo,
    NotFound,
    Predictions,
    Unavailable,
)
from hfx.backends.directory import DirectoryBackend
from hfx.nlu.scores import IntentScore
from hfx.proto.external_integration.v1alpha1 import discovery_pb2, models_pb2
from hfx.proto.external_integration.v1alpha1 import workspace_pb2 as ws_pb
from hfx.proto.external_nlu.v1alpha1 import service_pb2
from hfx.proto.playbook.data.config.v1alpha1 import config_pb2

NS = dict(namespace="acme", integration_id="intg-1")


class KeywordModels(DirectoryBackend):
    """A tiny real model backend: 'trains' a keyword -> intent table from HF JSON."""

    supports_models = True

    def __init__(self, root: Path) -> None:
        super().__init__(root, models=False)  # its own models below, and no Embed
        self.models: dict[str, dict[str, str]] = {}
        self.events: list[threading.Event] = []
        self.block = threading.Event()
        self.seen_options: list[DataOptions] = []

    def capabilities(self) -> Capabilities:
        return Capabilities(max_concurrent_models=2, classification_batch_size=16)

    def train_parameters(self, ctx: CallContext) -> DataOptions:
        return DataOptions(gzip=True, delimiter="---", skip_empty_intents=True)

    def train_model(self, ctx: CallContext, data: bytes, options: DataOptions, cancelled: threading.Event) -> ModelInfo:
        import json

        self.events.append(cancelled)
        self.seen_options.append(options)
        if self.block.is_set():
            if cancelled.wait(10):
                raise Cancelled("training cancelled")
        ws = json.loads(data)
        table = {ex["text"].split()[0]: ex["intents"][0]["intent_id"] for ex in ws["examples"]}
        model_id = f"m{len(self.models) + 1}"
        self.models[model_id] = table
        return ModelInfo(id=model_id, display_name=ws.get("name", ""), classification_batch_size=16)

    def list_models(self, ctx: CallContext) -> list[ModelInfo]:
        return [ModelInfo(id=m, classification_batch_size=16) for m in sorted(self.models)]

    def get_model(self, ctx: CallContext, model_id: str) -> ModelInfo:
        if model_id not in self.models:
            raise NotFound(f"unknown model {model_id!r}")
        return ModelInfo(id=model_id, classification_batch_size=16)

    def classify(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[Predictions]:
        table = self.models[self.get_model(ctx, model_id).id]
        out = []
        for text in texts:
            word = text.split()[0]
            intents = [IntentScore(id=table[word], name=table[word], score=0.9)] if word in table else []
            ents = [EntityScore(key="w", text=word, start=0, end=len(word.encode()))] if intents else []
            out.append(Predictions(intents=intents, entities=ents))
        return out

    def delete_model(self, ctx: CallContext, model_id: str) -> None:
        self.get_model(ctx, model_id)
        del self.models[model_id]

    def unload_model(self, ctx: CallContext, model_id: str) -> None:
        raise Unavailable("CLU said 503")


TRAIN = (
    b'{"name": "kw", "examples": [{"text": "refund me", "intents": [{"intent_id": "intent-R"}]}, '
    b'{"text": "h\xc3\xa9llo there", "intents": [{"intent_id": "intent-H"}]}]}'
)


def test_models_service_delegates_to_the_backend(start_server: Callable[..., Any], tmp_path: Path) -> None:
    backend = KeywordModels(tmp_path / "kw")
    srv = start_server(backend=backend)
    caps = srv.discovery.GetCapabilities(discovery_pb2.GetCapabilitiesRequest())
    assert (caps.supports_models, caps.supports_workspaces) == (True, True)
    assert (caps.max_concurrent_models, caps.model_classification_batch_size) == (2, 16)
    params = srv.models.GetTrainParameters(models_pb2.GetTrainParametersRequest(**NS))
    assert params.format_options.gzip_encoding and params.format_options.skip_empty_intents
    reply = srv.models.TrainModel(
        models_pb2.TrainModelRequest(
            **NS,
            data_format=config_pb2.INTENTS_FORMAT_HF_JSON,
            format_options=config_pb2.IntentsDataOptions(hierarchical_delimiter="/"),
            data=TRAIN,
        )
    )
    assert reply.model.id == "m1" and reply.model.classification.max_batch_size == 16
    assert backend.seen_options[-1].delimiter == "/"
    got = srv.models.Classify(
        models_pb2.ClassifyRequest(
            **NS,
            model_id="m1",
            examples=[
                service_pb2.Example(contents="héllo world"),
                service_pb2.Example(contents="nothing"),
                service_pb2.Example(contents="refund now"),
            ],
        )
    )
    assert [[m.id for m in p.matches] for p in got.predictions] == [["intent-H"], [], ["intent-R"]]
    assert got.predictions[0].entity_matches[0].span.end == 6  # UTF-8 bytes of "héllo"
    assert [m.id for m in srv.models.ListModels(models_pb2.ListModelsRequest(**NS)).models] == ["m1"]
    srv.models.DeleteModel(models_pb2.DeleteModelRequest(**NS, model_id="m1"))
    with pytest.raises(grpc.RpcError) as info:
        srv.models.GetModel(models_pb2.GetModelRequest(**NS, model_id="m1"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        srv.models.UnloadModel(models_pb2.UnloadModelRequest(**NS, model_id="m1"))
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE and info.value.details() == "CLU said 503"
    with pytest.raises(grpc.RpcError) as info:
        srv.models.Embed(models_pb2.EmbedRequest(**NS, model_id="m1", examples=["x"]))
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_train_cancellation_sets_only_that_calls_event(start_server: Callable[..., Any], tmp_path: Path) -> None:
    backend = KeywordModels(tmp_path / "kw")
    srv = start_server(backend=backend)
    srv.models.TrainModel(models_pb2.TrainModelRequest(**NS, data=TRAIN))  # a finished call
    backend.block.set()
    first = srv.models.TrainModel.future(models_pb2.TrainModelRequest(**NS, data=TRAIN))
    second = srv.models.TrainModel.future(models_pb2.TrainModelRequest(**NS, data=TRAIN))
    deadline = time.monotonic() + 10
    while len(backend.events) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.cancel()
    deadline = time.monotonic() + 10
    while not (backend.events[1].is_set() or backend.events[2].is_set()) and time.monotonic() < deadline:
        time.sleep(0.02)
    cancelled = [e.is_set() for e in backend.events[1:]]
    assert sorted(cancelled) == [False, True]  # the other in-flight training is untouched
    backend.block.clear()
    second.cancel()


def test_every_call_logged_once_without_payload(
    start_server: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    srv = start_server()
    caplog.set_level(logging.INFO, logger="hfx.server.calls")
    ws = srv.workspaces.CreateWorkspace(ws_pb.CreateWorkspaceRequest(**NS, workspace=ws_pb.Workspace(name="log")))
    secret_text = "SECRET-PAYLOAD-TEXT"
    payload = json.dumps({"name": secret_text}).encode()
    srv.workspaces.ImportWorkspace(ws_pb.ImportWorkspaceRequest(**NS, workspace_id=ws.id, data=payload))
    with pytest.raises(grpc.RpcError):
        srv.workspaces.GetWorkspace(ws_pb.GetWorkspaceRequest(**NS, workspace_id="missing"))
    srv.server.stop(grace=1)
    calls = [r for r in caplog.records if r.name == "hfx.server.calls"]
    assert [r.hfx_fields["method"].rsplit("/", 1)[1] for r in calls] == [
        "CreateWorkspace",
        "ImportWorkspace",
        "GetWorkspace",
    ]
    imp = calls[1].hfx_fields
    assert imp["namespace"] == "acme" and imp["integration_id"] == "intg-1" and imp["workspace_id"] == ws.id
    assert imp["request_bytes"] == len(payload) and imp["status"] == "OK" and imp["duration_ms"] >= 0
    assert calls[2].hfx_fields["status"] == "NOT_FOUND"
    assert secret_text not in caplog.text
    assert "PRIVATE KEY" not in caplog.text


def test_unexpected_errors_are_internal_without_traceback(
    start_server: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(DirectoryBackend):
        def list_workspaces(self, ctx: Any) -> Any:
            raise KeyError("internal detail /srv/secret/path")

    srv = start_server(backend=Broken(tmp_path / "broken"))
    with pytest.raises(grpc.RpcError) as info:
        srv.workspaces.ListWorkspaces(ws_pb.ListWorkspacesRequest(**NS))
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert info.value.details() == "internal server error"
    assert "Traceback" in caplog.text  # logged server-side only
