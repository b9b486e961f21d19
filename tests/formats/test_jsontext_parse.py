"""The one JSON parser refuses what JSON does not allow and what hfx cannot hold, with a clear message."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hfx.errors import InputError
from hfx.formats.jsontext import MAX_DEPTH, MAX_INT, MIN_INT, parse_json


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"confidenceThreshold": NaN}', "NaN is not a JSON number"),
        (b"[Infinity]", "Infinity is not a JSON number"),
        (b'{"a": -Infinity}', "Infinity is not a JSON number"),
        (b'{"a": 1e400}', "1e400 is beyond the range of a double"),
        (b"[-1e400]", "-1e400 is beyond the range of a double"),
        (b"[18446744073709551616]", "the integer 18446744073709551616 is beyond 64 bits"),
        (b'{"a": {"b": -9223372036854775809}}', "the integer -9223372036854775809 is beyond 64 bits"),
        (b"[" + b"7" * 5000 + b"]", "(5000 chars) is beyond 64 bits"),
        (b'{"x": "\\ud800", "n": 1' + b"0" * 30 + b"}", "is beyond 64 bits"),  # the standard-library path too
        (b"[" * 1000 + b"]" * 1000, f"nested deeper than {MAX_DEPTH} levels"),
        (b"[" * 100_000 + b"]" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        (b'{"a": "\xff"}', "not UTF-8 text: invalid start byte at byte 7"),
        (b"[1,]", "not valid JSON"),
        (b"", "empty: no JSON text"),
        (b" \r\n\t", "empty: no JSON text"),
        ('{"a": 1}'.encode("utf-16"), "not UTF-8 text but UTF-16 (it starts with a UTF-16 byte-order mark): save it"),
        ('{"a": 1}'.encode("utf-16-be").join([b"\xfe\xff", b""]), "not UTF-8 text but UTF-16"),
    ],
)
def test_refused_with_the_file_named(text: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_json(text, "in.json")
    assert str(info.value).startswith("in.json: ")
    assert message in str(info.value)
    assert len(str(info.value)) < 2000  # a huge literal is shortened in the message


def test_the_pointer_shows_where_too_deep_nesting_starts() -> None:
    doc = {"examples": [{"metadata": {}}]}
    inner: object = []
    for _ in range(MAX_DEPTH):
        inner = [inner]
    doc["examples"][0]["deep"] = inner
    with pytest.raises(InputError) as info:
        parse_json(json.dumps(doc), "in.json")
    assert info.value.pointer.startswith("/examples/0/deep/0/0")


@pytest.mark.parametrize(
    "text",
    [
        b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
        b'\xef\xbb\xbf{"a": 1}',
        f"[{MIN_INT}, {MAX_INT}, 1e19, 1.5]".encode(),
        b'"\\ud800"',
        b"null",
        b"42",
    ],
)
def test_accepted(text: bytes) -> None:
    assert parse_json(text, "in.json") == json.loads(text.decode("utf-8-sig"))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(MIN_INT, MAX_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_same_value_as_the_standard_library_for_what_both_accept(value: object) -> None:
    text = json.dumps(value)
    assert parse_json(text.encode(), "x") == json.loads(text)


def _nested(depth: int, filler: str) -> bytes:
    """``depth`` arrays one inside the other, each holding the string ``filler`` before the next one."""
    text = "[]"
    for _ in range(depth - 1):
        text = f"[{json.dumps(filler)}, {text}]"
    return text.encode()


@pytest.mark.parametrize("filler", ["", ")", "]", "}", "[", "{\\", 'a"]', '\\"]', "\\", "[]{}"])
def test_brackets_quotes_and_backslashes_in_strings_do_not_hide_or_fake_depth(filler: str) -> None:
    assert parse_json(_nested(MAX_DEPTH, filler), "in.json") == json.loads(_nested(MAX_DEPTH, filler))
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_json(_nested(MAX_DEPTH + 1, filler), "in.json")


@pytest.mark.parametrize(
    "text",
    [
        b'["12345678901234567890123"]',
        b"[9223372036854775807, -9223372036854775808]",
        b"[1234567890123456789012.5]",
        b"[1e30]",
    ],
)
def test_long_digit_runs_that_are_not_big_integers_are_read(text: bytes) -> None:
    assert parse_json(text, "in.json") == json.loads(text)
