"""The local model as the server and the CLI use it: intents, scores, hierarchy, embeddings, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hfx.model import Example, Intent, IntentRef, Workspace
from hfx.nlu import embedder
from hfx.nlu.errors import TrainingCancelled, TrainingError
from hfx.nlu.model import DEFAULT_TOP_K, NluModel, TrainSettings


def test_training_texts_classify_to_their_own_intent(academy: Workspace, academy_model: NluModel) -> None:
    examples = [e for e in academy.examples if e.positive_intents]
    predictions = academy_model.predict([e.text for e in examples], top_k=1)
    hits = sum(p.intents[0].id in e.positive_intents for p, e in zip(predictions, examples, strict=True))
    assert hits / len(examples) >= 0.95
    assert academy_model.intent_count == len({e.positive_intents[0] for e in examples})


def test_scores_are_probabilities_best_first(academy_model: NluModel) -> None:
    texts = ["where is my order", "I want to return these jeans", "asdf qwerty", "", "🙂"]
    for prediction in academy_model.predict(texts, top_k=5):
        scores = [m.score for m in prediction.intents]
        assert len(scores) == 5
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len({m.id for m in prediction.intents}) == 5
    full = academy_model.predict(["where is my order"], top_k=1000)[0].intents
    assert len(full) == academy_model.intent_count
    assert sum(m.score for m in full) == pytest.approx(1.0, abs=1e-4)
    assert len(academy_model.predict(["hello"])[0].intents) == min(DEFAULT_TOP_K, academy_model.intent_count)


def test_in_scope_texts_score_higher_than_gibberish(academy_model: NluModel) -> None:
    # (the workspace has an intent for account numbers: random letters are in scope there)
    in_scope = academy_model.predict(["I would like to return my jeans", "where is my order"], top_k=1)
    nonsense = academy_model.predict(
        ["the mitochondria is the powerhouse of the cell", "what's the weather in Paris"], top_k=1
    )
    assert min(p.intents[0].score for p in in_scope) > max(p.intents[0].score for p in nonsense)


def test_parent_and_child_examples_predict_their_own_ids(small: Workspace, small_model: NluModel) -> None:
    top = {
        p.text: p.intents[0]
        for p in small_model.predict(["billing question", "refund my money please", "hello friend"])
    }
    assert top["billing question"].id == "intent-billing"
    assert top["refund my money please"].id == "intent-refund"
    assert top["refund my money please"].name == "billing/refund"  # the full path with the delimiter
    assert top["hello friend"].name == "greet"


def test_leaf_names_without_a_delimiter(small: Workspace) -> None:
    model = NluModel.train(small)
    assert sorted(model.intents.names) == ["billing", "greet", "refund"]


def test_same_workspace_same_model(small: Workspace, small_model: NluModel) -> None:
    again = NluModel.train(small, TrainSettings(delimiter="/"))
    assert again.id == small_model.id
    texts = ["refund for the cake", "hi", "what about my invoice"]
    assert again.predict(texts) == small_model.predict(texts)
    # a text's scores do not depend on the other texts of the batch
    assert [small_model.predict([t])[0] for t in texts] == small_model.predict(texts)


def test_the_id_follows_content_and_settings(small: Workspace, small_model: NluModel) -> None:
    assert NluModel.train(small, TrainSettings(delimiter="/", seed=1)).id != small_model.id
    changed = dataclasses.replace(small, examples=small.examples[1:])
    assert NluModel.train(changed, TrainSettings(delimiter="/")).id != small_model.id
    shuffled = dataclasses.replace(small, examples=list(reversed(small.examples)))
    assert NluModel.train(shuffled, TrainSettings(delimiter="/")).id == small_model.id


def test_fewer_than_two_intents_is_a_training_error() -> None:
    ws = Workspace(
        intents=[Intent("a", "a"), Intent("b", "b")],
        examples=[Example("1", "hello", [IntentRef("a")]), Example("2", "hi", [IntentRef("a")])],
    )
    with pytest.raises(TrainingError, match="at least 2 intents"):
        NluModel.train(ws)


def test_cancelled_training_raises(small: Workspace) -> None:
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(TrainingCancelled):
        NluModel.train(small, should_stop=stop)


def test_progress_reaches_the_end(small: Workspace) -> None:
    seen: list[tuple[str, float]] = []
    NluModel.train(small, progress=lambda phase, fraction: seen.append((phase, fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(0 <= f <= 1 for f in fractions)


def test_settings_round_trip_and_refuse_bad_values() -> None:
    settings = TrainSettings(delimiter="---", seed=3, c=2.5, char_ngrams=(2, 4))
    assert TrainSettings.from_dict(settings.to_dict()) == settings
    for bad in ({"c": 0}, {"c": "x"}, {"seed": 1.5}, {"char_ngrams": [3, 2]}, {"nope": 1}, {"min_df": 0}):
        with pytest.raises(TrainingError):
            TrainSettings.from_dict(bad)
    with pytest.raises(TrainingError):
        TrainSettings.from_dict([])


def test_embeddings_are_unit_rows_and_group_intents(academy: Workspace, academy_model: NluModel) -> None:
    vectors = academy_model.embed(["hello", "", "where is my parcel"])
    assert vectors.shape == (3, embedder.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert not vectors[1].any()
    examples = [e for e in academy.examples if e.positive_intents][:400]
    labels = np.array([e.positive_intents[0] for e in examples])
    v = embedder.embed([e.text for e in examples])
    sim = v @ v.T
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    other = labels[:, None] != labels[None, :]
    assert sim[same].mean() > sim[other].mean()


def test_long_texts_are_truncated_not_refused(small_model: NluModel) -> None:
    long_text = "refund " * (embedder.MAX_TOKEN_COUNT * 3)
    assert len(embedder.token_ids([long_text])[0]) == embedder.MAX_TOKEN_COUNT
    assert small_model.predict([long_text])[0].intents[0].id == "intent-refund"
