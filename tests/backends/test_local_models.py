"""The local model store of the directory backend (files, memory, cancellation), with a tiny model double.

The double stands in for hfx.nlu only here, to make the store's own rules fast and exact to check (which models
are in memory, what is left on disk after a cancel); the gRPC acceptance tests use the real model.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hfx.backends.base import BackendError, CallContext, Cancelled, DataOptions, InvalidInput, NotFound, TooLarge
from hfx.backends.local_models import LocalModels, ModelLimits, NluApi
from hfx.nlu.model import EntityHit, Prediction
from hfx.nlu.scores import IntentScore

CTX = CallContext(namespace="ns", integration_id="intg")


class TrainingError(Exception):
    pass


class TrainingCancelled(Exception):
    pass


class ModelFileError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    delimiter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"delimiter": self.delimiter}


class Gate:
    """Makes the double's training wait (polling should_stop) until opened."""

    def __init__(self) -> None:
        self.closed = False
        self.started = threading.Event()
        self.opened = threading.Event()


GATE = Gate()


class KeywordModel:
    """First word of an example -> its intent; deterministic id from the table, saved as JSON only."""

    def __init__(self, table: dict[str, str], name: str) -> None:
        self.table = table
        self.name = name
        self.id = hashlib.sha256(json.dumps([table, name], sort_keys=True).encode()).hexdigest()[:20]
        self.intent_count = len(set(table.values()))
        self.example_count = len(table)
        self.entity_names = {"entity-w": "word"}

    @classmethod
    def train(
        cls, ws: Any, settings: Settings, *, should_stop: Callable[[], bool] | None = None, progress: Any = None
    ) -> KeywordModel:
        if GATE.closed:
            GATE.started.set()
            while not GATE.opened.wait(0.01):
                if should_stop and should_stop():
                    raise TrainingCancelled("stopped")
        table = {ex.text.split()[0].lower(): ex.intents[0].intent_id for ex in ws.examples if ex.intents}
        if len(set(table.values())) < 2:
            raise TrainingError("fewer than 2 intents with examples")
        return cls(table, ws.name or "")

    def save(self, folder: Path) -> None:
        if folder.exists():
            raise FileExistsError(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        tmp.mkdir()
        (tmp / "model.json").write_text(json.dumps({"table": self.table, "name": self.name}))
        os.rename(tmp, folder)

    @classmethod
    def load(cls, folder: Path) -> KeywordModel:
        try:
            obj = json.loads((folder / "model.json").read_text())
        except (OSError, ValueError) as exc:
            raise ModelFileError(str(exc)) from None
        return cls(obj["table"], obj["name"])

    def predict(self, texts: Sequence[str], top_k: int = 3) -> list[Prediction]:
        out = []
        for text in texts:
            word = text.split()[0].lower() if text.split() else ""
            hits = [IntentScore(self.table[word], self.table[word], 1.0)] if word in self.table else []
            ents = [EntityHit("entity-w", "", word, word, 0, len(word.encode()), 1.0, "list")] if hits else []
            out.append(Prediction(text, hits, ents))
        return out

    def memory_bytes(self) -> int:
        return 100


API = NluApi(KeywordModel, Settings, TrainingError, TrainingCancelled, ModelFileError)


class Embedder:
    DIMENSIONS = 2
    MAX_TOKEN_COUNT = 8

    @staticmethod
    def embed(texts: Sequence[str]) -> Any:
        import numpy

        return numpy.array([[1.0, 0.0] if len(t) % 2 else [0.0, 1.0] for t in texts], dtype=numpy.float32)


def workspace(name: str, *pairs: tuple[str, str]) -> bytes:
    intents = sorted({i for _, i in pairs})
    return json.dumps(
        {
            "name": name,
            "intents": [{"id": i, "name": i.removeprefix("intent-")} for i in intents],
            "entities": [{"id": "entity-w", "name": "word", "values": []}],
            "examples": [{"id": f"ex-{n}", "text": t, "intents": [{"intent_id": i}]} for n, (t, i) in enumerate(pairs)],
        }
    ).encode()


WS_A = workspace("alpha", ("refund please", "intent-R"), ("hello there", "intent-H"))
WS_B = workspace("beta", ("cancel it", "intent-C"), ("book one", "intent-B"))
WS_C = workspace("gamma", ("yes", "intent-Y"), ("no", "intent-N"))


@pytest.fixture(autouse=True)
def _open_gate() -> Any:
    GATE.closed = False
    GATE.started.clear()
    GATE.opened.clear()
    yield
    GATE.opened.set()


def _wait_for(predicate: Callable[[], bool], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def make(tmp: Path, **limits: Any) -> LocalModels:
    return LocalModels(tmp, ModelLimits(**limits), nlu=lambda: API, embedder=lambda: Embedder)


def train(store: LocalModels, data: bytes, cancelled: threading.Event | None = None) -> str:
    return store.train_model(CTX, data, DataOptions(), cancelled or threading.Event()).id


def test_trained_model_is_stored_listed_and_survives_a_restart(tmp_path: Path) -> None:
    store = make(tmp_path)
    model_id = train(store, WS_A)
    assert [m.id for m in store.list_models(CTX)] == [model_id]
    info = store.get_model(CTX, model_id)
    assert info.display_name == "alpha" and info.classification_batch_size == 100
    record = json.loads((tmp_path / "models" / f"{model_id}.json").read_text())
    assert record["workspace"]["sha256"] == hashlib.sha256(WS_A).hexdigest()
    assert record["trained_by"] == {"namespace": "ns", "integration_id": "intg"}
    assert record["display_name"] == "alpha" and record["workspace"]["intents"] == 2
    before = store.classify(CTX, model_id, ["refund now", "Hello"])
    assert [p.intents[0].id for p in before] == ["intent-R", "intent-H"]
    assert before[0].entities[0].key == "word" and before[0].entities[0].entity_id == "entity-w"
    store.close()

    again = make(tmp_path)
    assert [m.id for m in again.list_models(CTX)] == [model_id] and again.loaded() == []
    assert again.classify(CTX, model_id, ["refund now", "Hello"]) == before
    assert again.loaded() == [model_id]  # loaded lazily, on first use


def test_identical_training_returns_the_stored_model(tmp_path: Path) -> None:
    store = make(tmp_path)
    assert train(store, WS_A) == train(store, WS_A)
    assert len(store.list_models(CTX)) == 1
    assert sorted(p.name for p in (tmp_path / "models").iterdir() if not p.name.startswith(".")) == [
        f"{store.list_models(CTX)[0].id}",
        f"{store.list_models(CTX)[0].id}.json",
    ]


def test_at_most_max_loaded_models_stay_in_memory_least_recently_used_out(tmp_path: Path) -> None:
    store = make(tmp_path, max_loaded=2)
    a, b, c = train(store, WS_A), train(store, WS_B), train(store, WS_C)
    assert store.loaded() == [b, c]
    store.classify(CTX, b, ["cancel"])  # b is now the most recently used
    store.classify(CTX, a, ["refund"])  # loads a again, drops c
    assert store.loaded() == [b, a]
    assert {m.id for m in store.list_models(CTX)} == {a, b, c}  # dropping from memory never unlists


def test_unload_frees_memory_and_keeps_the_model(tmp_path: Path) -> None:
    store = make(tmp_path)
    a = train(store, WS_A)
    store.unload_model(CTX, a)
    assert store.loaded() == [] and [m.id for m in store.list_models(CTX)] == [a]
    store.unload_model(CTX, a)  # unloading an unloaded model is fine
    assert store.classify(CTX, a, ["refund"])[0].intents[0].id == "intent-R"
    with pytest.raises(NotFound):
        store.unload_model(CTX, "0123456789abcdef")


def test_delete_removes_files_then_not_found(tmp_path: Path) -> None:
    store = make(tmp_path)
    a, b = train(store, WS_A), train(store, WS_B)
    store.delete_model(CTX, a)
    assert [m.id for m in store.list_models(CTX)] == [b]
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [b, f"{b}.json"]
    assert store.loaded() == [b]
    for call in (
        lambda: store.get_model(CTX, a),
        lambda: store.classify(CTX, a, ["x"]),
        lambda: store.embed(CTX, a, ["x"]),
        lambda: store.unload_model(CTX, a),
        lambda: store.delete_model(CTX, a),
    ):
        with pytest.raises(NotFound):
            call()


@pytest.mark.parametrize("bad", ["../models", ".staging", "a/b", "", ".trash-x", "x" * 200, "é"])
def test_ids_never_reach_outside_the_models_folder(tmp_path: Path, bad: str) -> None:
    store = make(tmp_path)
    (tmp_path / "models" / ".staging").mkdir()
    with pytest.raises(NotFound):
        store.get_model(CTX, bad)
    with pytest.raises(NotFound):
        store.delete_model(CTX, bad)
    assert (tmp_path / "models").is_dir()


def test_leftovers_of_interrupted_work_are_removed_at_start(tmp_path: Path) -> None:
    store = make(tmp_path)
    a = train(store, WS_A)
    store.close()
    models = tmp_path / "models"
    (models / ".staging" / "abcd" / "model.tmp").mkdir(parents=True)
    (models / ".staging" / "abcd" / "model.tmp" / "arrays.npz").write_bytes(b"half")
    (models / ".trash-deadbeef-1234").mkdir()
    (models / "cafe01.json").write_text("{}")  # a record whose folder was never renamed into place
    (models / f".{a}.json.x1y2.tmp").write_text("{")
    again = make(tmp_path)
    assert sorted(p.name for p in models.iterdir()) == [a, f"{a}.json"]
    assert [m.id for m in again.list_models(CTX)] == [a]


def test_a_model_folder_copied_in_by_hand_is_served(tmp_path: Path) -> None:
    store = make(tmp_path)
    a = train(store, WS_A)
    store.close()
    os.rename(tmp_path / "models" / a, tmp_path / "models" / "my-model")
    (tmp_path / "models" / f"{a}.json").unlink()
    again = make(tmp_path)
    assert [(m.id, m.display_name) for m in again.list_models(CTX)] == [("my-model", "my-model")]
    assert again.classify(CTX, "my-model", ["hello"])[0].intents[0].id == "intent-H"


def test_damaged_model_files_are_an_error_not_a_crash(tmp_path: Path) -> None:
    store = make(tmp_path)
    a = train(store, WS_A)
    store.unload_model(CTX, a)
    (tmp_path / "models" / a / "model.json").write_text("{trunc")
    with pytest.raises(BackendError, match="cannot be loaded") as info:
        store.classify(CTX, a, ["hello"])
    assert type(info.value) is BackendError  # INTERNAL: the client's request was fine


def test_batch_limit_and_bad_payloads_are_invalid_input(tmp_path: Path) -> None:
    store = make(tmp_path, max_batch_size=2)
    a = train(store, WS_A)
    assert len(store.classify(CTX, a, ["a", "b"])) == 2
    with pytest.raises(InvalidInput, match="at most 2"):
        store.classify(CTX, a, ["a", "b", "c"])
    with pytest.raises(InvalidInput, match="fewer than 2 intents"):
        train(store, workspace("one", ("only this", "intent-X")))
    with pytest.raises(InvalidInput) as info:
        train(store, b'{"examples": [{"text": 5}]}')
    assert info.value.pointer == "/examples/0/text"
    assert len(store.list_models(CTX)) == 1


def test_cancelled_training_leaves_nothing_behind(tmp_path: Path) -> None:
    store = make(tmp_path)
    GATE.closed = True
    cancelled = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            train(store, WS_A, cancelled)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert GATE.started.wait(5)
    cancelled.set()
    thread.join(5)
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)
    assert list((tmp_path / "models").iterdir()) == [] and store.list_models(CTX) == []


def test_trainings_wait_their_turn_and_a_waiting_call_can_cancel(tmp_path: Path) -> None:
    store = make(tmp_path, max_trainings=1)
    GATE.closed = True
    results: dict[str, Any] = {}
    waiting = threading.Event()

    def run(key: str, data: bytes, cancelled: threading.Event) -> None:
        try:
            results[key] = train(store, data, cancelled)
        except BaseException as exc:
            results[key] = exc

    first = threading.Thread(target=run, args=("first", WS_A, threading.Event()))
    first.start()
    assert GATE.started.wait(5)
    second = threading.Thread(target=run, args=("second", WS_B, waiting))
    second.start()
    time.sleep(0.3)
    assert "second" not in results and store.trainings() == (1, 1)  # queued behind the running training
    with pytest.raises(TooLarge, match="retry later"):  # max_loaded (4 by default) in progress at most
        store2 = store
        for _ in range(2):
            threading.Thread(target=run, args=(f"x{_}", WS_C, waiting), daemon=True).start()
        assert _wait_for(lambda: store2.trainings() == (1, 3))
        train(store2, WS_C)
    waiting.set()
    second.join(5)
    assert isinstance(results["second"], Cancelled) and "waiting" in str(results["second"])
    GATE.opened.set()
    first.join(5)
    assert [m.id for m in store.list_models(CTX)] == [results["first"]] and store.trainings() == (0, 0)


def test_close_stops_running_trainings(tmp_path: Path) -> None:
    store = make(tmp_path)
    GATE.closed = True
    box: list[BaseException] = []
    thread = threading.Thread(target=lambda: box.append(pytest.raises(Cancelled, train, store, WS_A).value))
    thread.start()
    assert GATE.started.wait(5)
    store.close()
    thread.join(5)
    assert not thread.is_alive() and isinstance(box[0], Cancelled) and store.list_models(CTX) == []


def test_parallel_trainings_each_publish_whole_models(tmp_path: Path) -> None:
    store = make(tmp_path, max_trainings=4, max_loaded=8)
    spaces = [workspace(f"ws{n}", (f"w{n}a go", "intent-A"), (f"w{n}b stop", "intent-B")) for n in range(12)]
    results: list[Any] = []

    def run(part: list[bytes]) -> None:
        for data in part:
            try:
                results.append(train(store, data))
            except BaseException as exc:
                results.append(exc)

    threads = [threading.Thread(target=run, args=(spaces[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(isinstance(r, str) for r in results) and len(set(results)) == 12, results
    names = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert names == sorted([*results, *(f"{r}.json" for r in results)])  # no staging, trash or temp files left
