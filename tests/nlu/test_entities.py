"""Entities as HumanFirst gets them: list values and synonyms, regex, CRF; spans are UTF-8 byte offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hfx.model import Workspace
from hfx.nlu.errors import TrainingCancelled
from hfx.nlu.model import EntityHit, NluModel
from hfx.nlu.text import fold
from hfx.offsets import span_to_utf8


def entities(model: NluModel, text: str) -> list[EntityHit]:
    return model.predict([text], top_k=1)[0].entities


def test_annotated_list_entities_come_back_with_their_byte_spans(academy: Workspace, academy_model: NluModel) -> None:
    annotated = [e for e in academy.examples if e.annotations]
    predictions = academy_model.predict([e.text for e in annotated], top_k=1)
    expected = found = 0
    for example, prediction in zip(annotated, predictions, strict=True):
        got = {(h.entity_id, h.start, h.end) for h in prediction.entities}
        for ann in example.annotations:
            expected += 1
            found += (ann.entity_id, *span_to_utf8(example.text, ann.start, ann.end)) in got
    assert expected > 40 and found / expected >= 0.9


def test_list_matching_ignores_case_and_accents_and_keeps_the_input_text(small_model: NluModel) -> None:
    text = "Un GATEAU et une creme BRULEE à São Paulo"
    hits = entities(small_model, text)
    assert [(h.entity_value_id, h.text, h.value, h.extractor) for h in hits] == [
        ("val-cake", "GATEAU", "cake", "list"),
        ("val-cb", "creme BRULEE", "creme_brulee", "list"),
        ("val-sp", "São Paulo", "sao_paulo", "list"),
    ]
    data = text.encode("utf-8")
    for hit in hits:
        assert data[hit.start : hit.end].decode("utf-8") == hit.text
        assert hit.score == 1.0
    assert hits[2].start == len("Un GATEAU et une creme BRULEE à ".encode())  # bytes, not characters


def test_word_boundaries_and_longest_match(small_model: NluModel) -> None:
    assert entities(small_model, "cakewalk and icecream") == []
    hits = entities(small_model, "fly from New York City to NYC, then cheese cake")
    assert [(h.text, h.entity_value_id) for h in hits] == [
        ("New York City", "val-nyc"),
        ("NYC", "val-ny"),
        ("cheese cake", "val-cake"),
    ]


def test_decomposed_accents_stay_inside_the_span(small_model: NluModel) -> None:
    text = "un ga\u0302teau"  # 'a' + combining circumflex
    [hit] = entities(small_model, text)
    assert hit.text == "ga\u0302teau" and text.encode()[hit.start : hit.end].decode() == hit.text


def test_regex_entities(small_model: NluModel) -> None:
    [hit] = entities(small_model, "refund for order A12345 please")
    assert (hit.entity_id, hit.entity_value_id, hit.text, hit.extractor) == (
        "entity-order",
        "val-re",
        "A12345",
        "regex",
    )
    assert (hit.start, hit.end) == (17, 23)


def test_crf_learns_entities_that_have_no_values(flights: Workspace) -> None:
    model = NluModel.train(flights)
    names = {e.name: e.id for e in flights.entities}
    hits = entities(model, "book a flight to Paris from London")
    by_entity = {model.entity_names[h.entity_id]: h for h in hits}
    assert by_entity["toCity"].text == "Paris" and by_entity["fromCity"].text == "London"
    assert {h.extractor for h in hits} == {"crf"}
    assert by_entity["toCity"].entity_id == names["toCity"]
    assert all(0 < h.score <= 1 and h.entity_value_id == "" for h in hits)
    text = "un vol vers Zürich depuis Genève"
    for hit in entities(model, text):
        assert text.encode()[hit.start : hit.end].decode() == hit.text


_FORMS = [
    "crème brûlée",
    "CREME BRULEE",
    "Gâteau",
    "gateau",
    "NYC",
    "new york city",
    "São Paulo",
    "GLACE",
    "ice cream",
    "A12345",
]


@given(st.lists(st.one_of(st.sampled_from(_FORMS), st.text(max_size=12)), max_size=8), st.integers(0, 3))
def test_spans_are_utf8_byte_ranges_of_the_text(small_model: NluModel, parts: list[str], sep: int) -> None:
    text = [" ", "  ", " é ", "\U0001f600"][sep].join(parts)
    previous_end = 0
    for hit in entities(small_model, text):
        data = text.encode("utf-8", "surrogatepass")
        assert 0 <= previous_end <= hit.start < hit.end <= len(data)
        assert data[hit.start : hit.end].decode("utf-8", "surrogatepass") == hit.text
        previous_end = hit.end
        if hit.extractor == "list":
            assert fold(hit.text) in {fold(f) for f in _FORMS} | {"cake", "cheese cake", "new york", "glace"}


def test_cancelling_during_the_crf_training(flights: Workspace) -> None:
    phases: list[str] = []
    polls_in_crf = []

    def should_stop() -> bool:
        if phases and phases[-1] == "entities":
            polls_in_crf.append(1)
            return len(polls_in_crf) > 3  # a few crfsuite messages in
        return False

    with pytest.raises(TrainingCancelled):
        NluModel.train(flights, should_stop=should_stop, progress=lambda phase, _: phases.append(phase))
    assert len(polls_in_crf) == 4
