"""The parts a local model is made of (intent classifier, entity finders) and what training and storage share
with :mod:`hfx.nlu.model`; kept apart so that :mod:`~hfx.nlu.training` and :mod:`~hfx.nlu.storage` build on them
without importing the model class."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hfx.nlu import softmax
from hfx.nlu.crf import CrfTagger
from hfx.nlu.entities import Hit, ListMatcher, RegexMatcher, resolve
from hfx.nlu.errors import TrainingCancelled
from hfx.nlu.features import FeatureSpace

#: Version of the stored format and of the training recipe (part of the model id).
FORMAT_VERSION: int = 1

Progress = Callable[[str, float], None]


@dataclass
class Intents:
    """The intent classifier: feature space + softmax weights, one class per HF intent id."""

    ids: list[str]
    names: list[str]
    features: FeatureSpace
    weights: softmax.SoftmaxWeights

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.weights.proba(*self.features.blocks(texts))


@dataclass
class Entities:
    lists: ListMatcher
    regexes: RegexMatcher
    crf: CrfTagger | None

    def find(self, text: str) -> list[Hit]:
        hits = self.lists.find(text) + self.regexes.find(text)
        if self.crf is not None:
            hits += self.crf.find(text)
        return resolve(hits)


def model_id(content: Any) -> str:
    """Hex digest of the canonical JSON of everything the model is trained from."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]


def check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training was cancelled")
