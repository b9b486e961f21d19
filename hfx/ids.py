"""Deterministic ids derived from content: same input, same ids, same output bytes."""

from __future__ import annotations

import base64
import hashlib

_SEP = "\x1f"


def stable_id(prefix: str, *parts: str) -> str:
    """``prefix-`` + 24 characters ``[A-Z2-7]`` (HumanFirst's id shape) from a hash of ``parts``."""
    digest = hashlib.sha256(_SEP.join(parts).encode("utf-8")).digest()
    return f"{prefix}-" + base64.b32encode(digest).decode("ascii")[:24]


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
