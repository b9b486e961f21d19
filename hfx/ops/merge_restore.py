"""The unknown fields of a lossy side (:class:`~hfx.fidelity.Fidelity`), taken from a reference side.

A field the side cannot hold is replaced by the reference's value (the base, else the other side), so the side
neither deletes nor changes it; objects the side cannot hold at all (unlabelled examples, repeated texts, implicit
parents without examples) are copied from the reference. What the side's format cannot tell apart (CLU: system
types written as one prebuilt) comes from the fidelity's hooks, never from format knowledge here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from hfx.fidelity import Fidelity
from hfx.ops._index import IntentPath
from hfx.ops.merge_records import (
    AnnotationRec,
    EntityRec,
    ExampleRec,
    IntentRec,
    IntentRefs,
    Side,
    ValueKey,
    ValueRec,
)


@dataclass
class _Reference:
    """Where a record's reference version is looked up: ``primary``, else ``fallback``."""

    sides: tuple[Side, ...]
    #: Intent path on the restored side -> the reference path it was renamed from.
    renamed: dict[IntentPath, IntentPath]

    def intent(self, path: IntentPath) -> IntentRec | None:
        for _ in range(len(self.renamed) + 1):  # a renamed intent keeps its id, tags and metadata
            for s in self.sides:
                if path in s.intents:
                    return s.intents[path]
            if path not in self.renamed:
                return None
            path = self.renamed[path]
        return None


def restore(
    side: Side,
    fid: Fidelity,
    primary: Side | None,
    fallback: Side | None,
    renamed: dict[IntentPath, IntentPath] | None = None,
) -> None:
    """Replace what ``side`` cannot hold by the reference's values (``primary``, else ``fallback``).

    ``renamed`` maps intent paths of ``side`` to the reference path they were renamed from, so a renamed
    intent keeps its id, tags and metadata.
    """
    presence = primary if primary is not None else fallback
    if presence is None:
        return
    ref = _Reference(tuple(s for s in (primary, fallback) if s is not None), renamed or {})
    if not fid.workspace:
        side.ws = presence.ws
    if not fid.tags:  # no catalogue on a tag-less side, so every tag's details and presence are unknown
        for name in list(side.tags):
            r = next((s.tags[name] for s in ref.sides if name in s.tags), None)
            if r is not None:
                side.tags[name] = r
        for name, tag in presence.tags.items():
            side.tags.setdefault(name, tag)
    _restore_intents(side, fid, ref, presence)
    _restore_entities(side, fid, ref)
    _restore_examples(side, fid, ref, presence)


def _kept_tags(held: tuple[str, ...], reference: tuple[str, ...], fid: Fidelity) -> tuple[str, ...]:
    """The reference's tags, but the ones the side holds (``kept_tags``) as the side has them."""
    if fid.tags or (not held and not reference):
        return held
    kept = fid.kept_tags
    mine = [t for t in held if t in kept]
    return tuple([t for t in reference if t not in kept or t in mine] + [t for t in mine if t not in reference])


def _restore_intents(side: Side, fid: Fidelity, ref: _Reference, presence: Side) -> None:
    used = side.intents_used()
    for path, rec in list(side.intents.items()):
        r = ref.intent(path)
        if r is not None:
            side.intents[path] = IntentRec(
                rec.id if fid.ids else r.id,
                rec.description if fid.descriptions else r.description,
                rec.metadata if fid.metadata else r.metadata,
                rec.implicit if fid.metadata else r.implicit,  # hfx's marks travel with the metadata
                rec.clu if fid.metadata else r.clu,  # the format's details travel with the metadata
                _kept_tags(rec.tags, r.tags, fid),
                rec.extra if fid.extra else r.extra,
                rec.shape if fid.extra else r.shape,
            )
        elif path not in used and (
            (not fid.metadata and rec.implicit) or (len(path) == 1 and path[0] in fid.service_intents)
        ):
            del side.intents[path]  # made up by the reader for a (rewritten) flat name, or by the service
    ref_used = presence.intents_used()
    for path, r in presence.intents.items():
        if path not in side.intents and path not in ref_used and r.implicit:
            side.intents[path] = r  # an implicit parent without examples is not written to CLU: unknown there


def _restore_entities(side: Side, fid: Fidelity, ref: _Reference) -> None:
    for name, rec in list(side.entities.items()):
        r = next((s.entities[name] for s in ref.sides if name in s.entities), None)
        if r is None:
            continue
        system_type = rec.system_type
        if rec.kind == "system" and r.kind == "system" and system_type != r.system_type:
            system_type = _same_system_type(system_type, r.system_type, fid)
        side.entities[name] = EntityRec(
            rec.id if fid.ids else r.id,
            rec.kind,
            system_type,
            rec.metadata if fid.metadata else r.metadata,
            rec.clu if fid.metadata else r.clu,
            _kept_tags(rec.tags, r.tags, fid),
            rec.extra if fid.extra else r.extra,
            rec.shape if fid.extra else r.shape,
            {vkey: _restore_value(vkey, v, r.values.get(vkey), fid) for vkey, v in rec.values.items()},
        )


def _same_system_type(held: str | None, reference: str | None, fid: Fidelity) -> str | None:
    """The reference's system type when the side cannot tell it from the one it holds."""
    key = fid.system_type_key
    if key is not None and held and reference and key(held) == key(reference):
        return reference
    return held


def _restore_value(vkey: ValueKey, v: ValueRec, rv: ValueRec | None, fid: Fidelity) -> ValueRec:
    if rv is None:
        return v
    synonyms = v.synonyms
    if not rv.synonyms and [s.value for s in synonyms] == [vkey[0]]:
        synonyms = rv.synonyms  # the key stood in as the only synonym
    return ValueRec(
        v.id if fid.ids else rv.id,
        v.language if fid.extra else rv.language,
        synonyms,
        v.extra if fid.extra else rv.extra,
        v.shape if fid.extra else rv.shape,
    )


def _restore_examples(side: Side, fid: Fidelity, ref: _Reference, presence: Side) -> None:
    forward = {old: new for new, old in ref.renamed.items()}
    compared = _compared_fields(fid)
    primary, *fallback = [s.examples for s in ref.sides]
    for key, rec in list(side.examples.items()):
        r = primary.get(key)
        if r is None and fallback:
            r = fallback[0].get(key)
        if r is None:
            continue
        ref_intents = tuple((forward.get(p, p), neg) for p, neg in r.intents) if forward else r.intents
        if ref_intents is r.intents and compared(rec) == compared(r):
            side.examples[key] = r  # the common case (the record itself shares its objects: later compares are quick)
        else:
            side.examples[key] = _restored(rec, r, ref_intents, fid)
    for key, r in presence.examples.items():
        if key in side.examples:
            continue
        positives = [p for p, neg in r.intents if not neg]
        if (not positives and not fid.unlabelled) or (key[2] > 0 and not fid.duplicates):
            if forward and any(p in forward for p, _ in r.intents):
                r = r._replace(intents=tuple((forward.get(p, p), neg) for p, neg in r.intents))
            side.examples[key] = r


def _compared_fields(fid: Fidelity) -> Callable[[ExampleRec], tuple[Any, ...]]:
    """The fields of an example that decide whether restoring it from a reference gives the reference's values:
    those the side holds (the others come from the reference whatever the side holds: they are not compared)."""
    names = ["text", "intents", "tags"]
    if fid.ids:
        names.append("id")
    if fid.metadata:
        names += ["metadata", "clu"]
    if fid.extra:
        names += ["extra", "shape"]
    names.append("annotations")  # last: the costliest to compare
    return itemgetter(*(ExampleRec._fields.index(n) for n in names))


def _restored(rec: ExampleRec, r: ExampleRec, ref_intents: IntentRefs, fid: Fidelity) -> ExampleRec:
    """``rec`` with what the side cannot hold from the reference ``r`` (whose intents are ``ref_intents`` on the
    side)."""
    return ExampleRec(
        rec.id if fid.ids else r.id,
        rec.text,
        _restore_refs(rec.intents, ref_intents, fid),
        rec.annotations if fid.annotation_details else _restore_annotations(rec, r),
        _kept_tags(rec.tags, r.tags, fid),
        rec.metadata if fid.metadata else r.metadata,
        rec.clu if fid.metadata else r.clu,
        rec.extra if fid.extra else r.extra,
        rec.shape if fid.extra else r.shape,
    )


def _restore_annotations(rec: ExampleRec, r: ExampleRec) -> dict[tuple[str, int, int], AnnotationRec]:
    """The side's annotations with the reference's details (value, role, ids)."""
    if rec.annotations == r.annotations:
        return rec.annotations
    out = {}
    for akey, a in rec.annotations.items():
        ra = r.annotations.get(akey)
        if ra is not None and ra != a:
            a = AnnotationRec(a.text, ra.entity_id, ra.value, ra.value_id, ra.role, ra.extra)
        out[akey] = a
    return out


def _restore_refs(held: IntentRefs, ref: IntentRefs, fid: Fidelity) -> IntentRefs:
    """The side's intents, with what it cannot hold (more positives, negatives) from the reference."""
    if held == ref:
        return ref
    positives = [p for p, neg in held if not neg]
    negatives = [p for p, neg in held if neg]
    ref_pos = [p for p, neg in ref if not neg]
    if not fid.multi_intent and len(ref_pos) > 1 and positives == ref_pos[:1]:
        positives = ref_pos
    if not fid.negatives:
        negatives = [p for p, neg in ref if neg]
    wanted = {(p, False) for p in positives} | {(p, True) for p in negatives}
    if wanted == set(ref):
        return ref
    return tuple((p, False) for p in positives) + tuple((p, True) for p in negatives)
