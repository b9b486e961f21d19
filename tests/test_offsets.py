"""Property tests of the offset engine: code points <-> UTF-16 units <-> UTF-8 bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.errors import OffsetError
from hfx.offsets import (
    cp_to_utf8,
    cp_to_utf16,
    span_from_utf8,
    span_from_utf16,
    span_to_utf8,
    span_to_utf16,
    utf8_len,
    utf8_to_cp,
    utf16_len,
    utf16_to_cp,
)

# Targeted alphabets: the scripts and code points where the three units disagree.
EMOJI = "😀👍🏽🇫🇷👩‍👩‍👧𝄞🀄𐍈"  # astral (2 UTF-16 units, 4 bytes), ZWJ sequences, flags
COMBINING = "e\u0301a\u0308\u0327\u20dd"  # combining marks (separate code points)
CJK = "中文日本語한국어漢字ｶﾀｶﾅ"  # 3-byte UTF-8, 1 UTF-16 unit
RTL = "שלום עולם مرحبا بالعالم\u200f\u202e"  # Hebrew, Arabic, RTL marks
LATIN = "aé©ßøÆ \t\n"  # 1- and 2-byte UTF-8

texts = st.one_of(
    st.text(),  # arbitrary Unicode (no lone surrogates)
    st.text(alphabet=st.sampled_from(EMOJI + COMBINING + CJK + RTL + LATIN)),
    st.text(alphabet=st.sampled_from(EMOJI + "a")),
    st.text(alphabet=st.characters(min_codepoint=0x10000)),  # astral only
    st.text(alphabet=st.characters(categories=["Mn", "Me", "Mc"])),  # combining marks
)
# Lone surrogates can reach us through JSON escapes ("\ud800"); they are one UTF-16 unit, 3 bytes with
# surrogatepass. The engine must stay consistent for them too.
texts_with_surrogates = st.text(alphabet=st.characters(codec=None, categories=["Cs", "Lu", "So"]))


def utf16_prefix(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le", "surrogatepass")) // 2


def utf8_prefix(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-8", "surrogatepass"))


@settings(max_examples=300)
@given(st.one_of(texts, texts_with_surrogates))
def test_every_character_boundary_round_trips(text: str) -> None:
    for cp in range(len(text) + 1):
        u16 = cp_to_utf16(text, cp)
        u8 = cp_to_utf8(text, cp)
        assert u16 == utf16_prefix(text, cp)
        assert u8 == utf8_prefix(text, cp)
        assert utf16_to_cp(text, u16) == cp
        assert utf8_to_cp(text, u8) == cp
    assert utf16_len(text) == utf16_prefix(text, len(text))
    assert utf8_len(text) == utf8_prefix(text, len(text))


@settings(max_examples=300)
@given(st.one_of(texts, texts_with_surrogates))
def test_positions_inside_a_character_are_refused(text: str) -> None:
    valid16 = {utf16_prefix(text, cp) for cp in range(len(text) + 1)}
    valid8 = {utf8_prefix(text, cp) for cp in range(len(text) + 1)}
    for pos in range(utf16_len(text) + 1):
        if pos not in valid16:  # between the two surrogates of an astral code point
            with pytest.raises(OffsetError, match="cuts"):
                utf16_to_cp(text, pos)
    for pos in range(utf8_len(text) + 1):
        if pos not in valid8:  # inside a multi-byte UTF-8 sequence
            with pytest.raises(OffsetError, match="cuts"):
                utf8_to_cp(text, pos)


@given(texts, st.integers(min_value=1, max_value=5))
def test_out_of_range_positions_are_refused(text: str, beyond: int) -> None:
    for func, length in (
        (cp_to_utf16, len(text)),
        (cp_to_utf8, len(text)),
        (utf16_to_cp, utf16_len(text)),
        (utf8_to_cp, utf8_len(text)),
    ):
        with pytest.raises(OffsetError):
            func(text, -beyond)
        with pytest.raises(OffsetError):
            func(text, length + beyond)


def test_astral_emoji_in_each_unit() -> None:
    text = "😀 café ©"
    assert [cp_to_utf16(text, i) for i in range(len(text) + 1)] == [0, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [cp_to_utf8(text, i) for i in range(len(text) + 1)] == [0, 4, 5, 6, 7, 8, 10, 11, 13]
    with pytest.raises(OffsetError, match="cuts the character '😀'"):
        utf16_to_cp(text, 1)
    for byte in (1, 2, 3):
        with pytest.raises(OffsetError, match="cuts"):
            utf8_to_cp(text, byte)
    with pytest.raises(OffsetError, match="cuts the character '©'"):
        utf8_to_cp(text, 12)


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(texts)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


@settings(max_examples=300)
@given(text_and_span())
def test_span_helpers_round_trip(case: tuple[str, int, int]) -> None:
    text, start, end = case
    offset, length = span_to_utf16(text, start, end)
    assert text.encode("utf-16-le")[2 * offset : 2 * (offset + length)].decode("utf-16-le") == text[start:end]
    assert span_from_utf16(text, offset, length) == (start, end)
    lo, hi = span_to_utf8(text, start, end)
    assert text.encode("utf-8")[lo:hi].decode("utf-8") == text[start:end]
    assert span_from_utf8(text, lo, hi) == (start, end)


@given(text_and_span())
def test_reversed_and_negative_spans_are_refused(case: tuple[str, int, int]) -> None:
    text, start, end = case
    if start == end:
        return
    with pytest.raises(OffsetError, match="before its start"):
        span_to_utf8(text, end, start)
    with pytest.raises(OffsetError, match="before its start"):
        span_to_utf16(text, end, start)
    with pytest.raises(OffsetError, match="before its start"):
        span_from_utf8(text, cp_to_utf8(text, end), cp_to_utf8(text, start))
    with pytest.raises(OffsetError, match="negative length"):
        span_from_utf16(text, cp_to_utf16(text, end), -(end - start))


def test_span_cutting_an_emoji_is_refused() -> None:
    text = "I 😀 NYC"
    with pytest.raises(OffsetError):
        span_from_utf16(text, 2, 1)  # first half of the surrogate pair
    with pytest.raises(OffsetError):
        span_from_utf8(text, 2, 4)  # half of the 4-byte sequence
    with pytest.raises(OffsetError):
        span_from_utf16(text, 0, 100)


@settings(max_examples=300)
@given(st.one_of(texts, texts_with_surrogates), st.data())
def test_spans_from_any_offsets_select_whole_characters_or_are_refused(text: str, data: st.DataObject) -> None:
    for prefix, convert in ((utf16_prefix, span_from_utf16), (utf8_prefix, span_from_utf8)):
        positions = {prefix(text, cp): cp for cp in range(len(text) + 1)}
        size = prefix(text, len(text))
        lo = data.draw(st.integers(-2, size + 2))
        hi = lo + data.draw(st.integers(0, size + 2))
        if lo in positions and hi in positions:
            args = (lo, hi - lo) if convert is span_from_utf16 else (lo, hi)
            assert convert(text, *args) == (positions[lo], positions[hi])
            start, end = positions[lo], positions[hi]
            assert span_to_utf16(text, start, end) == (
                utf16_prefix(text, start),
                utf16_prefix(text, end) - utf16_prefix(text, start),
            )
            assert span_to_utf8(text, start, end) == (utf8_prefix(text, start), utf8_prefix(text, end))
        else:
            with pytest.raises(OffsetError):
                convert(text, *((lo, hi - lo) if convert is span_from_utf16 else (lo, hi)))
