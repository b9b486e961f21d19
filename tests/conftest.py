"""Fixtures shared by every test area (each area keeps its own conftest.py in tests/<area>/)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Modules the tests share (corpora, jsondiff, clu_projects, ...) live in tests/helpers and are imported by their
# own names: tests are not a package (another distribution may install a top-level "tests").
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

from corpora import CORPORA, corpus_files  # noqa: E402

# CI runs the same examples every time (a red build is reproducible with CI=true); local runs explore.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

@pytest.fixture(scope="session")
def corpora() -> Path:
    return CORPORA


@pytest.fixture(scope="session")
def hf_corpus() -> list[Path]:
    return corpus_files("hf")


@pytest.fixture(scope="session")
def clu_corpus() -> list[Path]:
    return corpus_files("clu")
