"""The records three-way merge compares: one side's objects by identity, as typed values.

Each record holds the fields of one model object that can differ between sides, with references resolved to
identities (intent paths, tag names, entity names), so a CLU export (no ids) compares with the HF workspace it came
from. Records are immutable tuples: a side shares them with the model's dicts and with the other sides, and two
records compare field by field in one C-level tuple comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from hfx.extensions import CluEntity, CluItem, CluProject, HfShape
from hfx.model import Annotation, Entity, EntityKind, Synonym, Workspace
from hfx.ops._index import AnnotationKey, ExampleKey, Index, IntentPath, ann_key

#: ``(entity value key, language)`` (``None`` = the workspace language).
ValueKey = tuple[str, "str | None"]
#: The intents of an example: ``(path, negative)`` in the example's order.
IntentRefs = tuple[tuple[IntentPath, bool], ...]


class Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING = Sentinel("<no base>")  # the record has no base version
ABSENT = Sentinel("<absent>")  # a key that does not exist on this side


class WorkspaceRec(NamedTuple):
    """The workspace's own fields."""

    name: str | None
    description: str | None
    language: str | None
    metadata: dict[str, str]
    source: str | None
    clu: CluProject | None
    extra: dict[str, Any]
    created_at: str | None
    updated_at: str | None


class TagRec(NamedTuple):
    """A tag, by name."""

    id: str | None
    color: str | None
    description: str | None
    extra: dict[str, Any]


class IntentRec(NamedTuple):
    """An intent, by full path (its name and parent are the path)."""

    id: str | None
    description: str | None
    metadata: dict[str, str]
    #: Made up as the parent of a flat name (hfx's mark; it travels with the metadata).
    implicit: bool
    clu: CluItem | None
    tags: tuple[str, ...]
    extra: dict[str, Any]
    shape: HfShape | None


class EntityRec(NamedTuple):
    """An entity, by name; its values by key and language."""

    id: str | None
    kind: EntityKind
    system_type: str | None
    metadata: dict[str, str]
    clu: CluEntity | None
    tags: tuple[str, ...]
    extra: dict[str, Any]
    shape: HfShape | None
    #: The entity's values: annotations name them, so they merge per key of their own.
    values: dict[ValueKey, ValueRec]


class ValueRec(NamedTuple):
    """An entity value, by key and language."""

    id: str | None
    #: As the source wrote it (the identity counts the workspace language as ``None``).
    language: str | None
    synonyms: tuple[Synonym, ...]
    extra: dict[str, Any]
    shape: HfShape | None


class AnnotationRec(NamedTuple):
    """An annotation, by entity name and span."""

    text: str
    entity_id: str | None
    value: str | None
    value_id: str | None
    role: str | None
    extra: dict[str, Any]


class ExampleRec(NamedTuple):
    """An example, by normalised text, language and occurrence; intents by path."""

    id: str | None
    text: str
    intents: IntentRefs
    annotations: dict[AnnotationKey, AnnotationRec]
    tags: tuple[str, ...]
    metadata: dict[str, str]
    clu: CluItem | None
    extra: dict[str, Any]
    shape: HfShape | None


#: Every kind of record (a conflict's value may be one).
Record = WorkspaceRec | TagRec | IntentRec | ValueRec | EntityRec | AnnotationRec | ExampleRec
RECORD_TYPES = (WorkspaceRec, TagRec, IntentRec, ValueRec, EntityRec, AnnotationRec, ExampleRec)

#: What stands for an intent no side holds (a parent or an example's intent that must exist).
BLANK_INTENT = IntentRec(None, None, {}, False, None, (), {}, None)


@dataclass
class Side:
    """One side's records by identity, in the side's order."""

    ws: WorkspaceRec
    tags: dict[str, TagRec]
    intents: dict[IntentPath, IntentRec]
    entities: dict[str, EntityRec]
    examples: dict[ExampleKey, ExampleRec]

    def intents_used(self) -> set[IntentPath]:
        """The paths the side's examples refer to."""
        return {p for rec in self.examples.values() for p, _ in rec.intents}


def side_of(idx: Index, entity_names: dict[str, str] | None = None) -> Side:
    """The records of ``idx``'s workspace; ``entity_names`` renames entities (CLU-rewritten names back)."""
    ws = idx.ws
    en_name = entity_names or {}
    return Side(
        ws=WorkspaceRec(
            ws.name,
            ws.description,
            ws.language,
            ws.metadata,
            ws.source,
            ws.clu,
            ws.extra,
            ws.created_at,
            ws.updated_at,
        ),
        tags={t.name: TagRec(t.id, t.color, t.description, t.extra) for t in ws.tags},
        intents=_intents(idx),
        entities=_entities(idx, en_name),
        examples=_examples(idx, en_name),
    )


def _intents(idx: Index) -> dict[IntentPath, IntentRec]:
    out: dict[IntentPath, IntentRec] = {}
    for intent in idx.ws.intents:
        path = idx.paths.get(intent.id)
        if path is None or path in out:
            continue
        out[path] = IntentRec(
            intent.id,
            intent.description,
            intent.metadata,
            intent.implicit,
            intent.clu,
            _tag_tuple(idx, intent.tags),
            intent.extra,
            intent.shape,
        )
    return out


def _entities(idx: Index, en_name: dict[str, str]) -> dict[str, EntityRec]:
    out: dict[str, EntityRec] = {}
    for e in idx.ws.entities:
        name = en_name.get(e.name, e.name)
        if name not in out:
            out[name] = EntityRec(
                e.id,
                e.kind,
                e.system_type,
                e.metadata,
                e.clu,
                _tag_tuple(idx, e.tags),
                e.extra,
                e.shape,
                _values(e, idx.ws),
            )
    return out


def _values(e: Entity, ws: Workspace) -> dict[ValueKey, ValueRec]:
    out: dict[ValueKey, ValueRec] = {}
    for v in e.values:
        key = (v.key, None if v.language in (None, ws.language) else v.language)
        if key not in out:
            out[key] = ValueRec(v.id, v.language, tuple(v.synonyms), v.extra, v.shape)
    return out


def _examples(idx: Index, en_name: dict[str, str]) -> dict[ExampleKey, ExampleRec]:
    out: dict[ExampleKey, ExampleRec] = {}
    single: dict[tuple[str, bool], IntentRefs] = {}  # one tuple per intent for the common single-intent example
    for key, ex in idx.examples.items():
        refs = ex.intents
        if len(refs) == 1:
            ref = (refs[0].intent_id, refs[0].negative)
            intents = single.get(ref)
            if intents is None:
                intents = single[ref] = ((idx.path_of(ref[0]), ref[1]),)
        else:
            intents = tuple([(idx.path_of(r.intent_id), r.negative) for r in refs])
        annotations = _annotations(ex.annotations, en_name) if ex.annotations else {}
        tags = _tag_tuple(idx, ex.tags) if ex.tags else ()
        out[key] = ExampleRec(ex.id, ex.text, intents, annotations, tags, ex.metadata, ex.clu, ex.extra, ex.shape)
    return out


#: The fields of an :class:`AnnotationRec`, from an annotation (its attributes of the same names).
_annotation_fields = attrgetter(*AnnotationRec._fields)
#: Makes a record from all its fields in one C call (the NamedTuple's constructor adds a Python call per annotation).
_record = tuple.__new__


def _annotations(annotations: list[Annotation], en_name: dict[str, str]) -> dict[AnnotationKey, AnnotationRec]:
    if not en_name:  # the common case at once; a span annotated twice keeps its first annotation, as below
        out = {ann_key(a): _record(AnnotationRec, _annotation_fields(a)) for a in annotations}
        if len(out) == len(annotations):
            return out
    out = {}
    for a in annotations:
        k = ann_key(a)
        if en_name:
            k = (en_name.get(k[0], k[0]), k[1], k[2])
        if k not in out:
            out[k] = _record(AnnotationRec, _annotation_fields(a))
    return out


def _tag_tuple(idx: Index, tag_ids: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for t in tag_ids:
        name = idx.tag_names.get(t, t)
        if name not in out:
            out.append(name)
    return tuple(out)
