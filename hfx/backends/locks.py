"""Named locks: one :class:`threading.Lock` per name (a workspace, a project), made on first use."""

from __future__ import annotations

import threading


class NamedLocks:
    """``locks("billing")`` is the same lock on every call with that name, from any thread."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())
