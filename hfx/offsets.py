"""Offset engine: one place that converts text positions between units.

Units
-----
* ``cp``    Unicode code points (Python ``str`` indices) — the unit of :mod:`hfx.model`.
* ``utf16`` UTF-16 code units — CLU's ``offset``/``length`` (``stringIndexType: Utf16CodeUnit``).
* ``utf8``  UTF-8 bytes — HF ``span.from_character``/``to_character`` and prediction ``Span``.

Every conversion refuses positions outside the text or inside a character (between the two
surrogates of an astral code point, or inside a multi-byte UTF-8 sequence) with :class:`OffsetError`.
Texts are short (utterances): every function has an ASCII fast path, and the others encode the text once and
decode prefixes (C speed) rather than walk it; the character-by-character walks only raise the right error.
"""

from __future__ import annotations

# The codec functions themselves: ``str.encode("utf-16-le")`` looks the codec up by name on every call, which
# costs more than the conversion of a short text.
from codecs import utf_16_le_decode, utf_16_le_encode
from collections.abc import Callable

from hfx.errors import OffsetError


def _utf16(text: str) -> bytes | None:
    """``text`` in UTF-16, or ``None`` when it holds a lone surrogate (then only the careful walks are right)."""
    try:
        return utf_16_le_encode(text)[0]
    except UnicodeEncodeError:
        return None


def _inside_pair(data: bytes, units: int) -> bool:
    """Whether ``units`` falls between the two halves of a surrogate pair of strictly encoded UTF-16 ``data``
    (where every low surrogate is the second half of a pair)."""
    return 2 * units < len(data) and 0xDC <= data[2 * units + 1] <= 0xDF


def _check_cp(text: str, cp: int) -> None:
    if not 0 <= cp <= len(text):
        raise OffsetError(f"position {cp} is outside the text (length {len(text)} code points)")


def cp_to_utf16(text: str, cp: int) -> int:
    _check_cp(text, cp)
    if text.isascii():
        return cp
    return len(utf_16_le_encode(text[:cp], "surrogatepass")[0]) // 2


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
    data = _utf16(text)
    if data is not None and 0 <= units and 2 * units <= len(data):
        if len(data) == 2 * len(text):  # no astral character: one unit per code point
            return units
        if not _inside_pair(data, units):
            return len(utf_16_le_decode(data[: 2 * units])[0])
    return _utf16_to_cp_slow(text, units)


def _utf16_to_cp_slow(text: str, units: int) -> int:
    return _walk_to_cp(text, units, "UTF-16", "units", lambda ch: 2 if ord(ch) > 0xFFFF else 1)


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
    return _walk_to_cp(text, byte, "UTF-8", "bytes", lambda ch: len(ch.encode("utf-8", "surrogatepass")))


def _walk_to_cp(text: str, offset: int, unit: str, units: str, size: Callable[[str], int]) -> int:
    """The code point at ``offset`` (counted in ``unit``, each character ``size(ch)`` of them), walking the
    text character by character: slow, only for the offsets the fast paths cannot convert, to raise the right
    error (negative, outside the text, inside a character) or to convert a text with a lone surrogate."""
    if offset < 0:
        raise OffsetError(f"{unit} offset {offset} is negative")
    pos = 0
    for index, ch in enumerate(text):
        if pos == offset:
            return index
        pos += size(ch)
        if pos > offset:
            raise OffsetError(f"{unit} offset {offset} cuts the character {ch!r} at code point {index}")
    if pos == offset:
        return len(text)
    raise OffsetError(f"{unit} offset {offset} is outside the text (length {pos} {units})")


def utf16_len(text: str) -> int:
    return cp_to_utf16(text, len(text))


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# -- spans ---------------------------------------------------------------------------------------


def span_from_utf16(text: str, offset: int, length: int) -> tuple[int, int]:
    """CLU ``offset``/``length`` → code-point ``(start, end)``."""
    if length < 0:
        raise OffsetError(f"negative length {length}")
    end = offset + length
    if text.isascii():
        if 0 <= offset and end <= len(text):
            return offset, end
    elif 0 <= offset:
        data = _utf16(text)
        if data is not None and 2 * end <= len(data):
            if len(data) == 2 * len(text):  # no astral character
                return offset, end
            if not (_inside_pair(data, offset) or _inside_pair(data, end)):
                a = len(utf_16_le_decode(data[: 2 * offset])[0])
                return a, a + len(utf_16_le_decode(data[2 * offset : 2 * end])[0])
    return utf16_to_cp(text, offset), utf16_to_cp(text, end)


def _span_problem(text: str, start: int, end: int) -> None:
    """Raise the error for a code-point span that is reversed or outside ``text``."""
    if end < start:
        raise OffsetError(f"span end {end} is before its start {start}")
    _check_cp(text, start)
    _check_cp(text, end)


def span_to_utf16(text: str, start: int, end: int) -> tuple[int, int]:
    """Code-point ``(start, end)`` → CLU ``(offset, length)``."""
    if not 0 <= start <= end <= len(text):
        _span_problem(text, start, end)
    if text.isascii():
        return start, end - start
    a = len(utf_16_le_encode(text[:start], "surrogatepass")[0]) // 2
    return a, len(utf_16_le_encode(text[start:end], "surrogatepass")[0]) // 2


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
        # UTF-8 is self-synchronising: a prefix decodes without error exactly when it ends on a character
        # boundary, so one encode and two decodes convert both ends. Strict (the codec's fast path): a lone
        # surrogate in the text, or a cut character, leaves it to the careful walk.
        try:
            data = text.encode()
            if end <= len(data):
                a = len(data[:start].decode())
                return a, a + len(data[start:end].decode())
        except UnicodeError:
            pass
    return utf8_to_cp(text, start), utf8_to_cp(text, end)


def span_to_utf8(text: str, start: int, end: int) -> tuple[int, int]:
    """Code-point ``(start, end)`` → HF UTF-8 byte span."""
    if not 0 <= start <= end <= len(text):
        _span_problem(text, start, end)
    if text.isascii():
        return start, end
    try:
        a = len(text[:start].encode())
        return a, a + len(text[start:end].encode())
    except UnicodeEncodeError:  # a lone surrogate: 3 bytes, as surrogatepass writes it
        a = len(text[:start].encode("utf-8", "surrogatepass"))
        return a, a + len(text[start:end].encode("utf-8", "surrogatepass"))
