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

import re

from hfx.errors import OffsetError

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _check_cp(text: str, cp: int) -> None:
    if not 0 <= cp <= len(text):
        raise OffsetError(f"position {cp} is outside the text (length {len(text)} code points)")


def cp_to_utf16(text: str, cp: int) -> int:
    _check_cp(text, cp)
    if text.isascii():
        return cp
    return cp + len(_ASTRAL.findall(text, 0, cp))


def cp_to_utf8(text: str, cp: int) -> int:
    _check_cp(text, cp)
    if text.isascii():
        return cp
    return len(text[:cp].encode("utf-8", "surrogatepass"))


def utf16_to_cp(text: str, units: int) -> int:
    if text.isascii() or _ASTRAL.search(text) is None:  # one unit per code point
        if not 0 <= units <= len(text):
            raise OffsetError(f"UTF-16 offset {units} is outside the text (length {len(text)} units)")
        return units
    if 0 <= units:
        # Fast path: decode the prefix; it is right when it maps back to the same offset.
        prefix = text.encode("utf-16-le", "surrogatepass")[: 2 * units]
        if len(prefix) == 2 * units:
            cp = len(prefix.decode("utf-16-le", "surrogatepass"))
            if cp <= len(text) and cp + len(_ASTRAL.findall(text, 0, cp)) == units:
                return cp
    return _utf16_to_cp_slow(text, units)


def _utf16_to_cp_slow(text: str, units: int) -> int:
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
    if 0 <= byte:
        # Fast path: decode the prefix; a prefix that cuts a character does not decode.
        prefix = text.encode("utf-8", "surrogatepass")[:byte]
        if len(prefix) == byte:
            try:
                cp = len(prefix.decode("utf-8", "surrogatepass"))
            except UnicodeDecodeError:
                cp = -1
            if 0 <= cp <= len(text) and len(text[:cp].encode("utf-8", "surrogatepass")) == byte:
                return cp
    return _utf8_to_cp_slow(text, byte)


def _utf8_to_cp_slow(text: str, byte: int) -> int:
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
    if offset >= 0 and not text.isascii() and _ASTRAL.search(text) is not None:
        # One encode, two prefix decodes; right when both ends map back to the same offsets.
        data = text.encode("utf-16-le", "surrogatepass")
        end = offset + length
        if 2 * end <= len(data):
            a = len(data[: 2 * offset].decode("utf-16-le", "surrogatepass"))
            b = a + len(data[2 * offset: 2 * end].decode("utf-16-le", "surrogatepass"))
            if b <= len(text) and a + len(_ASTRAL.findall(text, 0, a)) == offset \
                    and b + len(_ASTRAL.findall(text, 0, b)) == end:
                return a, b
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
    if text.isascii():
        if start < 0 or end > len(text):
            utf8_to_cp(text, start)
            utf8_to_cp(text, end)  # raises with the message
        return start, end
    if start >= 0:
        # UTF-8 is self-synchronising: a prefix decodes without error exactly when it ends on a
        # character boundary, so one encode and two decodes convert both ends.
        data = text.encode("utf-8", "surrogatepass")
        if end <= len(data):
            try:
                a = len(data[:start].decode("utf-8", "surrogatepass"))
                return a, a + len(data[start:end].decode("utf-8", "surrogatepass"))
            except UnicodeDecodeError:
                pass
    return utf8_to_cp(text, start), utf8_to_cp(text, end)


def span_to_utf8(text: str, start: int, end: int) -> tuple[int, int]:
    """Code-point ``(start, end)`` → HF UTF-8 byte span."""
    if end < start:
        raise OffsetError(f"span end {end} is before its start {start}")
    _check_cp(text, start)
    _check_cp(text, end)
    if text.isascii():
        return start, end
    a = len(text[:start].encode("utf-8", "surrogatepass"))
    return a, a + len(text[start:end].encode("utf-8", "surrogatepass"))
