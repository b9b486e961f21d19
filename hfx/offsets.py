"""Offset engine: one place that converts text positions between units.

Units
-----
* ``cp``    Unicode code points (Python ``str`` indices) — the unit of :mod:`hfx.model`.
* ``utf16`` UTF-16 code units — CLU's ``offset``/``length`` (``stringIndexType: Utf16CodeUnit``).
* ``utf8``  UTF-8 bytes — HF ``span.from_character``/``to_character`` and prediction ``Span``.

Every conversion refuses positions outside the text or inside a character (between the two
surrogates of an astral code point, or inside a multi-byte UTF-8 sequence) with :class:`OffsetError`.
Texts are short (utterances), so the functions favour clarity with an ASCII fast path.
"""

from __future__ import annotations

from hfx.errors import OffsetError


def _check_cp(text: str, cp: int) -> None:
    if not 0 <= cp <= len(text):
        raise OffsetError(f"position {cp} is outside the text (length {len(text)} code points)")


def cp_to_utf16(text: str, cp: int) -> int:
    _check_cp(text, cp)
    if text.isascii():
        return cp
    return cp + sum(1 for ch in text[:cp] if ord(ch) > 0xFFFF)


def cp_to_utf8(text: str, cp: int) -> int:
    _check_cp(text, cp)
    if text.isascii():
        return cp
    return len(text[:cp].encode("utf-8", "surrogatepass"))


def utf16_to_cp(text: str, units: int) -> int:
    if text.isascii():
        if not 0 <= units <= len(text):
            raise OffsetError(f"UTF-16 offset {units} is outside the text (length {len(text)} units)")
        return units
    if units < 0:
        raise OffsetError(f"UTF-16 offset {units} is negative")
    pos = 0
    for index, ch in enumerate(text):
        if pos == units:
            return index
        pos += 2 if ord(ch) > 0xFFFF else 1
        if pos > units:
            raise OffsetError(f"UTF-16 offset {units} cuts the character {ch!r} at code point {index}")
    if pos == units:
        return len(text)
    raise OffsetError(f"UTF-16 offset {units} is outside the text (length {pos} units)")


def utf8_to_cp(text: str, byte: int) -> int:
    if text.isascii():
        if not 0 <= byte <= len(text):
            raise OffsetError(f"UTF-8 offset {byte} is outside the text (length {len(text)} bytes)")
        return byte
    if byte < 0:
        raise OffsetError(f"UTF-8 offset {byte} is negative")
    pos = 0
    for index, ch in enumerate(text):
        if pos == byte:
            return index
        pos += len(ch.encode("utf-8", "surrogatepass"))
        if pos > byte:
            raise OffsetError(f"UTF-8 offset {byte} cuts the character {ch!r} at code point {index}")
    if pos == byte:
        return len(text)
    raise OffsetError(f"UTF-8 offset {byte} is outside the text (length {pos} bytes)")


def utf16_len(text: str) -> int:
    return cp_to_utf16(text, len(text))


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# -- spans ---------------------------------------------------------------------------------------


def span_from_utf16(text: str, offset: int, length: int) -> tuple[int, int]:
    """CLU ``offset``/``length`` → code-point ``(start, end)``."""
    if length < 0:
        raise OffsetError(f"negative length {length}")
    return utf16_to_cp(text, offset), utf16_to_cp(text, offset + length)


def span_to_utf16(text: str, start: int, end: int) -> tuple[int, int]:
    """Code-point ``(start, end)`` → CLU ``(offset, length)``."""
    if end < start:
        raise OffsetError(f"span end {end} is before its start {start}")
    a = cp_to_utf16(text, start)
    return a, cp_to_utf16(text, end) - a


def span_from_utf8(text: str, start: int, end: int) -> tuple[int, int]:
    """HF ``from_character``/``to_character`` (UTF-8 bytes) → code-point ``(start, end)``."""
    if end < start:
        raise OffsetError(f"span end {end} is before its start {start}")
    return utf8_to_cp(text, start), utf8_to_cp(text, end)


def span_to_utf8(text: str, start: int, end: int) -> tuple[int, int]:
    """Code-point ``(start, end)`` → HF UTF-8 byte span."""
    if end < start:
        raise OffsetError(f"span end {end} is before its start {start}")
    return cp_to_utf8(text, start), cp_to_utf8(text, end)
