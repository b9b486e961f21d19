"""Training the local model from a neutral workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from hfx.model import Workspace
from hfx.nlu import embedder, softmax
from hfx.nlu.crf import CrfTagger, learned_entity_ids
from hfx.nlu.crf import train as train_crf
from hfx.nlu.entities import ListMatcher, RegexMatcher
from hfx.nlu.errors import TrainingError
from hfx.nlu.features import FeatureSpace
from hfx.nlu.parts import FORMAT_VERSION, Entities, Intents, Progress, check_stop, model_id
from hfx.nlu.settings import TrainSettings

if TYPE_CHECKING:
    from hfx.nlu.model import NluModel


def intent_names(workspace: Workspace, delimiter: str | None) -> dict[str, str]:
    """Intent id -> display name: the full path joined with the delimiter, or the leaf name."""
    paths = workspace.intent_paths()
    out = {}
    for intent in workspace.intents:
        path = paths.get(intent.id)
        out[intent.id] = delimiter.join(path) if (delimiter and path) else intent.name
    return out


def training_rows(workspace: Workspace) -> list[tuple[str, str]]:
    """Sorted, distinct ``(intent id, text)`` pairs: one per positive intent of each example (known intents)."""
    known = {i.id for i in workspace.intents}
    return sorted(
        {
            (intent_id, ex.text)
            for ex in workspace.examples
            for intent_id in ex.positive_intents
            if intent_id in known and ex.text.strip()
        }
    )


def _entity_content(workspace: Workspace, lists: ListMatcher, regexes: RegexMatcher, learned: set[str]) -> dict:
    annotated = sorted(
        {
            (ex.text, a.start, a.end, a.entity_id)
            for ex in workspace.examples
            for a in ex.annotations
            if a.entity_id in learned
        }
    )
    return {"list": lists.to_json(), "regex": regexes.to_json(), "crf": [list(a) for a in annotated]}


def train_model(
    cls: type[NluModel],
    workspace: Workspace,
    settings: TrainSettings,
    *,
    should_stop: Callable[[], bool] | None,
    progress: Progress | None,
) -> NluModel:
    def report(phase: str, fraction: float) -> None:
        if progress is not None:
            progress(phase, fraction)

    if not isinstance(settings, TrainSettings):
        raise TrainingError("settings must be TrainSettings")
    rows = training_rows(workspace)
    ids = sorted({intent_id for intent_id, _ in rows})
    if len(ids) < 2:
        raise TrainingError(
            f"the workspace needs examples on at least 2 intents to train a model "
            f"(it has {len(ids)} intent{'s' if len(ids) != 1 else ''} with examples)"
        )
    names = intent_names(workspace, settings.delimiter)
    lists = ListMatcher.from_workspace(workspace)
    regexes = RegexMatcher.from_workspace(workspace)
    learned = learned_entity_ids(workspace)
    content = {
        "format_version": FORMAT_VERSION,
        "settings": settings.to_dict(),
        "rows": rows,
        "intents": [[i, names[i]] for i in ids],
        "name": workspace.name or "",
        "entity_names": sorted([e.id, e.name] for e in workspace.entities),
        "entities": _entity_content(workspace, lists, regexes, learned),
    }
    identifier = model_id(content)

    check_stop(should_stop)
    report("embedding", 0.0)
    texts = [text for _, text in rows]
    y = np.searchsorted(np.asarray(ids), np.asarray([intent_id for intent_id, _ in rows]))
    dense = embedder.embed(texts)
    check_stop(should_stop)
    report("features", 0.1)
    features, dense_x, sparse_x = FeatureSpace.fit(
        texts,
        dense,
        dense_weight=settings.dense_weight,
        word_ngrams=settings.word_ngrams,
        char_ngrams=settings.char_ngrams,
        min_df=settings.min_df,
    )
    check_stop(should_stop)
    report("intents", 0.2)
    weights = softmax.fit(
        dense_x,
        sparse_x,
        y,
        len(ids),
        c=settings.c,
        max_iter=settings.max_iter,
        should_stop=should_stop,
        on_iteration=lambda i: report("intents", 0.2 + 0.7 * min(1.0, i / settings.max_iter)),
    )
    crf = None
    if learned:
        report("entities", 0.9)
        crf = CrfTagger(train_crf(workspace, learned, should_stop=should_stop))
    check_stop(should_stop)
    report("done", 1.0)
    return cls(
        id=identifier,
        name=workspace.name or "",
        settings=settings,
        intents=Intents(ids, [names[i] for i in ids], features, weights),
        entities=Entities(lists, regexes, crf),
        example_count=len(rows),
        entity_names={e.id: e.name for e in workspace.entities},
    )
