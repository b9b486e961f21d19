"""Fixtures for the CLU tests: CLU project files (the emulator and a client pointed at it are in tests/conftest.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def flight_booking(clu_corpus: list[Path]) -> dict[str, Any]:
    path = next(p for p in clu_corpus if p.name == "FlightBooking.json")
    return json.loads(path.read_text(encoding="utf-8"))


def project_file(
    name: str,
    utterances: list[dict[str, Any]],
    *,
    intents: list[str] | None = None,
    entities: list[dict[str, Any]] | None = None,
    language: str = "en-us",
) -> dict[str, Any]:
    """A minimal valid CLU project file."""
    names = intents if intents is not None else sorted({u["intent"] for u in utterances})
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {
            "projectKind": "Conversation",
            "projectName": name,
            "language": language,
            "multilingual": False,
            "description": "test",
            "settings": {"confidenceThreshold": 0.0},
        },
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": n} for n in names],
            "entities": copy.deepcopy(entities or []),
            "utterances": copy.deepcopy(utterances),
        },
    }


@pytest.fixture(scope="session")
def make_project():
    return project_file
