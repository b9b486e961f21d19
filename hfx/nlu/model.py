"""The local NLU model: intents (softmax over dense + n-gram features) and entities (list, regex, CRF).

Knows nothing of gRPC or the terminal. Spans in predictions are UTF-8 byte offsets of the input text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hfx.model import Workspace
from hfx.nlu import embedder
from hfx.nlu.entities import Hit
from hfx.nlu.errors import ModelFileError, TrainingCancelled, TrainingError
from hfx.nlu.parts import Entities, Intents, Progress
from hfx.nlu.scores import IntentScore
from hfx.nlu.settings import TrainSettings
from hfx.nlu.storage import load_model, save_model
from hfx.nlu.training import train_model
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
        save_model(self, Path(folder))

    @classmethod
    def load(cls, folder: Path) -> NluModel:
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
