"""Exceptions shared by every layer. No terminal, no gRPC here."""

from __future__ import annotations


class HfxError(Exception):
    """Base class of every error hfx raises on purpose."""


class OffsetError(HfxError, ValueError):
    """A text position is outside the text or cuts a character."""


class InputError(HfxError):
    """Unreadable or invalid input, located by file and JSON pointer (RFC 6901)."""

    def __init__(self, message: str, *, source: str = "<input>", pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.pointer = pointer

    def __str__(self) -> str:
        where = f"{self.source}: {self.pointer or '/'}" if self.pointer is not None else self.source
        return f"{where}: {self.message}"


class OutputError(HfxError):
    """An output that cannot or must not be written (a folder, one of the inputs, a missing folder)."""


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer from path parts, escaping ``~`` and ``/``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to at most ``limit`` characters (``…`` and the length when cut), for messages and reports:
    a 50 MB name must not make a 50 MB message."""
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 12, 1)]}… ({len(text)} chars)"


def show(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, a long string cut to ``limit`` characters first (cost independent of its
    length)."""
    if isinstance(value, str):
        return repr(shorten(value, limit))
    return shorten(repr(value), limit)


_KINDS: dict[type, str] = {dict: "an object", list: "an array", str: "a string"}


def json_kind(value: object) -> str:
    """``null``, ``an array``, ``a string``, ... for messages about a JSON value of the wrong kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return _KINDS.get(type(value), "a number")
