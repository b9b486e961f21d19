"""Fixtures shared by every test area (each area keeps its own conftest.py in tests/<area>/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time (a red build is reproducible with CI=true); local runs explore.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parents[1]
# The test data ships with the repository (tests/data/README.md gives each file's origin and licence).
DATA = Path(__file__).resolve().parent / "data"
CORPORA = DATA


def corpus_files(kind: str) -> list[Path]:
    """The corpus files of one kind (``hf`` or ``clu``) in tests/data; fails loudly when they are missing."""
    folder = CORPORA / kind
    files = sorted(folder.glob("*.json"))
    if not files:
        raise RuntimeError(f"no corpus files in {folder}: the repository's tests/data is incomplete")
    return files


@pytest.fixture(scope="session")
def corpora() -> Path:
    return CORPORA


@pytest.fixture(scope="session")
def hf_corpus() -> list[Path]:
    return corpus_files("hf")


@pytest.fixture(scope="session")
def clu_corpus() -> list[Path]:
    return corpus_files("clu")
