"""The merged records back into a :class:`~hfx.model.Workspace`: ids kept where they are free, else derived from
content (:mod:`hfx.ids`), every intent an example uses (and every parent) present."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from hfx import ids
from hfx.model import Annotation, Entity, EntityValue, Example, Intent, IntentRef, Synonym, Tag, Workspace
from hfx.ops._index import DANGLING, AnnotationKey, IntentPath, show_path
from hfx.ops.merge_records import (
    BLANK_INTENT,
    AnnotationRec,
    EntityRec,
    IntentRec,
    IntentRefs,
    Side,
)

#: Reports a conflict: ``(kind, label, field, base, ours, theirs)``.
Report = Callable[[str, str, str, Any, Any, Any], None]


def rebuild(merged: Side, sides: list[Side], conflict: Report) -> Workspace:
    """The workspace of the ``merged`` records (its intents are completed from ``sides``); ``conflict`` hears of
    intents the examples need that the merge dropped."""
    w = merged.ws
    ws = Workspace(
        w.name,
        w.description,
        w.language,
        dict(w.metadata),
        extra=dict(w.extra),
        clu=w.clu,
        source=w.source,
        created_at=w.created_at,
        updated_at=w.updated_at,
    )
    tag_id = _tags(ws, merged)
    _complete_intents(merged, sides, conflict)
    intent_id = _intents(ws, merged, tag_id)
    entity_index = _entities(ws, merged, tag_id)
    _examples(ws, merged, intent_id, entity_index, tag_id)
    return ws


def _unique(proposed: str | None, fallback: Callable[[], str], taken: set[str]) -> str:
    """``proposed`` when it is free, else the content-derived id ``fallback()`` (computed only then), numbered
    when that is taken too."""
    if proposed and proposed not in taken:
        taken.add(proposed)
        return proposed
    cand = fallback()
    if cand in taken:
        base, n = cand, 2
        while cand in taken:
            cand = f"{base}-{n}"
            n += 1
    taken.add(cand)
    return cand


def _tag_ids(tag_id: dict[str, str], names: tuple[str, ...]) -> list[str]:
    return [tag_id.get(n, n) for n in names]


def _annotated(rec: IntentRec | EntityRec, tag_id: dict[str, str]) -> dict[str, Any]:
    """The fields intents and entities share: metadata, tags, ``extra`` and the typed extensions (copied)."""
    return {
        "metadata": dict(rec.metadata),
        "tags": _tag_ids(tag_id, rec.tags),
        "extra": dict(rec.extra),
        "clu": rec.clu,
        "shape": rec.shape,
    }


def _tags(ws: Workspace, merged: Side) -> dict[str, str]:
    """Adds the tags; returns name -> id."""
    taken: set[str] = set()
    tag_id: dict[str, str] = {}
    for name, rec in merged.tags.items():
        tid = _unique(rec.id, partial(ids.tag_id, name), taken)
        tag_id[name] = tid
        ws.tags.append(Tag(tid, name, rec.color, rec.description, dict(rec.extra)))
    return tag_id


def _complete_intents(merged: Side, sides: list[Side], conflict: Report) -> None:
    """Every path an example uses must exist, and every parent of a path."""
    intents, examples = merged.intents, merged.examples

    def found(path: IntentPath) -> IntentRec:
        return next((s.intents[path] for s in sides if path in s.intents), BLANK_INTENT)

    needed = [p for rec in examples.values() for p, _ in rec.intents if p[0] != DANGLING]
    for dangling in sorted({p for rec in examples.values() for p, _ in rec.intents if p[0] == DANGLING}):
        # kept as it is (nothing invented), but the result is not clean: it names an intent it does not hold
        conflict("intent", show_path(dangling), "(unknown intent)", None, None, None)
    for path in needed:
        if path not in intents:
            conflict("intent", show_path(path), "(missing intent)", None, None, None)
            intents[path] = found(path)
    complete: set[IntentPath] = set()  # paths whose ancestors all exist: each is walked up once
    for path in list(intents):
        prefix = path
        while len(prefix) > 1 and prefix not in complete:
            complete.add(prefix)
            prefix = prefix[:-1]
            if prefix not in intents:
                intents[prefix] = found(prefix)


def _intents(ws: Workspace, merged: Side, tag_id: dict[str, str]) -> dict[IntentPath, str]:
    """Adds the intents (parents first as they come); returns path -> id."""
    intents = merged.intents
    taken: set[str] = set()
    intent_id = {path: _unique(rec.id, partial(ids.intent_id, path), taken) for path, rec in intents.items()}
    for path, rec in intents.items():
        ws.intents.append(
            Intent(
                id=intent_id[path],
                name=path[-1],
                parent_id=intent_id[path[:-1]] if len(path) > 1 else None,
                description=rec.description,
                implicit=rec.implicit,
                **_annotated(rec, tag_id),
            )
        )
    return intent_id


def _entities(ws: Workspace, merged: Side, tag_id: dict[str, str]) -> dict[str, Entity]:
    """Adds the entities and their values; returns name -> entity."""
    taken: set[str] = set()
    entity_index: dict[str, Entity] = {}
    for name, rec in merged.entities.items():
        e = Entity(
            id=_unique(rec.id, partial(ids.entity_id, name), taken),
            name=name,
            kind=rec.kind,
            system_type=rec.system_type,
            **_annotated(rec, tag_id),
        )
        vtaken: set[str] = set()
        for (key, _lang), v in rec.values.items():
            e.values.append(
                EntityValue(
                    id=_unique(v.id, partial(ids.value_id, name, key, v.language), vtaken),
                    key=key,
                    synonyms=[Synonym(s.value, dict(s.extra)) for s in v.synonyms],
                    language=v.language,
                    extra=dict(v.extra),
                    shape=v.shape,
                )
            )
        entity_index[name] = e
        ws.entities.append(e)
    return entity_index


def _examples(
    ws: Workspace,
    merged: Side,
    intent_id: dict[IntentPath, str],
    entity_index: dict[str, Entity],
    tag_id: dict[str, str],
) -> None:
    taken: set[str] = set()
    values = {name: _ValueIds(e) for name, e in entity_index.items()}
    for key, rec in merged.examples.items():
        eid = rec.id
        if eid and eid not in taken:  # the common case, without the content-derived id
            taken.add(eid)
        else:
            first = next((p for p, neg in rec.intents if not neg and p[0] != DANGLING), ())
            eid = _unique(None, partial(ids.example_id, key[1], rec.text, first), taken)
        annotations = rec.annotations
        ex = Example(
            id=eid,
            text=rec.text,
            intents=_intent_refs(rec.intents, intent_id),
            annotations=[_annotation(k, a, values.get(k[0])) for k, a in annotations.items()] if annotations else [],
            language=key[1],
            tags=_tag_ids(tag_id, rec.tags) if rec.tags else [],
            metadata=dict(rec.metadata),
            extra=dict(rec.extra),
            clu=rec.clu,
            shape=rec.shape,
        )
        ws.examples.append(ex)


def _intent_refs(refs: IntentRefs, intent_id: dict[IntentPath, str]) -> list[IntentRef]:
    """An example's intents by id (a reference to an unknown id stays as it was)."""
    return [IntentRef(path[1] if path[0] == DANGLING else intent_id[path], neg) for path, neg in refs]


class _ValueIds:
    """An entity's id and its values' ids, which annotations refer to."""

    __slots__ = ("entity_id", "first", "ids")

    def __init__(self, e: Entity) -> None:
        self.entity_id = e.id
        self.ids = {v.id for v in e.values}
        self.first: dict[str, str] = {}  # the first value id of each key
        for v in e.values:
            self.first.setdefault(v.key, v.id)


def _annotation(key: AnnotationKey, a: AnnotationRec, e: _ValueIds | None) -> Annotation:
    """The annotation of ``key``: pointed at the merged entity (``e``) and, when its value id is gone, at the value
    of its key."""
    entity_id, value_id = a.entity_id, a.value_id
    if e is not None:
        entity_id = e.entity_id
        if value_id is not None and value_id not in e.ids and a.value is not None:
            value_id = e.first.get(a.value, value_id)
    entity, start, end = key
    return Annotation(
        entity=entity,
        start=start,
        end=end,
        text=a.text,
        entity_id=entity_id,
        value=a.value,
        value_id=value_id,
        role=a.role,
        extra=dict(a.extra),
    )
