"""A readable structural diff of two JSON values for assertion messages."""

from __future__ import annotations

from typing import Any


def json_diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Every difference as ``pointer: what``; empty when equal."""
    if type(a) is not type(b):
        return [f"{path or '/'}: {a!r:.80} != {b!r:.80}"]
    if isinstance(a, dict):
        out: list[str] = []
        for k in list(a) + [k for k in b if k not in a]:
            here = f"{path}/{k}"
            if k not in b:
                out.append(f"{here}: missing on the right ({a[k]!r:.80})")
            elif k not in a:
                out.append(f"{here}: added on the right ({b[k]!r:.80})")
            else:
                out.extend(json_diff(a[k], b[k], here))
        return out
    if isinstance(a, list):
        out = [f"{path or '/'}: length {len(a)} != {len(b)}"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out.extend(json_diff(x, y, f"{path}/{i}"))
        return out
    return [] if a == b else [f"{path or '/'}: {a!r:.80} != {b!r:.80}"]
