"""Deterministic ids derived from content: same input, same ids, same output bytes."""

from __future__ import annotations

import hashlib

_SEP = "\x1f"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]
_SHIFTS = range(110, -1, -10)


def stable_id(prefix: str, *parts: str) -> str:
    """``prefix-`` + 24 characters ``[A-Z2-7]`` (HumanFirst's id shape) from a hash of ``parts``."""
    digest = hashlib.sha256(_SEP.join(parts).encode("utf-8", "surrogatepass")).digest()
    # The first 15 bytes = 120 bits = exactly 24 base32 characters (RFC 4648 alphabet), i.e. the first 24
    # characters of base64.b32encode(digest), ten bits per table lookup.
    n = int.from_bytes(digest[:15], "big")
    return f"{prefix}-" + "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in _SHIFTS])


def intent_id(path: tuple[str, ...] | list[str]) -> str:
    return stable_id("intent", *path)


def example_id(language: str | None, text: str, intent_path: tuple[str, ...] | list[str]) -> str:
    return stable_id("phrase", language or "", text, *intent_path)


def entity_id(name: str) -> str:
    return stable_id("entity", name)


def value_id(entity_name: str, key: str, language: str | None = None) -> str:
    return stable_id("entval", entity_name, key, *([language] if language else []))


def tag_id(name: str) -> str:
    return stable_id("tag", name)
