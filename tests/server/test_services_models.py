"""Local models on the embedded default backend, through a real gRPC server on loopback with real mTLS.

HumanFirst's side of the contract: train on an Academy workspace, classify its training texts back to their own
HF intent ids, find its annotated list entities with their ids and UTF-8 byte spans, embed, survive a restart,
unload, delete; bad payloads, over-size batches and cancelled trainings.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hfx.backends.directory import DirectoryBackend
from hfx.backends.local_models import ModelLimits
from hfx.proto.external_integration.v1alpha1 import discovery_pb2, models_pb2
from hfx.proto.external_nlu.v1alpha1 import service_pb2
from hfx.proto.playbook.data.config.v1alpha1 import config_pb2

DATA = Path(__file__).resolve().parents[1] / "data" / "hf"
ACADEMY = DATA / "Academy-Ex06-Entities.json"
NS = dict(namespace="acme", integration_id="intg-1")
BATCH = 64


def _train_request(data: bytes, delimiter: str = "") -> models_pb2.TrainModelRequest:
    return models_pb2.TrainModelRequest(
        **NS,
        data_format=config_pb2.INTENTS_FORMAT_HF_JSON,
        format_options=config_pb2.IntentsDataOptions(gzip_encoding=True, hierarchical_delimiter=delimiter),
        data=gzip.compress(data, mtime=0),
    )


def _classify(srv: Any, model_id: str, texts: list[str]) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(texts), BATCH):
        reply = srv.models.Classify(
            models_pb2.ClassifyRequest(
                **NS, model_id=model_id, examples=[service_pb2.Example(contents=t) for t in texts[i : i + BATCH]]
            ),
            timeout=60,
        )
        out.extend(reply.predictions)
    assert len(out) == len(texts)
    return out


def _code(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value.code(), info.value.details() or ""


def _wait(predicate: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _backend(data_dir: Path, **limits: Any) -> DirectoryBackend:
    return DirectoryBackend(data_dir, model_limits=ModelLimits(max_batch_size=BATCH, **limits))


def _listed(srv: Any) -> list[str]:
    return [m.id for m in srv.models.ListModels(models_pb2.ListModelsRequest(**NS), timeout=10).models]


def _assert_entity_matches(doc: dict[str, Any], labelled: list[dict[str, Any]], predictions: list[Any]) -> None:
    # annotated list entities come back with their entity id and UTF-8 byte span
    names = {e["id"]: e["name"] for e in doc["entities"]}
    annotated = [(i, a) for i, ex in enumerate(labelled) for a in ex.get("entities", [])]
    assert len(annotated) >= 50
    found = 0
    for i, a in annotated:
        spans = {(m.entity.entity_id, m.span.start, m.span.end): m for m in predictions[i].entity_matches}
        match = spans.get((a["entity_id"], a["span"]["from_character"], a["span"]["to_character"]))
        if match is not None:
            found += 1
            assert match.entity.key == names[a["entity_id"]] and match.entity.text == a["text"]
            assert match.entity.entity_value_id == a["value_id"] and match.extractor
    assert found / len(annotated) >= 0.90, f"{found}/{len(annotated)}"
    for ex, p in zip(labelled, predictions, strict=True):
        raw_text = ex["text"].encode()
        for m in p.entity_matches:  # every span is a byte range of the text that decodes to the match text
            assert 0 <= m.span.start < m.span.end <= len(raw_text)
            assert raw_text[m.span.start : m.span.end].decode() == m.entity.text
            assert 0 <= m.score <= 1


def _assert_embeddings_group_intents(srv: Any, model_id: str, labelled: list[dict[str, Any]]) -> None:
    # embeddings: [n, dim], and texts of one intent are closer to each other than to texts of other intents
    by_intent: dict[str, list[str]] = {}
    for ex in labelled:
        by_intent.setdefault(ex["intents"][0]["intent_id"], []).append(ex["text"])
    groups = [v[:4] for v in by_intent.values() if len(v) >= 4][:12]
    flat = [t for g in groups for t in g]
    reply = srv.models.Embed(models_pb2.EmbedRequest(**NS, model_id=model_id, examples=flat), timeout=60)
    assert list(reply.shape) == [len(flat), 256] and len(reply.data) == len(flat) * 256
    vectors = [reply.data[k * 256 : (k + 1) * 256] for k in range(len(flat))]
    label = [gi for gi, g in enumerate(groups) for _ in g]
    same, other = [], []
    for a in range(len(flat)):
        for b in range(a + 1, len(flat)):
            cos = sum(x * y for x, y in zip(vectors[a], vectors[b], strict=True))
            (same if label[a] == label[b] else other).append(cos)
    assert sum(same) / len(same) > sum(other) / len(other)


def test_academy_workspace_trains_classifies_embeds_and_survives_a_restart(
    start_server: Callable[..., Any], tmp_path: Path
) -> None:
    raw = ACADEMY.read_bytes()
    doc = json.loads(raw)
    srv = start_server(backend=_backend(tmp_path / "data"))
    caps = srv.discovery.GetCapabilities(discovery_pb2.GetCapabilitiesRequest())
    assert caps.supports_models and caps.supports_workspaces
    assert (caps.max_concurrent_models, caps.model_classification_batch_size) == (4, BATCH)
    params = srv.models.GetTrainParameters(models_pb2.GetTrainParametersRequest(**NS))
    assert params.data_format == config_pb2.INTENTS_FORMAT_HF_JSON and params.format_options.gzip_encoding

    model = srv.models.TrainModel(_train_request(raw, "/"), timeout=120).model
    assert model.display_name == doc["name"]
    assert model.classification.max_batch_size == BATCH
    assert (model.embeddings.dimensionality, model.embeddings.max_batch_size) == (256, BATCH)
    assert model.embeddings.max_token_count > 0 and model.embeddings.max_token_size > 0
    assert _listed(srv) == [model.id]
    assert srv.models.GetModel(models_pb2.GetModelRequest(**NS, model_id=model.id)) == model

    # training texts classify to their own HF intent ids; scores in [0, 1], best first
    labelled = [ex for ex in doc["examples"] if ex.get("intents")]
    texts = [ex["text"] for ex in labelled]
    predictions = _classify(srv, model.id, texts)
    hits = sum(
        p.matches and p.matches[0].id == ex["intents"][0]["intent_id"]
        for ex, p in zip(labelled, predictions, strict=True)
    )
    assert hits / len(labelled) >= 0.95, f"{hits}/{len(labelled)}"
    intent_ids = {i["id"] for i in doc["intents"]}
    for p in predictions:
        scores = [m.score for m in p.matches]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        assert all(m.id in intent_ids for m in p.matches)

    _assert_entity_matches(doc, labelled, predictions)
    _assert_embeddings_group_intents(srv, model.id, labelled)

    # batches over the announced size are refused, not truncated
    code, details = _code(lambda: _classify_once(srv, model.id, ["hi"] * (BATCH + 1)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and str(BATCH) in details
    code, _ = _code(
        lambda: srv.models.Embed(models_pb2.EmbedRequest(**NS, model_id=model.id, examples=["hi"] * (BATCH + 1)))
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT

    # a restart keeps the model and gives the same answers
    sample = texts[::10]
    before = _classify(srv, model.id, sample)
    srv.channel.close()
    srv.server.stop(grace=1)
    again = start_server(backend=_backend(tmp_path / "data"))
    assert _listed(again) == [model.id]
    assert again.backend.local_models.loaded() == []  # loaded lazily
    assert _classify(again, model.id, sample) == before

    # unload keeps it listed (and it loads again when used); delete removes it
    again.models.UnloadModel(models_pb2.UnloadModelRequest(**NS, model_id=model.id))
    assert again.backend.local_models.loaded() == [] and _listed(again) == [model.id]
    assert _classify(again, model.id, sample[:3]) == before[:3]
    again.models.DeleteModel(models_pb2.DeleteModelRequest(**NS, model_id=model.id))
    assert _listed(again) == [] and not (tmp_path / "data" / "models" / model.id).exists()
    for call in (
        lambda: again.models.GetModel(models_pb2.GetModelRequest(**NS, model_id=model.id)),
        lambda: _classify_once(again, model.id, ["hi"]),
        lambda: again.models.Embed(models_pb2.EmbedRequest(**NS, model_id=model.id, examples=["hi"])),
        lambda: again.models.UnloadModel(models_pb2.UnloadModelRequest(**NS, model_id=model.id)),
        lambda: again.models.DeleteModel(models_pb2.DeleteModelRequest(**NS, model_id=model.id)),
    ):
        assert _code(call)[0] == grpc.StatusCode.NOT_FOUND


def _classify_once(srv: Any, model_id: str, texts: list[str]) -> Any:
    return srv.models.Classify(
        models_pb2.ClassifyRequest(**NS, model_id=model_id, examples=[service_pb2.Example(contents=t) for t in texts]),
        timeout=60,
    )


SMALL = json.dumps(
    {
        "name": "café ☕",
        "intents": [
            {"id": "intent-order", "name": "order"},
            {"id": "intent-greet", "name": "greet"},
            {"id": "intent-bye", "name": "bye"},
        ],
        "entities": [
            {
                "id": "entity-drink",
                "name": "drink",
                "values": [
                    {
                        "id": "entval-latte",
                        "key_value": "latte",
                        "synonyms": [{"value": "latte"}, {"value": "café latte"}],
                    },
                    {"id": "entval-tea", "key_value": "tea", "synonyms": [{"value": "tea"}, {"value": "thé"}]},
                ],
            }
        ],
        "examples": [
            {"id": f"ex-{i}", "text": t, "intents": [{"intent_id": intent}]}
            for i, (t, intent) in enumerate(
                [
                    ("I would like a café latte", "intent-order"),
                    ("one thé please", "intent-order"),
                    ("can I order a tea", "intent-order"),
                    ("a latte to go", "intent-order"),
                    ("hello there", "intent-greet"),
                    ("hi!", "intent-greet"),
                    ("good morning", "intent-greet"),
                    ("hey, how are you", "intent-greet"),
                    ("goodbye", "intent-bye"),
                    ("see you later", "intent-bye"),
                    ("bye bye", "intent-bye"),
                    ("thanks, that is all", "intent-bye"),
                ]
            )
        ],
    },
    ensure_ascii=False,
).encode()


def test_list_entities_in_multibyte_text_have_utf8_byte_spans(start_server: Callable[..., Any]) -> None:
    srv = start_server()
    model = srv.models.TrainModel(_train_request(SMALL), timeout=120).model
    assert model.display_name == "café ☕"
    text = "😀 Un CAFÉ LATTE et un thé, s'il vous plaît"
    [p] = _classify_once(srv, model.id, [text]).predictions
    raw = text.encode()
    got = {(m.entity.entity_value_id, raw[m.span.start : m.span.end].decode()) for m in p.entity_matches}
    assert got == {("entval-latte", "CAFÉ LATTE"), ("entval-tea", "thé")}
    assert {m.entity.key for m in p.entity_matches} == {"drink"}
    assert all(m.entity.entity_id == "entity-drink" for m in p.entity_matches)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"not json at all", ""),
        (b'{"examples": [{"text": 5, "intents": [{"intent_id": "a"}]}]}', "/examples/0/text"),
        (b'["a list"]', ""),
        (
            json.dumps(
                {
                    "intents": [{"id": "i1", "name": "only"}],
                    "examples": [{"text": "just one intent", "intents": [{"intent_id": "i1"}]}],
                }
            ).encode(),
            "",
        ),
    ],
)
def test_a_bad_training_payload_is_invalid_argument_with_the_reason(
    start_server: Callable[..., Any], data: bytes, needle: str
) -> None:
    srv = start_server()
    code, details = _code(lambda: srv.models.TrainModel(models_pb2.TrainModelRequest(**NS, data=data), timeout=60))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and details and needle in details
    assert _listed(srv) == [] and [p.name for p in (srv.data_dir / "models").iterdir()] == []


def test_unknown_models_are_not_found(start_server: Callable[..., Any]) -> None:
    srv = start_server()
    for model_id in ("0123abcd", "../workspaces", ".staging"):
        code, _ = _code(lambda m=model_id: srv.models.GetModel(models_pb2.GetModelRequest(**NS, model_id=m)))
        assert code == grpc.StatusCode.NOT_FOUND
    code, _ = _code(lambda: srv.models.GetModel(models_pb2.GetModelRequest(**NS)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT  # model_id is required


def test_a_cancelled_training_stops_and_leaves_nothing_behind(start_server: Callable[..., Any], tmp_path: Path) -> None:
    srv = start_server(backend=_backend(tmp_path / "data"))
    store = srv.backend.local_models
    future = srv.models.TrainModel.future(
        _train_request((DATA / "Academy-Ex07-High-Coverage.json").read_bytes()), timeout=120
    )
    assert _wait(lambda: store.trainings() == (1, 0))
    started = time.monotonic()
    future.cancel()
    assert _wait(lambda: store.trainings() == (0, 0)), "the training did not stop"
    stopped_after = time.monotonic() - started
    assert list((tmp_path / "data" / "models").iterdir()) == [] and _listed(srv) == []
    assert stopped_after < 15
    # the server trains normally afterwards
    assert srv.models.TrainModel(_train_request(SMALL), timeout=120).model.id


def test_least_recently_used_models_leave_memory_first(start_server: Callable[..., Any], tmp_path: Path) -> None:
    srv = start_server(backend=_backend(tmp_path / "data", max_loaded=1))
    caps = srv.discovery.GetCapabilities(discovery_pb2.GetCapabilitiesRequest())
    assert caps.max_concurrent_models == 1
    store = srv.backend.local_models
    a = srv.models.TrainModel(_train_request(SMALL), timeout=120).model.id
    b = srv.models.TrainModel(_train_request((DATA / "rasa-moodbot-export.json").read_bytes()), timeout=120).model.id
    assert a != b and store.loaded() == [b] and sorted(_listed(srv)) == sorted([a, b])
    first = _classify_once(srv, a, ["one thé please"]).predictions[0]
    assert first.matches[0].id == "intent-order"
    assert store.loaded() == [a]
    _classify_once(srv, b, ["I am happy"])
    assert store.loaded() == [b]
    assert _classify_once(srv, a, ["one thé please"]).predictions[0] == first


def test_training_identical_data_twice_gives_the_same_model(start_server: Callable[..., Any]) -> None:
    srv = start_server()
    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(srv.models.TrainModel(_train_request(SMALL), timeout=120).model.id)
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 2 and results[0] == results[1] and _listed(srv) == results[:1]


@pytest.fixture
def small_model(start_server: Callable[..., Any]) -> tuple[Any, str]:
    srv = start_server()
    return srv, srv.models.TrainModel(_train_request(SMALL), timeout=120).model.id


_AROUND = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_AROUND, after=_AROUND, synonym=st.sampled_from(["latte", "café latte", "thé", "tea", "CAFÉ LATTE"]))
def test_every_entity_span_is_a_utf8_byte_range_of_the_text(
    small_model: tuple[Any, str], before: str, after: str, synonym: str
) -> None:
    srv, model_id = small_model
    text = f"{before} {synonym} {after}"
    [p] = _classify_once(srv, model_id, [text]).predictions
    raw = text.encode()
    for m in p.entity_matches:
        assert 0 <= m.span.start < m.span.end <= len(raw)
        assert raw[m.span.start : m.span.end].decode() == m.entity.text  # never cuts a character
    assert all(0 <= x.score <= 1 for x in p.matches)


def test_classify_keeps_answering_while_a_model_trains(small_model: tuple[Any, str]) -> None:
    srv, model_id = small_model
    store = srv.backend.local_models
    future = srv.models.TrainModel.future(
        _train_request((DATA / "Academy-Ex07-High-Coverage.json").read_bytes()), timeout=120
    )
    assert _wait(lambda: store.trainings() == (1, 0))
    started = time.monotonic()
    answer = _classify_once(srv, model_id, ["one thé please"] * 10)
    assert time.monotonic() - started < 5 and answer.predictions[0].matches[0].id == "intent-order"
    future.cancel()
    assert _wait(lambda: store.trainings() == (0, 0))


def test_concurrent_calls_get_the_same_answers_as_one_at_a_time(small_model: tuple[Any, str]) -> None:
    srv, model_id = small_model
    texts = ["one thé please", "hello there", "see you later", "a CAFÉ LATTE to go"]
    expected = _classify_once(srv, model_id, texts)
    vectors = srv.models.Embed(models_pb2.EmbedRequest(**NS, model_id=model_id, examples=texts), timeout=60)
    srv.models.UnloadModel(models_pb2.UnloadModelRequest(**NS, model_id=model_id))  # the threads race to load it
    failures: list[BaseException] = []

    def client(n: int) -> None:
        try:
            for _ in range(5):
                if n % 2:
                    assert _classify_once(srv, model_id, texts) == expected
                else:
                    got = srv.models.Embed(models_pb2.EmbedRequest(**NS, model_id=model_id, examples=texts), timeout=60)
                    assert got == vectors
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures[0]
    assert srv.backend.local_models.loaded() == [model_id]
