"""Fixtures shared by every test folder (each folder keeps its own in tests/<folder>/conftest.py)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Modules the tests share (corpora, jsondiff, clu_projects, ...) live in tests/helpers and are imported by their
# own names: tests are not a package (another distribution may install a top-level "tests").
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

from corpora import CORPORA, corpus_files  # noqa: E402

from hfx.clu.client import CluClient  # noqa: E402
from hfx.clu.emulator import EmulatorHandle, start_emulator  # noqa: E402

KEY = "emulator-test-key-3f9a1c"

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


# The CLU emulator on loopback and a client pointed at it, for the CLU client's tests and the `hfx clu` commands'
# (tests/backends/conftest.py has its own, with faults that can be injected).
@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator(key=KEY) as emu:
        yield emu


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[CluClient]:
    with CluClient(emulator.url, KEY, poll_interval=0.01, timeout=10) as c:
        yield c


@pytest.fixture(scope="session")
def key() -> str:
    return KEY


def _log_setup() -> list[tuple[str, int | None, list[logging.Handler]]]:
    """Level and handlers of the loggers hfx's commands configure, leaving out pytest's own capture handlers and
    the NullHandler a library adds to its logger on import (urllib3 does), which prints nothing."""
    out = []
    for name in ("", "hfx", "urllib3"):
        logger = logging.getLogger(name)
        handlers = [
            h
            for h in logger.handlers
            if not type(h).__module__.startswith("_pytest") and type(h) is not logging.NullHandler
        ]
        # the root's level matters (hfx serve sets it); libraries may tune their own (the humanfirst SDK does)
        out.append((name or "root", logger.level if not name else None, handlers))
    return out


@pytest.fixture(autouse=True)
def _no_logging_left_behind() -> Iterator[None]:
    """A command run in-process (CliRunner) must put logging back as it found it: a handler left on a captured,
    closed stream makes a later test's log line print `--- Logging error ---` in the middle of the dots."""
    before = _log_setup()
    yield
    after = _log_setup()
    assert after == before, f"logging changed by this test and not put back: {before} -> {after}"
