"""The gRPC servicers: thin translations between protobuf and the backend (errors are mapped by the interceptor)."""

from __future__ import annotations

import threading
from typing import Any

from hfx.backends.base import Backend, CallContext, InvalidInput
from hfx.gcpause import paused_gc
from hfx.proto.external_integration.v1alpha1 import (
    discovery_pb2,
    discovery_pb2_grpc,
    models_pb2,
    models_pb2_grpc,
    workspace_pb2,
    workspace_pb2_grpc,
)
from hfx.server.convert import (
    model_to_proto,
    options_from_proto,
    options_to_proto,
    prediction_to_proto,
    workspace_to_proto,
)

DISCOVERY = discovery_pb2.DESCRIPTOR.services_by_name["Discovery"].full_name
WORKSPACES = workspace_pb2.DESCRIPTOR.services_by_name["Workspaces"].full_name
MODELS = models_pb2.DESCRIPTOR.services_by_name["Models"].full_name


def add_services(server: Any, backend: Backend) -> list[str]:
    """Register the servicers ``backend`` offers (Models only when it supports models) on a ``grpc.Server``;
    returns the full names of the services added."""
    discovery_pb2_grpc.add_DiscoveryServicer_to_server(DiscoveryService(backend), server)
    workspace_pb2_grpc.add_WorkspacesServicer_to_server(WorkspacesService(backend), server)
    if not backend.supports_models:
        return [DISCOVERY, WORKSPACES]
    models_pb2_grpc.add_ModelsServicer_to_server(ModelsService(backend), server)
    return [DISCOVERY, WORKSPACES, MODELS]


class _OnBackend:
    """A servicer answering from one backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend


def _ctx(request: Any) -> CallContext:
    return CallContext(namespace=request.namespace, integration_id=request.integration_id)


def _require(value: str, what: str) -> str:
    if not value:
        raise InvalidInput(f"{what} is required")
    return value


class DiscoveryService(_OnBackend, discovery_pb2_grpc.DiscoveryServicer):
    def GetCapabilities(self, request: Any, context: Any) -> discovery_pb2.GetCapabilitiesResponse:
        caps = self.backend.capabilities()
        return discovery_pb2.GetCapabilitiesResponse(
            supports_workspaces=True,
            supports_models=self.backend.supports_models,
            max_concurrent_models=caps.max_concurrent_models if self.backend.supports_models else 0,
            model_classification_batch_size=caps.classification_batch_size if self.backend.supports_models else 0,
        )


class WorkspacesService(_OnBackend, workspace_pb2_grpc.WorkspacesServicer):
    def ListWorkspaces(self, request: Any, context: Any) -> workspace_pb2.ListWorkspacesResponse:
        found = self.backend.list_workspaces(_ctx(request))
        return workspace_pb2.ListWorkspacesResponse(workspaces=[workspace_to_proto(w) for w in found])

    def GetWorkspace(self, request: Any, context: Any) -> workspace_pb2.Workspace:
        workspace_id = _require(request.workspace_id, "workspace_id")
        return workspace_to_proto(self.backend.get_workspace(_ctx(request), workspace_id))

    def CreateWorkspace(self, request: Any, context: Any) -> workspace_pb2.Workspace:
        ws = request.workspace
        created = self.backend.create_workspace(_ctx(request), ws.name, ws.description, ws.id)
        return workspace_to_proto(created)

    def GetImportParameters(self, request: Any, context: Any) -> workspace_pb2.GetImportParametersResponse:
        workspace_id = _require(request.workspace_id, "workspace_id")
        fmt, opts = options_to_proto(self.backend.import_parameters(_ctx(request), workspace_id))
        return workspace_pb2.GetImportParametersResponse(data_format=fmt, format_options=opts)

    def ImportWorkspace(self, request: Any, context: Any) -> workspace_pb2.ImportWorkspaceResponse:
        workspace_id = _require(request.workspace_id, "workspace_id")
        options = options_from_proto(request.data_format, request.format_options)
        with paused_gc():
            self.backend.import_data(_ctx(request), workspace_id, request.data, options)
        return workspace_pb2.ImportWorkspaceResponse()

    def ExportWorkspace(self, request: Any, context: Any) -> workspace_pb2.ExportWorkspaceResponse:
        workspace_id = _require(request.workspace_id, "workspace_id")
        with paused_gc():
            exported = self.backend.export_data(_ctx(request), workspace_id)
        fmt, opts = options_to_proto(exported.options)
        return workspace_pb2.ExportWorkspaceResponse(data_format=fmt, format_options=opts, data=exported.data)


class ModelsService(_OnBackend, models_pb2_grpc.ModelsServicer):
    """Generic delegation to any backend with ``supports_models``."""

    def ListModels(self, request: Any, context: Any) -> models_pb2.ListModelsResponse:
        found = self.backend.list_models(_ctx(request))
        return models_pb2.ListModelsResponse(models=[model_to_proto(m) for m in found])

    def GetModel(self, request: Any, context: Any) -> models_pb2.Model:
        model_id = _require(request.model_id, "model_id")
        return model_to_proto(self.backend.get_model(_ctx(request), model_id))

    def GetTrainParameters(self, request: Any, context: Any) -> models_pb2.GetTrainParametersResponse:
        fmt, opts = options_to_proto(self.backend.train_parameters(_ctx(request)))
        return models_pb2.GetTrainParametersResponse(data_format=fmt, format_options=opts)

    def TrainModel(self, request: Any, context: Any) -> models_pb2.TrainModelResponse:
        # One Event per call: set when this RPC ends (client cancel, deadline) -- never shared between calls.
        cancelled = threading.Event()
        if not context.add_callback(cancelled.set):
            cancelled.set()  # the RPC is already over
        options = options_from_proto(request.data_format, request.format_options)
        with paused_gc():
            model = self.backend.train_model(_ctx(request), request.data, options, cancelled)
        return models_pb2.TrainModelResponse(model=model_to_proto(model))

    def DeleteModel(self, request: Any, context: Any) -> models_pb2.DeleteModelResponse:
        self.backend.delete_model(_ctx(request), _require(request.model_id, "model_id"))
        return models_pb2.DeleteModelResponse()

    def UnloadModel(self, request: Any, context: Any) -> models_pb2.UnloadModelResponse:
        self.backend.unload_model(_ctx(request), _require(request.model_id, "model_id"))
        return models_pb2.UnloadModelResponse()

    def Classify(self, request: Any, context: Any) -> models_pb2.ClassifyResponse:
        model_id = _require(request.model_id, "model_id")
        texts = [e.contents for e in request.examples]
        predictions = self.backend.classify(_ctx(request), model_id, texts)
        if len(predictions) != len(texts):
            raise RuntimeError(f"backend returned {len(predictions)} predictions for {len(texts)} examples")
        return models_pb2.ClassifyResponse(predictions=[prediction_to_proto(p) for p in predictions])

    def Embed(self, request: Any, context: Any) -> models_pb2.EmbedResponse:
        model_id = _require(request.model_id, "model_id")
        texts = list(request.examples)
        vectors = self.backend.embed(_ctx(request), model_id, texts)
        if len(vectors) != len(texts) or len({len(v) for v in vectors}) > 1:
            raise RuntimeError("backend returned ragged or missing embeddings")
        dim = len(vectors[0]) if vectors else 0
        return models_pb2.EmbedResponse(data=[x for v in vectors for x in v], shape=[len(vectors), dim])
