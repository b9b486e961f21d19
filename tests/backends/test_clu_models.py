"""Models over CLU through a real mTLS gRPC server: train, classify, restart, unload, delete, cancel, faults."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import grpc
import pytest
from clu_backend_support import (
    HF_JSON,
    KEY,
    hf_bytes,
    make_client,
    options,
    project_names,
    tagged_workspace,
    wait_until,
)

from hfx.backends.base import CallContext, DataOptions
from hfx.backends.clu import CluBackend, CluBackendConfig
from hfx.formats.hf_json import dumps_hf
from hfx.model import Workspace
from hfx.proto.external_integration.v1alpha1 import models_pb2, workspace_pb2
from hfx.proto.external_nlu.v1alpha1 import service_pb2


def _train(g: Any, ws: Workspace, **kwargs: Any) -> Any:
    return g.models.TrainModel(
        models_pb2.TrainModelRequest(data_format=HF_JSON, format_options=options(), data=hf_bytes(ws)),
        timeout=60,
        **kwargs,
    ).model


def _import_and_export(g: Any, ws: Workspace, name: str) -> bytes:
    """Create the workspace ``name``, import ``ws`` into it and export it again through gRPC; the exported bytes."""
    project = g.workspaces.CreateWorkspace(
        workspace_pb2.CreateWorkspaceRequest(workspace=workspace_pb2.Workspace(name=name))
    ).id
    g.workspaces.ImportWorkspace(
        workspace_pb2.ImportWorkspaceRequest(
            workspace_id=project, data_format=HF_JSON, format_options=options(), data=hf_bytes(ws)
        ),
        timeout=60,
    )
    return g.workspaces.ExportWorkspace(workspace_pb2.ExportWorkspaceRequest(workspace_id=project), timeout=60).data


def _classify(g: Any, model_id: str, texts: list[str]) -> list[Any]:
    answer = g.models.Classify(
        models_pb2.ClassifyRequest(model_id=model_id, examples=[service_pb2.Example(contents=t) for t in texts]),
        timeout=60,
    )
    return list(answer.predictions)


def _assert_entity_spans(g: Any, model_id: str) -> None:
    # entities: ids, value, and UTF-8 byte spans (Zürich / París are multi-byte)
    [p] = _classify(g, model_id, ["a trip to Zürich please"])
    [match] = [m for m in p.entity_matches if m.entity.key == "city"]
    text = "a trip to Zürich please"
    raw = text.encode("utf-8")
    assert raw[match.span.start : match.span.end].decode("utf-8") == "Zürich"
    assert (match.span.start, match.span.end) == (10, 17)
    assert (match.entity.entity_id, match.entity.entity_value_id, match.entity.value, match.entity.text) == (
        "entity-city-01",
        "value-zurich-01",
        "Zürich",
        "Zürich",
    )


def _assert_embeddings(g: Any, model_id: str, config: CluBackendConfig) -> None:
    # CLU cannot embed: the local dense model does, and the model says so in its EmbedConfig
    spec = g.models.GetModel(models_pb2.GetModelRequest(model_id=model_id)).embeddings
    assert spec.dimensionality == 256 and spec.max_batch_size == config.max_batch_size
    assert spec.max_token_count > 0 and spec.max_token_size > 0
    answer = g.models.Embed(models_pb2.EmbedRequest(model_id=model_id, examples=["hi", "a trip to Zürich", ""]))
    assert list(answer.shape) == [3, 256] and len(answer.data) == 3 * 256
    norms = [sum(x * x for x in answer.data[i * 256 : (i + 1) * 256]) for i in range(3)]
    assert norms[0] == pytest.approx(1, abs=1e-4) and norms[1] == pytest.approx(1, abs=1e-4) and norms[2] == 0
    with pytest.raises(grpc.RpcError) as err:
        g.models.Embed(models_pb2.EmbedRequest(model_id=model_id, examples=["x"] * (config.max_batch_size + 1)))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as err:
        g.models.Embed(models_pb2.EmbedRequest(model_id="hfx-000000000000", examples=["hi"]))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_train_then_classify_training_texts_returns_their_hf_intents(
    grpc_server: Any, client: Any, config: CluBackendConfig, emulator: Any
) -> None:
    g = grpc_server
    ws = tagged_workspace()
    model = _train(g, ws)
    assert model.id.startswith("hfx-") and model.classification.max_batch_size == config.max_batch_size
    assert model.id in project_names(client)
    assert [w.id for w in g.workspaces.ListWorkspaces(workspace_pb2.ListWorkspacesRequest()).workspaces] == []
    with pytest.raises(grpc.RpcError) as err:  # a model project is not a workspace
        g.workspaces.GetWorkspace(workspace_pb2.GetWorkspaceRequest(workspace_id=model.id))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND

    trained = [e for e in ws.examples if "tag-test" not in e.tags]  # Test utterances are not trained on
    texts = [e.text for e in trained]
    predictions = _classify(g, model.id, texts)
    assert len(predictions) == len(texts)
    for ex, p in zip(trained, predictions, strict=True):
        assert p.matches[0].id == ex.intents[0].intent_id and p.matches[0].name == ex.intents[0].intent_id
        assert [m.score for m in p.matches] == sorted((m.score for m in p.matches), reverse=True)
    empty = _classify(g, model.id, ["", "x" * 1001, texts[0]])  # nothing to classify / over CLU's limit
    assert [len(p.matches) for p in empty[:2]] == [0, 0] and empty[2].matches[0].id == trained[0].intents[0].intent_id
    known = {i.id for i in ws.intents}
    assert all(m.id in known for p in predictions for m in p.matches)  # CLU's "None" is not an HF intent

    _assert_entity_spans(g, model.id)

    # the registry survives a restart: a new backend on the same data dir serves the model
    fresh = CluBackend(make_client(emulator), config)
    try:
        assert [m.id for m in fresh.list_models(CallContext())] == [model.id]
        again = fresh.classify(CallContext(), model.id, [texts[0]])
        assert again[0].intents[0].id == trained[0].intents[0].intent_id
    finally:
        fresh.close()

    # unload drops the deployment but keeps the model; classify redeploys it
    g.models.UnloadModel(models_pb2.UnloadModelRequest(model_id=model.id))
    assert client.list_deployments(model.id) == []
    assert model.id in project_names(client)
    assert g.models.GetModel(models_pb2.GetModelRequest(model_id=model.id)).id == model.id
    assert _classify(g, model.id, [texts[3]])[0].matches[0].id == trained[3].intents[0].intent_id

    _assert_embeddings(g, model.id, config)

    g.models.DeleteModel(models_pb2.DeleteModelRequest(model_id=model.id))
    assert wait_until(lambda: model.id not in project_names(client))
    for call, req in (
        (g.models.GetModel, models_pb2.GetModelRequest(model_id=model.id)),
        (
            g.models.Classify,
            models_pb2.ClassifyRequest(model_id=model.id, examples=[service_pb2.Example(contents="x")]),
        ),
    ):
        with pytest.raises(grpc.RpcError) as err:
            call(req)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert list(g.models.ListModels(models_pb2.ListModelsRequest()).models) == []


@pytest.mark.parametrize("emulator_options", [{"job_delay_ms": 1000}])  # the cancel comes within ms
def test_cancelled_train_model_leaves_no_project_behind(grpc_server: Any, client: Any, config: Any) -> None:
    g = grpc_server
    future = g.models.TrainModel.future(
        models_pb2.TrainModelRequest(data_format=HF_JSON, format_options=options(), data=hf_bytes(tagged_workspace())),
        timeout=60,
    )
    assert wait_until(lambda: any(n.startswith("hfx-") for n in project_names(client)), timeout=10)
    future.cancel()
    with pytest.raises(grpc.FutureCancelledError):
        future.result()
    assert wait_until(lambda: not any(n.startswith("hfx-") for n in project_names(client)), timeout=15), project_names(
        client
    )
    assert list(g.models.ListModels(models_pb2.ListModelsRequest()).models) == []


@pytest.mark.parametrize("emulator_options", [{"job_delay_ms": 600}])
def test_cancelling_one_training_leaves_another_running(grpc_server: Any, client: Any) -> None:
    g = grpc_server
    request = models_pb2.TrainModelRequest(
        data_format=HF_JSON, format_options=options(), data=hf_bytes(tagged_workspace())
    )
    first = g.models.TrainModel.future(request, timeout=60)
    assert wait_until(lambda: len([n for n in project_names(client) if n.startswith("hfx-")]) == 1)
    [doomed] = [n for n in project_names(client) if n.startswith("hfx-")]
    second = g.models.TrainModel.future(request, timeout=60)
    assert wait_until(lambda: len([n for n in project_names(client) if n.startswith("hfx-")]) == 2)
    first.cancel()
    survivor = second.result().model  # the cancel flag is per request: this one trains to the end
    assert survivor.id != doomed
    assert wait_until(lambda: [n for n in project_names(client) if n.startswith("hfx-")] == [survivor.id], timeout=15)
    assert [m.id for m in g.models.ListModels(models_pb2.ListModelsRequest()).models] == [survivor.id]


def test_failed_training_deletes_its_project(backend: CluBackend, client: Any) -> None:
    ws = tagged_workspace()
    ws.language = "fr-fr"  # standard training is English-only in CLU
    backend_fr = CluBackend(backend.client, CluBackendConfig(data_dir=backend.data_dir, training_mode="standard"))
    with pytest.raises(Exception, match="training"):
        backend_fr.train_model(CallContext(), dumps_hf(ws), DataOptions(), threading.Event())
    assert wait_until(lambda: not any(n.startswith("hfx-") for n in project_names(client)))
    assert backend_fr.list_models(CallContext()) == []


@pytest.mark.parametrize("emulator_options", [{"fault_rate": 0.2, "seed": 7}])
def test_twenty_percent_faults_fail_no_call(grpc_server: Any, emulator: Any, client: Any) -> None:
    g = grpc_server
    ws = tagged_workspace()
    assert _import_and_export(g, ws, "faulty")
    model = _train(g, ws)
    trained = [e for e in ws.examples if "tag-test" not in e.tags]
    texts = [e.text for e in trained] * 14  # 98 predictions
    predictions = _classify(g, model.id, texts)
    expected = [e.intents[0].intent_id for e in trained] * 14
    assert [p.matches[0].id for p in predictions] == expected
    faults = emulator.state.counters["faults_429"] + emulator.state.counters["faults_503"]
    assert faults >= 20  # faults really happened, and every call still succeeded


def test_key_never_in_urls_or_logs(grpc_server: Any, emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    g = grpc_server
    ws = tagged_workspace()
    _import_and_export(g, ws, "secret")
    model = _train(g, ws)
    _classify(g, model.id, ["hello there"])
    with pytest.raises(grpc.RpcError):
        g.workspaces.GetWorkspace(workspace_pb2.GetWorkspaceRequest(workspace_id="missing"))
    log = emulator.request_log
    assert len(log) > 10
    assert not any(KEY in path for _, path in log)
    assert any(r.name.startswith("hfx.clu") for r in caplog.records)  # the client did log its calls
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in str(record.args)


def test_cleanup_deletes_only_unknown_hfx_projects(
    backend: CluBackend, client: Any, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from hfx.cli.main import app

    model = backend.train_model(CallContext(), dumps_hf(tagged_workspace()), DataOptions(), threading.Event())
    for name in ("hfx-0123456789ab", "hfx-ffffffffffff"):
        client.create_or_update_project(name, {"projectKind": "Conversation", "language": "en-us"})
    client.create_or_update_project("hfx-not-a-model", {"projectKind": "Conversation", "language": "en-us"})
    monkeypatch.setenv("HFX_CLU_ENDPOINT", emulator.url)
    monkeypatch.setenv("HFX_CLU_KEY", KEY)
    runner = CliRunner()
    elsewhere = runner.invoke(app, ["clu", "cleanup", "--data-dir", str(backend.data_dir / "wrong")])
    assert elsewhere.exit_code == 2 and "no model registry" in elsewhere.output  # a wrong --data-dir deletes nothing
    forced = runner.invoke(
        app, ["clu", "cleanup", "--data-dir", str(backend.data_dir / "wrong"), "--force", "--dry-run"]
    )
    assert forced.exit_code == 0 and model.id in forced.output
    assert model.id in project_names(client)
    data_dir = str(backend.data_dir)
    dry = runner.invoke(app, ["clu", "cleanup", "--data-dir", data_dir, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete hfx-0123456789ab" in dry.output and "hfx-ffffffffffff" in dry.output
    assert "2 orphaned projects to delete (dry run)" in dry.output
    assert model.id not in dry.output
    young = runner.invoke(app, ["clu", "cleanup", "--data-dir", data_dir, "--older-than", "1"])
    assert young.exit_code == 0 and "kept hfx-0123456789ab" in young.output
    assert "hfx-0123456789ab" in project_names(client)
    done = runner.invoke(app, ["clu", "cleanup", "--data-dir", data_dir])
    assert done.exit_code == 0, done.output
    assert wait_until(lambda: project_names(client) == sorted([model.id, "hfx-not-a-model"]))


def test_serve_factory_reads_options_and_cleans_up_at_start(
    emulator: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hfx.backends.base import BackendSettings
    from hfx.backends.clu import create_backend
    from hfx.errors import HfxError

    client.create_or_update_project("hfx-0123456789ab", {"projectKind": "Conversation", "language": "en-us"})
    monkeypatch.setenv("HFX_CLU_KEY", KEY)
    options_ = {
        "clu_endpoint": emulator.url,
        "clu_language": "de-de",
        "clu_multilingual": "true",
        "clu_confidence_threshold": "0.4",
        "clu_training_mode": "advanced",
        "clu_concurrency": "3",
        "clu_cleanup": "true",
        "clu_poll_interval": "0.01",
    }
    backend = create_backend(BackendSettings(data_dir=str(tmp_path), options=options_))
    try:
        assert wait_until(lambda: "hfx-0123456789ab" not in project_names(client))
        c = backend.config
        assert (c.language, c.multilingual, c.confidence_threshold, c.training_mode, c.concurrency) == (
            "de-de",
            True,
            0.4,
            "advanced",
            3,
        )
        created = backend.create_workspace(CallContext(), "Neu")
        p = client.get_project(created.id)
        assert (p["language"], p["multilingual"], p["settings"]["confidenceThreshold"]) == ("de-de", True, 0.4)
    finally:
        backend.close()
    monkeypatch.setenv("HFX_CLU_KEY", "not-the-key")  # a wrong key stops the server at start, never shown
    with pytest.raises(HfxError, match="CLU refused the key") as refused:
        create_backend(BackendSettings(data_dir=str(tmp_path), options={"clu_endpoint": emulator.url}))
    assert "not-the-key" not in str(refused.value)
    monkeypatch.setenv("HFX_CLU_KEY", KEY)
    with pytest.raises(HfxError, match="knows no option"):
        create_backend(BackendSettings(data_dir=str(tmp_path), options={"clu_endpoint": emulator.url, "bogus": "1"}))
    monkeypatch.delenv("HFX_CLU_KEY")
    monkeypatch.delenv("CLU_KEY", raising=False)
    with pytest.raises(HfxError, match="no CLU key"):
        create_backend(BackendSettings(data_dir=str(tmp_path), options={"clu_endpoint": emulator.url}))


@pytest.mark.parametrize("emulator_options", [{"latency_ms": 20}])
def test_classify_keeps_at_most_concurrency_calls_in_flight(emulator: Any, tmp_path: Path) -> None:
    from hfx.clu.client import CluClient

    class Counting(CluClient):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.now = self.peak = 0
            self.guard = threading.Lock()

        def analyze(self, *a: Any, **kw: Any) -> Any:
            with self.guard:
                self.now += 1
                self.peak = max(self.peak, self.now)
            try:
                return super().analyze(*a, **kw)
            finally:
                with self.guard:
                    self.now -= 1

    client = Counting(emulator.url, KEY, poll_interval=0.01)
    backend = CluBackend(client, CluBackendConfig(data_dir=tmp_path, concurrency=3))
    try:
        ws = tagged_workspace()
        model = backend.train_model(CallContext(), dumps_hf(ws), DataOptions(), threading.Event())
        texts = [f"hello there {i}" for i in range(30)]
        results: list[Any] = []
        callers = [
            threading.Thread(target=lambda: results.append(backend.classify(CallContext(), model.id, texts)))
            for _ in range(3)
        ]  # three concurrent Classify requests share the bound
        for t in callers:
            t.start()
        for t in callers:
            t.join()
        assert [len(r) for r in results] == [30, 30, 30]
        assert all(p.intents[0].id == "intent-greet-0003" for r in results for p in r)
        assert client.peak == 3
    finally:
        backend.close()


def test_serve_factory_starts_when_clu_does_not_answer_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    from hfx.backends.base import BackendSettings
    from hfx.backends.clu import create_backend

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("HFX_CLU_KEY", KEY)
    caplog.set_level(logging.WARNING, logger="hfx.backends.clu")
    backend = create_backend(BackendSettings(data_dir=str(tmp_path), options={"clu_endpoint": url}))
    backend.close()
    assert any("did not answer at start" in r.getMessage() for r in caplog.records)
