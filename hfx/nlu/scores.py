"""What every model's prediction is made of, shared by :mod:`hfx.nlu` and the server backends (no numpy here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntentScore:
    """One intent match: the HF intent id exactly as in the training data, its name and its score."""

    id: str
    name: str
    score: float
