"""An HF workspace whose intents form one chain ``depth`` levels deep (the cost tests and benchmarks/bounded.py)."""

from __future__ import annotations

from typing import Any


def chain(depth: int, extra_example: bool = False) -> dict[str, Any]:
    """Intents ``i0`` ... ``i<depth-1>``, each the child of the one before; one example on the deepest, and with
    ``extra_example`` a second one on ``i3``."""
    intents = [
        {"id": f"i{k}", "name": f"n{k}", **({"parent_intent_id": f"i{k - 1}"} if k else {})} for k in range(depth)
    ]
    examples = [{"id": "e", "text": "hi", "intents": [{"intent_id": f"i{depth - 1}"}]}]
    if extra_example:
        examples.append({"id": "e2", "text": "ho", "intents": [{"intent_id": "i3"}]})
    return {"name": "deep", "intents": intents, "examples": examples}
