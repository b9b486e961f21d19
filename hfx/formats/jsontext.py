"""Deterministic JSON text for every file hfx writes.

The output is byte-for-byte what ``json.dumps(obj, ensure_ascii=False, indent=2) + "\\n"`` produces. orjson
writes it (some 50 times faster than the stdlib's pure-Python indenting encoder); the few documents where
orjson's text would differ from the stdlib's go through the stdlib instead, chosen per document:

- integers beyond 64 bits, lone surrogates, non-string keys, types orjson would serialise but the stdlib
  refuses (dataclasses, datetimes, subclasses): orjson refuses them (passthrough options), so the stdlib runs;
- floats the two spell differently (``1e-05`` vs ``0.00001``, ``1.234e-07`` vs ``1.234e-7``) and NaN or
  infinities (``NaN`` vs ``null``): orjson's text is searched for those spellings, and only a document that has
  one is walked to compare each float's two spellings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

import orjson

from hfx.errors import InputError, pointer, shorten

#: The deepest nesting of arrays and objects hfx reads (a workspace needs about 8 levels). Deeper input is
#: refused with exit 2 / INVALID_ARGUMENT rather than exhausting the stack of a later step.
MAX_DEPTH = 128
#: The integers hfx reads: 64 bits, ``-2**63`` to ``2**64 - 1``. Larger ones are refused (a JSON reader such
#: as orjson or the HumanFirst SDK's would otherwise turn them into an approximate float, or fail).
MIN_INT, MAX_INT = -(2**63), 2**64 - 1

_BOM = b"\xef\xbb\xbf"
_NON_FINITE = re.compile(rb"-?(?:NaN|Infinity)")
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def parse_json(data: bytes | bytearray | str, source: str = "<input>") -> Any:
    """Parse JSON text that must be UTF-8 (a UTF-8 byte-order mark is tolerated); errors name ``source``.

    Refused, each with a clear :class:`InputError`: invalid JSON, text that is not UTF-8, the non-numbers
    ``NaN``/``Infinity`` (JSON has none), numbers beyond a double (``1e400``), integers beyond 64 bits
    (:data:`MIN_INT`..:data:`MAX_INT`) and nesting deeper than :data:`MAX_DEPTH`.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.startswith(_BOM):
        raw = raw[3:]
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        obj = _parse_refused(raw, exc, source)
    _check_tree(obj, raw, source)
    return obj


def _parse_refused(raw: bytes | bytearray, exc: Any, source: str) -> Any:
    """Explain why orjson refused ``raw``; text orjson cannot hold but JSON allows (an escaped lone
    surrogate such as ``"\\ud800"``, which hfx keeps as written) is parsed by the standard library instead."""
    msg, pos = str(exc.msg), int(exc.pos)
    where = f"(line {exc.lineno}, column {exc.colno})"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # what Windows PowerShell 5's Out-File and `>` write
            raise InputError(
                "not UTF-8 text but UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8", source=source
            ) from None
        raise InputError(f"not UTF-8 text: {bad.reason} at byte {bad.start}", source=source) from None
    if not raw.strip():
        raise InputError("empty: no JSON text, only white space or nothing (expected a JSON object)", source=source)
    if "depth" in msg or "recursion" in msg:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels of arrays and objects {where}", source=source)
    for at in (pos, pos - 1, pos - 2):
        if at >= 0 and (m := _NON_FINITE.match(raw, at)):
            raise InputError(
                f"{m.group().decode()} is not a JSON number (JSON has no NaN or Infinity) {where}", source=source
            )
    if "infinity" in msg:
        m = _NUMBER.match(raw, pos)
        if m and m.group().lstrip(b"-").isdigit():
            _int(m.group().decode(), source)
        num = shorten(m.group().decode() if m else "a number", 24)
        raise InputError(f"the number {num} is beyond the range of a double (about 1.8e308) {where}", source=source)
    if "surrogate" in msg:
        return _parse_stdlib(raw.decode("utf-8"), source)
    raise InputError(f"not valid JSON: {msg} {where}", source=source)


def _parse_stdlib(text: str, source: str) -> Any:
    def refuse_constant(name: str) -> Any:
        raise InputError(f"{name} is not a JSON number (JSON has no NaN or Infinity)", source=source)

    def number(literal: str) -> float:
        value = float(literal)
        if value in (float("inf"), float("-inf")):
            raise InputError(
                f"the number {shorten(literal, 24)} is beyond the range of a double (about 1.8e308)", source=source
            )
        return value

    try:
        return json.loads(text, parse_constant=refuse_constant, parse_int=lambda s: _int(s, source), parse_float=number)
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels of arrays and objects", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", source=source) from None


def _int(literal: str, source: str) -> int:
    digits = len(literal.lstrip("-"))
    value = int(literal) if digits <= 20 else None
    if value is None or not MIN_INT <= value <= MAX_INT:
        raise InputError(
            f"the integer {shorten(literal, 24)} is beyond 64 bits; hfx reads integers from {MIN_INT} to {MAX_INT}",
            source=source,
        )
    return value


def _check_tree(obj: Any, raw: bytes | bytearray, source: str) -> None:
    """Refuse nesting beyond :data:`MAX_DEPTH` (with the pointer where it starts) and integers beyond 64 bits
    (orjson reads those as an approximate float).

    Both are first ruled out on the text, at a small fraction of the parse's cost; only a document the text
    cannot clear (a run of 19 or more digits; nesting deeper than the limit) is walked, or parsed again.
    """
    if _LONG_DIGITS in raw.translate(_DIGITS) and _has_big_float(obj):
        _parse_stdlib(raw.decode("utf-8"), source)  # raises on the first integer beyond 64 bits
    if (type(obj) is dict or type(obj) is list) and not _shallow_text(raw):
        _check_depth(obj, source)


# every digit as "0", anything else as " ": an integer beyond 64 bits has 19 or more digits in a row
_DIGITS = bytes.maketrans(b"0123456789" + bytes(c for c in range(256) if not 48 <= c <= 57), b"0" * 10 + b" " * 246)
_LONG_DIGITS = b"0" * 19
# brackets as parentheses, quotes kept, anything else deleted (in that order: translate deletes first)
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b'"[]{}')


def _shallow_text(raw: bytes | bytearray) -> bool:
    """Whether the text of a valid JSON document is certainly nested at most :data:`MAX_DEPTH` deep.

    Only quotes and brackets are kept (escaped quotes blanked first), then the strings are dropped: two
    adjacent quotes first (an empty string, or two strings with nothing between them: removing either kind
    keeps every other quote's role), then what lies between the quotes left (strings that hold a bracket).
    Removing every ``()`` pair of the brackets left takes one round per level."""
    text = _without_escaped_quotes(raw).translate(_BRACKETS, _NOT_BRACKETS).replace(b'""', b"")
    if b'"' in text:
        text = b"".join(text.split(b'"')[::2])
    for _ in range(MAX_DEPTH):
        if not text:
            return True
        text = text.replace(b"()", b"")
    return not text


def _without_escaped_quotes(raw: bytes | bytearray) -> bytes | bytearray:
    """``raw`` with each escaped quote (after an odd run of backslashes) blanked; ``raw`` itself if none.

    Each run of backslashes (escapes are few in these files) is visited once, found by searching for one byte,
    at ``memchr`` speed: a search for the two bytes ``\\"`` stops at every quote."""
    out = None
    at = raw.find(b"\\")
    while at >= 0:
        end = at + 1
        while end < len(raw) and raw[end] == 0x5C:  # the whole run of backslashes
            end += 1
        if (end - at) % 2 and end < len(raw) and raw[end] == 0x22:
            if out is None:
                out = bytearray(raw)
            out[end] = 0x20
        at = raw.find(b"\\", end)
    return raw if out is None else out


def _has_big_float(obj: Any) -> bool:
    if type(obj) is not dict and type(obj) is not list:
        return _big_float(obj)
    stack = [obj]
    while stack:
        value = stack.pop()
        for item in value.values() if type(value) is dict else value:
            t = type(item)
            if t is dict or t is list:
                stack.append(item)
            elif t is float and _big_float(item):
                return True
    return False


def _check_depth(obj: Any, source: str) -> None:
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(obj, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            t = type(item)
            if t is dict or t is list:
                if depth >= MAX_DEPTH:
                    raise InputError(
                        f"nested deeper than {MAX_DEPTH} levels of arrays and objects",
                        source=source,
                        pointer=pointer(*path[:MAX_DEPTH], key),
                    )
                stack.append((item, depth + 1, (*path, key)))


def _big_float(value: Any) -> bool:
    return type(value) is float and abs(value) >= 2**63 and value.is_integer()


_ORJSON_OPTIONS = (
    orjson.OPT_INDENT_2
    | orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)

# orjson spells a float like float.__repr__ except for exponents -5 to -9 (``0.00001`` and ``1.234e-7`` for
# ``1e-05`` and ``1.234e-07``) and NaN or infinities (``null``); tests/formats/test_jsontext.py checks every decade.
# A document whose orjson text has none of these tokens therefore needs no further check (a token inside a string,
# e.g. the word "null", only costs the exact check).
_SHORT_NEGATIVE_EXPONENT = re.compile(rb"e-[6-9][,\n]")


def _may_differ(text: bytes) -> bool:
    return b"null" in text or b"0.0000" in text or _SHORT_NEGATIVE_EXPONENT.search(text) is not None


def dumps_json(obj: Any) -> bytes:
    """UTF-8, indent 2, trailing newline, non-ASCII kept as is.

    A lone surrogate (which JSON input can carry as a ``\\ud83d`` escape) cannot be encoded as UTF-8;
    such a document is written with ASCII escapes instead, so the text survives unchanged.
    """
    return _dumps(obj)[0]


def _dumps(obj: Any) -> tuple[bytes, bool]:
    """The text of :func:`dumps_json`, and whether it is the ASCII-escaped kind (the document has a lone
    surrogate)."""
    try:
        text = orjson.dumps(obj, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _reference(obj)
    if _may_differ(text) and _floats_differ(obj):
        return _reference(obj)
    return text, False


def _floats_differ(obj: Any) -> bool:
    """Whether ``obj`` holds a float that orjson spells differently from ``float.__repr__`` (NaN and infinities
    included: orjson writes them as ``null``)."""
    stack = [obj]
    pop, push = stack.pop, stack.extend
    while stack:
        value = pop()
        t = type(value)
        if t is dict:
            push(value.values())
        elif t is list or t is tuple:
            push(value)
        elif t is float and (value != value or orjson.dumps(value) != float.__repr__(value).encode("ascii")):
            return True
    return False


def dumps_json_reference(obj: Any) -> bytes:
    """The same text through :func:`json.dumps` (slow; used by tests to prove :func:`dumps_json`)."""
    return _reference(obj)[0]


def _reference(obj: Any) -> tuple[bytes, bool]:
    try:
        return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), False
    except UnicodeEncodeError:
        return (json.dumps(obj, ensure_ascii=True, indent=2) + "\n").encode("ascii"), True


# -- the deep writer's helpers: a pure-Python encoder for documents nested beyond orjson's limit ------------

_float_repr = float.__repr__
_int_repr = int.__repr__


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return _float_repr(value)


def _scalar(value: Any, quote: Any) -> str:
    """The JSON text of a string, number, boolean or ``None`` (subclasses as their base type, as the standard
    library writes them); ``TypeError`` for anything else."""
    if isinstance(value, str):
        return str(quote(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _int_repr(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _quoted_key(key: Any, quote: Any) -> str:
    if isinstance(key, str):
        return str(quote(key))
    if key is None or isinstance(key, (int, float)):
        return str(quote(_scalar(key, quote)))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def dumps_json_deep(obj: Any, *, indent: bool = True) -> bytes:
    """The text of :func:`dumps_json` for documents of any depth (a tree of intents thousands deep): an
    explicit stack instead of recursion. Slower; only for the few outputs that nest by the data's depth.
    ``indent=False`` writes one line (``,`` and ``:`` without spaces): indentation grows with the depth."""
    try:
        return (_encode_deep(obj, encode_basestring, indent) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (_encode_deep(obj, encode_basestring_ascii, indent) + "\n").encode("ascii")


def _encode_deep(obj: Any, quote: Any, indent: bool) -> str:
    return _DeepWriter(quote, indent).write(obj)


class _DeepWriter:
    """One document's text, containers opened and closed on an explicit stack of frames: (items iterator,
    closing bracket, level, whether the items are an object's (key, value) pairs)."""

    def __init__(self, quote: Any, indent: bool) -> None:
        self.quote = quote
        self.newline, self.step, self.colon = ("\n", "  ", ": ") if indent else ("", "", ":")
        self.parts: list[str] = []
        self.stack: list[tuple[Any, str, int, bool]] = []
        self.flat_list = None if indent else _compact_flat_list(quote)

    def open(self, value: Any, level: int) -> None:
        """Write a scalar, an empty container or a one-line list of scalars; push any other container."""
        append = self.parts.append
        if self.flat_list is not None and type(value) is list and value:
            text = self.flat_list(value)  # a list of scalars on one line: in one call
            if text is not None:
                append(text)
                return
        if isinstance(value, dict):
            if value:
                append("{")
                self.stack.append((iter(value.items()), "}", level, True))
            else:
                append("{}")
        elif isinstance(value, (list, tuple)):
            if value:
                append("[")
                self.stack.append((iter(value), "]", level, False))
            else:
                append("[]")
        else:
            append(_scalar(value, self.quote))

    def write(self, obj: Any) -> str:
        parts, stack, newline, step = self.parts, self.stack, self.newline, self.step
        append = parts.append
        self.open(obj, 0)
        first = True
        while stack:
            items, close, level, is_dict = stack[-1]
            item: Any = next(items, _END)  # a JSON value, a (key, value) pair of an object, or _END
            if item is _END:
                stack.pop()
                append(newline + step * level + close)
                first = False
                continue
            append(("" if first else ",") + newline + step * (level + 1))
            if is_dict:
                key, item = item
                append(_quoted_key(key, self.quote) + self.colon)
            depth = len(stack)
            self.open(item, level + 1)
            first = len(stack) != depth  # a container was opened: its first item comes next
        return "".join(parts)


_END = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _compact_flat_list(quote: Any) -> Any:
    """The standard library's C encoder for a list of plain scalars (same text as the token loop)."""
    encoder = json.JSONEncoder(ensure_ascii=quote is encode_basestring_ascii, separators=(",", ":"))

    def encode(value: list[Any]) -> str | None:
        for item in value:
            if type(item) not in _SCALARS:
                return None
        return encoder.encode(value)

    return encode


def dumps_json_spliced(head: dict[str, Any], key: str, parts: Iterable[list[Any]]) -> bytearray:
    """The text of :func:`dumps_json` for ``head`` with the top-level ``head[key]`` (an empty list in ``head``)
    holding the items of all ``parts`` in order, built part by part.

    For documents too big to hold twice: only one part's objects need to exist at a time (``parts`` can build
    them lazily and release what they came from), and the parts' texts are moved into the result one by one.
    """
    out = bytearray()
    for chunk in iter_json_spliced(head, key, parts):
        if isinstance(chunk, (bytes, bytearray)):
            out += chunk
        else:
            out[:] = chunk(bytes(out))
    return out


#: A chunk of :func:`iter_json_spliced`: bytes to append, or a function that the text written so far must be
#: passed through (it returns the replacement text).
Chunk = bytes | bytearray | Callable[[bytes], bytes]


def iter_json_spliced(head: dict[str, Any], key: str, parts: Iterable[list[Any]]) -> Iterator[Chunk]:
    """The text of :func:`dumps_json_spliced` in pieces, one part's text at a time, so that it can be written
    out as it is made (see :func:`hfx.fileio.atomic_write`) and the whole text is never held at once.

    A part holding a lone surrogate turns the whole document into its ASCII-escaped kind: the pieces after it
    are escaped, and before them a function is yielded that escapes the text written so far."""
    whole, ascii_only = _dumps(head)
    # the key's line at level 1: unique, as strings never hold a raw newline
    marker = b"\n  " + dumps_json(key)[:-1] + b": []"
    before, found, after = whole.partition(marker)
    if not found:
        raise ValueError(f"head has no top-level key {key!r} holding an empty list")
    del whole
    opened = False
    for part in parts:
        text, ascii_text = _dumps(part)
        if len(text) <= 3:  # "[]\n": no items
            continue
        if ascii_text and not ascii_only:  # a lone surrogate: the whole document is written with ASCII escapes
            ascii_only = True
            if opened:
                yield _ascii_escaped
            else:
                before = _ascii_escaped(before)
            after = _ascii_escaped(after)
        elif ascii_only and not ascii_text:
            text = _ascii_escaped(text)
        # "[\n  {...},\n  {...}\n]\n" at level 0 -> "\n    {...},\n    {...}" at level 1
        if not opened:
            yield before + marker[:-1]  # '"key": ['
            opened = True
        else:
            yield b","
        yield text[1:-3].replace(b"\n", b"\n  ")
        del text
    if opened:
        yield b"\n  ]" + after
    else:
        yield before + marker + after


_ESCAPED_IN_ASCII = re.compile("[^\x00-\x7e]")  # DEL and beyond (controls are escaped in both kinds)


def _ascii_escaped(text: bytes) -> bytes:
    """UTF-8 JSON text as ``ensure_ascii=True`` writes it (non-ASCII characters only occur inside strings)."""
    return _ESCAPED_IN_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], text.decode("utf-8")).encode("ascii")


# -- reading a document whose one long array is parsed a part at a time --------------------------------------


def parse_in_parts(
    data: bytes | bytearray, key: str, part_bytes: int = 1 << 20
) -> tuple[dict[str, Any], list[tuple[int, int]]] | None:
    """Split a JSON object document whose top-level ``key`` holds a long array of objects (a workspace's
    examples) so that the array can be parsed a part at a time: the document with that array emptied, and
    the ``(start, end)`` text range of each part, about ``part_bytes`` long (:func:`parse_part` parses one).

    For documents too big to hold parsed at once: only the text and one part's objects need to be in memory.
    A cut is tried after an object at the items' indentation (or any ``},{`` in unindented text) and kept when
    the brackets of the text up to it balance. ``None`` when the text cannot be split that way (no such array,
    a layout the cuts do not fit, invalid JSON around the array, or anything :func:`parse_json` would refuse:
    long integers, deep nesting): the caller then parses the whole document, and gets its exact errors.
    :func:`parse_part` raises ``orjson.JSONDecodeError`` for a part that is not valid JSON.
    """
    raw = data[3:] if data.startswith(_BOM) else data
    if _LONG_DIGITS in raw.translate(_DIGITS) or not _shallow_text(raw):
        return None  # integers beyond 64 bits or deep nesting: parse_json explains them
    found = re.compile(b'"' + re.escape(key.encode()) + rb'"\s*:\s*\[(\s*)').search(raw)
    if found is None or (found.start() and raw[found.start() - 1] == 0x5C):
        return None
    split = _split_items(raw, found.end(), found.group(1), part_bytes)
    if split is None:
        return None
    cuts, end = split
    try:  # the array's items replaced by a marker, to tell the top-level array from one nested deeper
        head = orjson.loads(bytes(raw[: found.start(1)]) + _MARKER + bytes(raw[end:]))
    except orjson.JSONDecodeError:
        return None
    if type(head) is not dict or head.get(key) != [_MARKER.decode()[1:-1]]:
        return None
    head[key] = []
    return head, cuts


def parse_part(data: bytes | bytearray, cut: tuple[int, int]) -> list[Any]:
    """The items of one part of :func:`parse_in_parts` (``data`` as given to it)."""
    start, end = cut
    offset = 3 if data.startswith(_BOM) else 0
    return list(orjson.loads(b"[" + data[offset + start : offset + end] + b"]"))


_MARKER = b'"hfx: the items parsed in parts"'
_TRIES = 16  # cuts tried in a row before the text is declared unsplittable


def _split_items(
    raw: bytes | bytearray, start: int, lead: bytes, part_bytes: int
) -> tuple[list[tuple[int, int]], int] | None:
    """The parts' ranges of the array whose first item starts at ``start`` (after the ``lead`` white space),
    and where the array's closing bracket is; ``None`` when no cut fits.

    A cut is proved on the text alone (a part's brackets outside strings balance, so it ends where it started:
    between two items); the part holding the array's end is parsed to find it. The items are only parsed by
    :func:`parse_part` (invalid JSON there is an error of the whole document)."""
    indent = lead.rpartition(b"\n")[2] if b"\n" in lead else None
    # "}" (group 1) "," "{": after an item at the first item's indentation when the text is indented
    cut_at = re.compile((b"\n" + indent if indent is not None else b"") + rb"(\})\s*,\s*\{")
    cuts: list[tuple[int, int]] = []
    if raw[start : start + 1] == b"]":
        return cuts, start
    while True:
        at = start + part_bytes
        for _ in range(_TRIES):
            m = cut_at.search(raw, at)
            end = m.end(1) if m else len(raw)
            brackets = _brackets_left(raw[start:end])
            if brackets == b"" and m:
                cuts.append((start, end))
                start = m.end() - 1
                break
            if brackets is not None and brackets.startswith(b")"):  # the array closes in this text
                close = _array_end(raw, start, end)
                if close is None:
                    return None
                cuts.append((start, close))
                return cuts, close
            if m is None:
                return None
            at = m.end()
        else:
            return None


def _brackets_left(text: bytes | bytearray) -> bytes | None:
    """The brackets of JSON ``text`` (starting outside a string) that have no partner in it, as ``(`` and
    ``)``; ``None`` when it ends inside a string."""
    kept = _without_escaped_quotes(text).translate(_BRACKETS, _NOT_BRACKETS).replace(b'""', b"")
    if kept.count(b'"') % 2:
        return None
    if b'"' in kept:
        kept = b"".join(kept.split(b'"')[::2])
    for _ in range(MAX_DEPTH + 2):
        shorter = kept.replace(b"()", b"")
        if len(shorter) == len(kept):
            break
        kept = shorter
    return bytes(kept)


def _array_end(raw: bytes | bytearray, start: int, end: int) -> int | None:
    """Where the array whose items start at ``start`` closes, before ``end``: orjson parses the items and
    stops at the first character after the array (it counts characters, not bytes)."""
    text = b"[" + raw[start:end]
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if exc.msg == "unexpected content after document":
            pos = len(text.decode("utf-8", "surrogatepass")[: int(exc.pos)].encode("utf-8", "surrogatepass"))
            return start + text.rindex(b"]", 0, pos) - 1
    return None
