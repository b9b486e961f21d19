"""The local NLU model: intents (softmax over dense + n-gram features) and entities (list, regex, CRF).

Knows nothing of gRPC or the terminal. Spans in predictions are UTF-8 byte offsets of the input text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hfx.model import Workspace
from hfx.nlu import embedder, softmax
from hfx.nlu.crf import CrfTagger
from hfx.nlu.entities import Hit, ListMatcher, RegexMatcher, resolve
from hfx.nlu.errors import ModelFileError, TrainingCancelled, TrainingError
from hfx.nlu.features import FeatureSpace
from hfx.nlu.scores import IntentScore
from hfx.nlu.settings import TrainSettings
from hfx.offsets import span_to_utf8

__all__ = [
    "DEFAULT_TOP_K",
    "EntityHit",
    "IntentScore",
    "ModelFileError",
    "NluModel",
    "Prediction",
    "TrainSettings",
    "TrainingCancelled",
    "TrainingError",
]

#: How many intent matches a prediction returns unless asked otherwise.
DEFAULT_TOP_K: int = 10
#: Version of the stored format and of the training recipe (part of the model id).
FORMAT_VERSION: int = 1

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class EntityHit:
    entity_id: str
    entity_value_id: str
    text: str
    value: str
    start: int  # UTF-8 byte offsets into the input text, half-open
    end: int
    score: float
    extractor: str


@dataclass(frozen=True)
class Prediction:
    text: str
    intents: list[IntentScore]
    entities: list[EntityHit]


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


@dataclass(eq=False, repr=False, kw_only=True)
class NluModel:
    id: str
    name: str
    settings: TrainSettings
    intents: Intents
    entities: Entities
    example_count: int
    #: Entity id -> entity name, for every entity the model can find.
    entity_names: dict[str, str] = field(default_factory=dict)

    @property
    def intent_count(self) -> int:
        return len(self.intents.ids)

    # -- training ---------------------------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        workspace: Workspace,
        settings: TrainSettings = TrainSettings(),
        *,
        should_stop: Callable[[], bool] | None = None,
        progress: Progress | None = None,
    ) -> NluModel:
        from hfx.nlu.training import train_model

        return train_model(cls, workspace, settings, should_stop=should_stop, progress=progress)

    # -- prediction -------------------------------------------------------------------------------------------

    def predict(self, texts: Sequence[str], top_k: int = DEFAULT_TOP_K) -> list[Prediction]:
        texts = list(texts)
        if not texts:
            return []
        top_k = max(1, min(int(top_k), self.intent_count))
        proba = self.intents.proba(texts)
        order = np.argsort(-proba, axis=1, kind="stable")[:, :top_k]
        out = []
        for row, text in enumerate(texts):
            intents = [
                IntentScore(self.intents.ids[j], self.intents.names[j], float(min(1.0, max(0.0, proba[row, j]))))
                for j in order[row]
            ]
            out.append(Prediction(text, intents, [_to_bytes(text, h) for h in self.entities.find(text)]))
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return embedder.embed(list(texts))

    def memory_bytes(self) -> int:
        w = self.intents.weights
        f = self.intents.features
        terms = sum(len(t) + 56 for t in f.word.terms) + sum(len(t) + 56 for t in f.char.terms)
        crf = len(self.entities.crf.data) if self.entities.crf is not None else 0
        return int(
            w.dense.nbytes
            + w.sparse.nbytes
            + w.bias.nbytes
            + f.word.idf.nbytes
            + f.char.idf.nbytes
            + 2 * terms
            + crf
            + 100 * len(self.entities.lists.phrases)
        )

    # -- storage ----------------------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        from hfx.nlu.storage import save_model

        save_model(self, Path(folder))

    @classmethod
    def load(cls, folder: Path) -> NluModel:
        from hfx.nlu.storage import load_model

        return load_model(cls, Path(folder))


def _to_bytes(text: str, hit: Hit) -> EntityHit:
    start, end = span_to_utf8(text, hit.start, hit.end)
    return EntityHit(
        hit.entity_id,
        hit.entity_value_id,
        text[hit.start : hit.end],
        hit.value,
        start,
        end,
        float(min(1.0, max(0.0, hit.score))),
        hit.extractor,
    )


def model_id(content: Any) -> str:
    """Hex digest of the canonical JSON of everything the model is trained from."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]


def check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training was cancelled")
