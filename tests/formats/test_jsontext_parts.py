"""A document's long array parsed a part at a time: the same items and the same rest as one parse, whatever
the layout and whatever the strings hold; text that cannot be split safely is left to the whole parse."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hfx.formats.jsontext import parse_in_parts, parse_part

# strings that look like the text around a cut, a bracket or an escape
TRICKY = st.sampled_from(["}, {", "},{", "\n    },\n    {", '\\"]', "\\", "[[[", "]}", '"', "é😀", "x"])
# (integers of 19 digits or more are left to the whole parse, which checks them exactly: see below)
SCALAR = st.one_of(st.integers(-(10**18) + 1, 10**18 - 1), st.booleans(), st.none(), TRICKY, st.text(max_size=5))
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY | st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
ITEM = st.dictionaries(TRICKY | st.text(max_size=4), VALUE, max_size=4)
LAYOUTS = [
    {"indent": 2, "ensure_ascii": False},
    {"separators": (",", ":")},
    {},
    {"indent": "\t"},
]


def _split_back(text: bytes, part_bytes: int) -> tuple[dict[str, Any], list[Any]] | None:
    found = parse_in_parts(text, "examples", part_bytes)
    if found is None:
        return None
    head, cuts = found
    return head, [item for cut in cuts for item in parse_part(text, cut)]


@given(
    items=st.lists(ITEM, max_size=12),
    before=st.dictionaries(st.sampled_from(["name", "intents", "x"]), VALUE, max_size=2),
    after=st.dictionaries(st.sampled_from(["tags", "entities", "y"]), VALUE, max_size=2),
    layout=st.sampled_from(LAYOUTS),
    part_bytes=st.integers(1, 300),
)
def test_parts_give_the_items_and_the_rest_of_one_parse(
    items: list[Any], before: dict[str, Any], after: dict[str, Any], layout: dict[str, Any], part_bytes: int
) -> None:
    doc = {**before, "examples": items, **after}
    text = json.dumps(doc, **layout).encode()
    split = _split_back(text, part_bytes)
    assert split is not None
    head, got = split
    assert got == items
    assert head == {**doc, "examples": []}


def test_a_big_array_is_split_into_parts_of_about_the_size_asked() -> None:
    doc = {"name": "w", "examples": [{"id": str(i), "text": "x" * 50, "e": [{"a": 1}, {"b": 2}]} for i in range(2000)]}
    for layout in LAYOUTS:
        text = json.dumps(doc, **layout).encode()
        head, cuts = parse_in_parts(text, "examples", 10_000) or pytest.fail("not split")
        assert 5 < len(cuts) < len(text) // 10_000 + 2
        assert [x for c in cuts for x in parse_part(text, c)] == doc["examples"]


@pytest.mark.parametrize(
    "text",
    [
        b'{"examples": [1, 2',  # the array never closes
        b'{"examples": [{"a": 1}, {"b": 2}]',  # the object never closes
        b'{"x": {"examples": [{"a": 1}]}, "examples": []}',  # the first "examples" is not the top-level one
        b'{"x": {"examples": [{"a": 1}]}}',
        b"[1]",
        b'{"name": "no examples"}',
        b'{"examples": [{"a": 1}, {"b": 2}], }',  # invalid after the array
        b'{"examples": [{"a": 1}, {"b": 18446744073709551616}]}',  # beyond 64 bits: parse_json explains it
        b'{"examples": [{"a": ' + b"[" * 200 + b"]" * 200 + b"}]}",  # deeper than parse_json allows
    ],
)
def test_text_that_cannot_be_split_safely_is_left_to_the_whole_parse(text: bytes) -> None:
    assert parse_in_parts(text, "examples", 1) is None


def test_an_invalid_item_fails_its_part() -> None:
    text = b'{"examples": [{"a": 1}, {"b": 2 x}, {"c": 3}]}'
    head, cuts = parse_in_parts(text, "examples", 1) or pytest.fail("not split")  # the cuts balance
    assert parse_part(text, cuts[0]) == [{"a": 1}]
    with pytest.raises(orjson.JSONDecodeError):  # the part's own parse refuses it
        parse_part(text, cuts[1])


def test_a_byte_order_mark_is_skipped() -> None:
    text = b'\xef\xbb\xbf{"examples": [{"a": 1}, {"b": 2}]}'
    head, cuts = parse_in_parts(text, "examples", 1) or pytest.fail("not split")
    assert head == {"examples": []}
    assert [x for c in cuts for x in parse_part(text, c)] == [{"a": 1}, {"b": 2}]
