"""The fast JSON writers are exactly what they claim to be: the same text as the standard library's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.fileio import atomic_write
from hfx.formats.jsontext import dumps_json, dumps_json_reference, dumps_json_spliced, iter_json_spliced

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)

# Where orjson and the stdlib could part: exponent floats, NaN, integers beyond 64 bits, control and separator
# characters, surrogates, empty containers, tuples, non-string keys.
tricky_text = st.text(st.sampled_from('a"\\/\x00\x1f\x7f\x80\u2028\u2029\ufeff\ud800\udfffé中😀\n\t\b\f\r '))
tricky_values = st.recursive(
    st.none()
    | st.booleans()
    | tricky_text
    | st.sampled_from([1e16, 1e-05, 1.234e-07, 1e-4, 1.0, -0.0, 5e-324, 1e308, float("inf"), float("nan")])
    | st.floats()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(tricky_text | st.integers() | st.booleans() | st.none(), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=500)
@given(json_values)
def test_fast_writer_is_byte_identical_to_json_dumps_indent_2(value: object) -> None:
    assert dumps_json(value) == dumps_json_reference(value)


@settings(max_examples=1000)
@given(tricky_values)
def test_fast_writer_matches_the_stdlib_where_orjson_would_differ(value: object) -> None:
    assert dumps_json(value) == dumps_json_reference(value)


def test_fast_writer_matches_the_stdlib_for_floats_of_every_decade() -> None:
    for exponent in range(-324, 309):
        for mantissa in ("1", "1.234", "5", "9.99999"):
            value = float(f"{mantissa}e{exponent}")
            for doc in (value, -value, [value], {"x": value}):
                assert dumps_json(doc) == dumps_json_reference(doc), doc


def test_fast_writer_matches_the_stdlib_on_each_known_difference() -> None:
    for value in (
        {},
        [],
        {"a": {}, "b": []},
        [[], {}],
        (),
        "\u2028\x7f\x1f",
        1e16,
        1e-05,
        1.234e-07,
        -0.0,
        float("nan"),
        float("-inf"),
        2**64,
        -(2**63) - 1,
        {2: "int key", None: 1, True: 2},
        {"s": 'a\\": 1.5'},
        ["x", None, 0.5],
    ):
        assert dumps_json(value) == dumps_json_reference(value), value


def test_lone_surrogates_fall_back_to_ascii_escapes() -> None:
    value = {"text": "a\ud800b", "ok": "é"}
    out = dumps_json(value)
    assert out == (json.dumps(value, indent=2) + "\n").encode("ascii")
    assert json.loads(out) == value


@settings(max_examples=100)
@given(json_values)
def test_the_deep_writer_gives_the_same_text(value: object) -> None:
    from hfx.formats.jsontext import dumps_json_deep

    assert dumps_json_deep(value) == dumps_json(value)


def test_the_deep_writer_has_no_depth_limit() -> None:
    from hfx.formats.jsontext import dumps_json_deep

    doc: object = "leaf"
    for _ in range(5000):
        doc = {"children": [doc]}
    text = dumps_json_deep(doc)
    assert text.count(b"children") == 5000 and text.endswith(b"}\n")


@settings(max_examples=100)
@given(json_values)
def test_the_deep_writer_on_one_line_is_compact_json(value: object) -> None:
    from hfx.formats.jsontext import dumps_json_deep

    try:
        expected = (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        expected = (json.dumps(value, separators=(",", ":")) + "\n").encode("ascii")
    assert dumps_json_deep(value, indent=False) == expected


@settings(max_examples=200)
@given(
    st.dictionaries(st.text(max_size=3), tricky_values, max_size=3),
    st.lists(st.lists(tricky_values, max_size=3), max_size=4),
)
def test_spliced_writer_gives_the_text_of_the_whole_document(
    head: dict[str, object], parts: list[list[object]]
) -> None:
    head = {k: v for k, v in head.items() if k not in ("items", "after")}
    whole = {**head, "items": [item for part in parts for item in part], "after": [1]}
    spliced = dumps_json_spliced({**head, "items": [], "after": [1]}, "items", iter(parts))
    assert spliced == dumps_json_reference(whole)


def test_spliced_writer_switches_every_part_to_ascii_escapes_for_a_late_lone_surrogate() -> None:
    parts = [[{"text": "café 😀"}], [{"text": "ok"}], [{"text": "bad \ud800"}], [{"text": "中文"}]]
    whole = {"name": "é", "items": [x for p in parts for x in p]}
    out = dumps_json_spliced({"name": "é", "items": []}, "items", iter(parts))
    assert out == dumps_json_reference(whole) and bytes(out).isascii()


@pytest.mark.parametrize("late", [True, False])
def test_spliced_text_streamed_into_a_file_is_the_whole_documents_text(tmp_path: Path, late: bool) -> None:
    parts = [[{"text": "café 😀"}], [], [{"text": "ok"}], [{"text": "bad \ud800" if late else "fine"}], [{"t": "中文"}]]
    whole = {"name": "é", "items": [x for p in parts for x in p], "after": [1]}
    target = tmp_path / "out.json"
    atomic_write(target, iter_json_spliced({"name": "é", "items": [], "after": [1]}, "items", iter(parts)))
    assert target.read_bytes() == dumps_json_reference(whole)
    assert target.read_bytes().isascii() == late
