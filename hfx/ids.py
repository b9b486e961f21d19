"""Deterministic ids derived from content: same input, same ids, same output bytes."""

from __future__ import annotations

from hashlib import sha256

_SEP = "\x1f"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_P = [a + b for a in _B32 for b in _B32]  # 10 bits -> 2 characters


def stable_id(prefix: str, *parts: str) -> str:
    """``prefix-`` + 24 characters ``[A-Z2-7]`` (HumanFirst's id shape) from a hash of ``parts``."""
    return _hashed(prefix, _SEP.join(parts))


def _hashed(prefix: str, key: str) -> str:
    # The first 15 bytes = 120 bits = exactly 24 base32 characters (RFC 4648 alphabet), i.e. the first 24
    # characters of base64.b32encode(digest), ten bits per table lookup (one id per example: spelled out).
    n = int.from_bytes(sha256(key.encode("utf-8", "surrogatepass")).digest()[:15], "big")
    return (
        f"{prefix}-{_P[n >> 110]}{_P[(n >> 100) & 1023]}{_P[(n >> 90) & 1023]}{_P[(n >> 80) & 1023]}"
        f"{_P[(n >> 70) & 1023]}{_P[(n >> 60) & 1023]}{_P[(n >> 50) & 1023]}{_P[(n >> 40) & 1023]}"
        f"{_P[(n >> 30) & 1023]}{_P[(n >> 20) & 1023]}{_P[(n >> 10) & 1023]}{_P[n & 1023]}"
    )


def intent_id(path: tuple[str, ...] | list[str]) -> str:
    return stable_id("intent", *path)


def example_id(language: str | None, text: str, intent_path: tuple[str, ...] | list[str]) -> str:
    return _hashed("phrase", _SEP.join((language or "", text, *intent_path)))


def entity_id(name: str) -> str:
    return stable_id("entity", name)


def value_id(entity_name: str, key: str, language: str | None = None) -> str:
    return stable_id("entval", entity_name, key, *([language] if language else []))


def tag_id(name: str) -> str:
    return stable_id("tag", name)
