"""Deterministic JSON text for every file hfx writes."""

from __future__ import annotations

import json
from typing import Any


def dumps_json(obj: Any) -> bytes:
    """UTF-8, indent 2, trailing newline, non-ASCII kept as is.

    A lone surrogate (which JSON input can carry as a ``\\ud83d`` escape) cannot be encoded as UTF-8;
    such a document is written with ASCII escapes instead, so the text survives unchanged.
    """
    try:
        return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(obj, ensure_ascii=True, indent=2) + "\n").encode("ascii")
