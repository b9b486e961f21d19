"""The garbage-collector pause: nests, overlaps across threads, and always restores the collector."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from hfx.gcpause import paused_gc


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_pause_disables_and_restores_even_on_error() -> None:
    with pytest.raises(RuntimeError):
        with paused_gc():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_nested_pauses_restore_only_at_the_outermost() -> None:
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_threads_end_with_the_collector_on() -> None:
    inside, release = threading.Barrier(2), threading.Event()
    states: list[bool] = []

    def long_call() -> None:
        with paused_gc():
            inside.wait()
            release.wait()

    worker = threading.Thread(target=long_call)
    worker.start()
    with paused_gc():
        inside.wait()
    states.append(gc.isenabled())  # the other call is still inside: still paused
    release.set()
    worker.join()
    assert states == [False]
    assert gc.isenabled()


def test_usable_as_a_decorator() -> None:
    @paused_gc()
    def build() -> bool:
        return gc.isenabled()

    assert build() is False
    assert build() is False
    assert gc.isenabled()
