"""The one place that pauses Python's cyclic garbage collector while a whole workspace is built in memory.

Parsing, reading, comparing, merging or writing a workspace creates millions of small objects that live until the
command or the call ends. With the collector on, each 700 new objects trigger a collection, and the older
generations are traversed again and again as they grow: up to half the run time, for nothing to collect (JSON
documents and the model hold no reference cycles). Every CLI command that loads workspaces and the server's
import, export and train calls run inside :func:`paused_gc`.

Calls may nest and may overlap in threads (the gRPC server): the collector is disabled while at least one pause is
active and restored, when the last one ends, to what it was before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic garbage collector for the duration (usable as a decorator too)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
