"""Fixtures for the ops tests: corpus workspaces (read once) and a small crafted HF workspace."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hfx.formats.hf_json import read_hf
from hfx.model import Workspace

CORPORA = Path(__file__).resolve().parents[1] / "data"


def small_hf() -> dict[str, Any]:
    """A valid HF workspace with a hierarchy, tags, an entity with values, a © span and metadata."""
    return {
        "name": "small",
        "tags": [{"id": "tag-t", "name": "Test"}, {"id": "tag-r", "name": "regression", "color": "#ff0000"}],
        "intents": [
            {"id": "intent-b", "name": "billing"},
            {
                "id": "intent-r",
                "name": "refund",
                "parent_intent_id": "intent-b",
                "metadata": {"owner": "ana"},
                "tags": [{"id": "tag-r", "name": "regression"}],
            },
            {"id": "intent-g", "name": "greet", "description": "hello and co"},
        ],
        "entities": [
            {
                "id": "entity-c",
                "name": "city",
                "values": [
                    {"id": "entval-ny", "key_value": "New York City", "synonyms": [{"value": "NYC"}]},
                    {"id": "entval-c", "key_value": "©", "synonyms": [{"value": "©"}]},
                ],
            },
        ],
        "examples": [
            {
                "id": "ex-1",
                "text": "refund to NYC please",
                "intents": [{"intent_id": "intent-r"}],
                "tags": [{"id": "tag-r", "name": "regression"}],
                "metadata": {"source": "chat"},
                "entities": [
                    {
                        "entity_id": "entity-c",
                        "name": "city",
                        "text": "NYC",
                        "value": "New York City",
                        "value_id": "entval-ny",
                        "span": {"from_character": 10, "to_character": 13},
                    }
                ],
                "created_at": "2024-01-01T00:00:00Z",
            },
            {
                "id": "ex-2",
                "text": "my © refund",
                "intents": [{"intent_id": "intent-r"}],
                "tags": [{"id": "tag-t", "name": "Test"}],
                "entities": [
                    {
                        "entity_id": "entity-c",
                        "name": "city",
                        "text": "©",
                        "value": "©",
                        "value_id": "entval-c",
                        "span": {"from_character": 3, "to_character": 5},
                    }
                ],
            },
            {"id": "ex-3", "text": "hello there", "intents": [{"intent_id": "intent-g"}]},
            {"id": "ex-4", "text": "hi 😀", "intents": [{"intent_id": "intent-g"}], "metadata": {"k": "v"}},
            {"id": "ex-5", "text": "what about billing", "intents": []},
            {
                "id": "ex-6",
                "text": "good morning",
                "intents": [{"intent_id": "intent-r", "negative": True}, {"intent_id": "intent-g"}],
            },
        ],
    }


@pytest.fixture
def small() -> dict[str, Any]:
    return small_hf()


@pytest.fixture
def small_ws() -> Workspace:
    return read_hf(small_hf(), source="small")


_cache: dict[str, Any] = {}


def corpus_obj(name: str) -> Any:
    """Parsed JSON of a corpus file (cached; always hand out a copy)."""
    if name not in _cache:
        _cache[name] = json.loads((CORPORA / name).read_bytes())
    return copy.deepcopy(_cache[name])


def corpus_ws(name: str) -> Workspace:
    from hfx.formats.detect import read_any

    return read_any(corpus_obj(name), source=name)[1]


def _write_json(path: Path, obj: Any) -> str:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


@pytest.fixture
def write_json() -> Callable[[Path, Any], str]:
    """``write_json(path, obj) -> str(path)``."""
    return _write_json


@pytest.fixture
def load_ws() -> Callable[[str], Workspace]:
    """``load_ws("hf/Academy-Ex07-High-Coverage.json")``: a fresh workspace of a corpus file."""
    return corpus_ws


@pytest.fixture
def load_obj() -> Callable[[str], Any]:
    """Parsed JSON of a corpus file (a fresh copy)."""
    return corpus_obj


@pytest.fixture
def make_small() -> Callable[[], dict[str, Any]]:
    return small_hf
