"""Log handlers for the commands that log (``hfx serve``, ``hfx clu -v``); hfx sets up no logging at import time."""

from __future__ import annotations

import logging
import sys
from typing import Any


class StderrHandler(logging.StreamHandler):
    """A handler writing to the *current* ``sys.stderr``, looked up at each record.

    A plain ``StreamHandler()`` keeps the stream it was built with; when that stream is replaced and closed (a
    command run in-process by a test runner or an embedding program), a late record prints ``--- Logging error ---``.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it; the current stderr wins
        pass
