"""A CRF (python-crfsuite) for entities that have annotations but no list values: learned from the annotated
examples, BIO labels over word tokens. The trained model is crfsuite's own binary file format (data, not code);
it is kept as bytes and stored in the model folder as such."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable

import pycrfsuite

from hfx.model import Workspace
from hfx.nlu.entities import Hit
from hfx.nlu.errors import ModelFileError, TrainingCancelled
from hfx.nlu.text import fold, tokens


def learned_entity_ids(workspace: Workspace) -> set[str]:
    """Entities that have annotations but no values (and are not regex or system entities)."""
    annotated = {a.entity_id for e in workspace.examples for a in e.annotations if a.entity_id}
    return {e.id for e in workspace.entities if e.id in annotated and not e.values and e.kind in ("list", "learned")}


def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        kind = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)[:6]


def _features(words: list[str]) -> list[list[str]]:
    out = []
    folded = [fold(w) for w in words]
    for i, word in enumerate(words):
        low = folded[i]
        feats = [
            "b",
            "w=" + low,
            "s3=" + low[-3:],
            "s2=" + low[-2:],
            "p3=" + low[:3],
            "sh=" + _shape(word),
            "t=" + str(word[:1].isupper()) + str(word.isdigit()),
        ]
        for offset in (-2, -1, 1, 2):
            j = i + offset
            feats.append(f"w{offset}=" + (folded[j] if 0 <= j < len(words) else ("<s>" if j < 0 else "</s>")))
        if i > 0:
            feats.append("bi-1=" + folded[i - 1] + "|" + low)
        if i + 1 < len(words):
            feats.append("bi+1=" + low + "|" + folded[i + 1])
        out.append(feats)
    return out


def _labels(spans: list[tuple[int, int, str]], toks: list[tuple[str, int, int]]) -> list[str]:
    labels = ["O"] * len(toks)
    for start, end, entity_id in spans:
        inside = [i for i, (_, a, b) in enumerate(toks) if a >= start and b <= end]
        for n, i in enumerate(inside):
            labels[i] = ("B-" if n == 0 else "I-") + entity_id
    return labels


class _Trainer(pycrfsuite.Trainer):
    """crfsuite's trainer, polling ``should_stop`` at each of its log messages (several per iteration); an
    exception raised there stops crfsuite's training and comes out of ``train()``."""

    def __init__(self, should_stop: Callable[[], bool] | None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._should_stop = should_stop

    def message(self, message: str) -> None:
        if self._should_stop is not None and self._should_stop():
            raise TrainingCancelled("training was cancelled")


def train(workspace: Workspace, entity_ids: set[str], *, should_stop: Callable[[], bool] | None = None) -> bytes:
    """crfsuite model bytes for ``entity_ids`` trained on every example (examples without them teach 'O').

    Deterministic: crfsuite's L-BFGS has no randomness, and the examples are fed in a fixed (sorted) order.
    """
    trainer = _Trainer(should_stop, algorithm="lbfgs", verbose=False)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": 100, "feature.possible_transitions": True})
    for example in sorted(workspace.examples, key=lambda e: (e.text, e.id)):
        toks = tokens(example.text)
        if not toks:
            continue
        spans = [(a.start, a.end, a.entity_id) for a in example.annotations if a.entity_id in entity_ids]
        trainer.append(_features([t for t, _, _ in toks]), _labels(spans, toks))
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training was cancelled")
    handle, path = tempfile.mkstemp(prefix="hfx-crf-", suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        with open(path, "rb") as model_file:
            return model_file.read()
    finally:
        os.unlink(path)


class CrfTagger:
    """A loaded crfsuite model; tagging is serialised (a crfsuite tagger is not thread-safe)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._tagger = pycrfsuite.Tagger()
        try:
            self._tagger.open_inmemory(data)
        except (ValueError, OSError) as exc:
            raise ModelFileError(f"the entity CRF cannot be read: {exc}") from None
        self._lock = threading.Lock()

    def find(self, text: str) -> list[Hit]:
        toks = tokens(text)
        if not toks:
            return []
        with self._lock:
            labels = self._tagger.tag(_features([t for t, _, _ in toks]))
            marginals = [self._tagger.marginal(label, i) for i, label in enumerate(labels)]
        hits: list[Hit] = []
        i = 0
        while i < len(labels):
            label = labels[i]
            if label == "O":
                i += 1
                continue
            entity_id = label[2:]
            j = i + 1
            while j < len(labels) and labels[j] == "I-" + entity_id:
                j += 1
            start, end = toks[i][1], toks[j - 1][2]
            score = sum(marginals[i:j]) / (j - i)
            hits.append(Hit(entity_id, "", text[start:end], start, end, round(float(score), 6), "crf"))
            i = j
        return hits
