"""An example's ``parts`` next to its ``entities``: checked without building their annotations, with the same
acceptance (and the same error, at the same pointer) as reading them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.errors import InputError
from hfx.formats.hf_json import read_hf

TEXT = "to ZH 😀 ok"
ENTITY = {"entity_id": "e1", "name": "city", "text": "ZH", "span": {"from_character": 3, "to_character": 5}}


def _doc(parts: Any, entities: list[Any] | None = None) -> dict[str, Any]:
    example: dict[str, Any] = {"id": "x1", "text": TEXT, "intents": [], "parts": parts}
    if entities is not None:
        example["entities"] = entities
    return {"examples": [example], "entities": [{"id": "e1", "name": "city"}]}


def _outcome(doc: dict[str, Any]) -> Any:
    """What reading gives: the annotations, or the error's pointer and message."""
    try:
        ws = read_hf(doc, source="ws.json")
    except InputError as exc:
        return ("error", exc.pointer, exc.message)
    return [(a.entity, a.start, a.end, a.text, a.entity_id, a.value) for a in ws.examples[0].annotations]


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "ZH", "to ", " 😀 ok", "nope"]))
_entity = st.one_of(
    _scalars,
    st.fixed_dictionaries(
        {
            "name": st.one_of(st.just("city"), _scalars),
            "text": st.one_of(st.sampled_from(["ZH", "ok", "😀"]), _scalars),
        },
        optional={k: _scalars for k in ("entity_id", "value", "value_id", "role", "span")},
    ),
)
_part = st.one_of(
    _scalars,
    st.fixed_dictionaries({}, optional={"text": _scalars, "entity": _entity}),
)
_parts = st.one_of(_scalars, st.lists(_part, max_size=5))


@settings(max_examples=400, deadline=None)
@given(_parts)
def test_parts_next_to_entities_are_accepted_and_refused_as_when_read(parts: Any) -> None:
    with_entities = _outcome(_doc(parts, [ENTITY]))
    alone = _outcome(_doc(parts))  # the parts are then the example's annotations: every one is read
    if isinstance(alone, tuple):
        assert with_entities == alone  # the same error, at the same pointer
    else:
        assert with_entities == [("city", 3, 5, "ZH", "e1", None)]


@pytest.mark.parametrize(
    ("parts", "pointer", "message"),
    [
        ([{"text": "to ZH 😀"}], "/examples/0/parts", "do not add up"),
        (
            [{"text": "to "}, {"entity": {"name": "city", "text": "XX"}}, {"text": " 😀 ok"}],
            "/examples/0/parts/1/entity",
            "not in the example",
        ),
        (
            [{"text": "to "}, {"entity": {"name": 3, "text": "ZH"}}, {"text": " 😀 ok"}],
            "/examples/0/parts/1/entity/name",
            "expected a string",
        ),
        ([{"text": TEXT}, {"text": 5}], "/examples/0/parts/1/text", "expected a string"),
        ("parts", "/examples/0/parts", "expected an array"),
    ],
)
def test_a_part_that_does_not_fit_is_refused_although_the_example_has_entities(
    parts: Any, pointer: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        read_hf(_doc(parts, [ENTITY]), source="ws.json")
    assert info.value.pointer == pointer
    assert message in info.value.message
