"""Two-way and three-way merge of workspaces, keeping HF ids, tags and metadata.

Objects are matched by identity (:mod:`hfx.ops._index`), never by id, so a CLU export (which has
no ids) merges onto the HF workspace it came from.

* **3-way** (``base`` given): for every object and field, a change made on one side applies; a
  change made on both sides to different values is a :class:`Conflict`, resolved by ``prefer``.
  An object deleted on one side and changed on the other is a conflict too. Tags merge as sets
  (additions and removals from both sides apply), metadata and ``extra`` per key, annotations per
  span and entity values per key.
* **2-way** (no ``base``): the union of both sides; a field that differs is a conflict resolved by
  ``prefer``; tags are united.

Bookkeeping fields (ids and ``extra``: timestamps, ``source``, ``context``, ``parts``) follow the
same rules but a clash there is settled by ``prefer`` without being reported.

**Lossy sides.** A side that went through a format which cannot hold every field (CLU) is described
by a :class:`Fidelity`. A field the side cannot hold is *unknown* there: its value is taken from the
base (or, without a base, from the other side), so it is neither deleted nor changed by that side.
Objects the side cannot hold at all (unlabelled examples, repeated texts; tags without examples)
are unknown too, not deleted. ``renames`` (the third value returned by
:func:`hfx.formats.clu_json.write_clu`: flat name -> name used in CLU) maps rewritten intent paths and
entity names back to the full names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from hfx import ids
from hfx.errors import show
from hfx.formats.clu_json import SYSTEM_TO_PREBUILT
from hfx.model import Annotation, Entity, EntityValue, Example, Intent, IntentRef, Synonym, Tag, Workspace
from hfx.ops._index import DANGLING, Index, IntentPath, ann_key, show_path
from hfx.ops.diff import infer_renames
from hfx.provenance import from_clu

Prefer = Literal["ours", "theirs"]


@dataclass(frozen=True)
class Fidelity:
    """What a side can hold. ``False`` = that field is unknown on this side (never a deletion)."""

    ids: bool = True
    #: Tags on intents, examples and entities (other than ``kept_tags``) and the tag catalogue.
    tags: bool = True
    #: Tag names the side holds even when ``tags`` is ``False`` (CLU: the test tag, as ``dataset``).
    kept_tags: frozenset[str] = frozenset()
    metadata: bool = True
    descriptions: bool = True
    extra: bool = True
    negatives: bool = True
    unlabelled: bool = True
    multi_intent: bool = True
    #: The same text (and language) more than once.
    duplicates: bool = True
    #: Annotation ``value``/``value_id``/``role``/``entity_id``.
    annotation_details: bool = True
    #: Workspace name, description, language, metadata.
    workspace: bool = True
    #: Root intents the service adds by itself (CLU: ``None``); ignored when they have no examples.
    service_intents: frozenset[str] = frozenset()

    @property
    def lossless(self) -> bool:
        return self == FULL


FULL = Fidelity()


def clu_fidelity(test_tags: tuple[str, ...] | list[str] = ("Test",)) -> Fidelity:
    """What a workspace read back from a CLU project can hold."""
    return Fidelity(
        ids=False,
        tags=False,
        kept_tags=frozenset(test_tags),
        metadata=False,
        descriptions=False,
        extra=False,
        negatives=False,
        unlabelled=False,
        multi_intent=False,
        duplicates=False,
        annotation_details=False,
        workspace=False,
        service_intents=frozenset({"None"}),
    )


def side_fidelity(fmt: str, ws: Workspace, test_tags: tuple[str, ...] | list[str] = ("Test",)) -> Fidelity:
    """What a side can hold: a CLU file, or HF JSON marked as converted from CLU (:mod:`hfx.provenance`), holds
    only what CLU holds; anything else is lossless."""
    return clu_fidelity(test_tags) if fmt == "clu" or from_clu(ws) else FULL


@dataclass(frozen=True)
class Conflict:
    kind: str  # workspace | tag | intent | entity | value | example | annotation
    key: str  # human label of the object
    field: str  # field name, "(deleted)" for delete-vs-change, "(missing intent)"
    base: Any
    ours: Any
    theirs: Any
    resolution: Prefer

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "field": self.field,
            "base": _jsonable(self.base),
            "ours": _jsonable(self.ours),
            "theirs": _jsonable(self.theirs),
            "resolution": self.resolution,
        }


def _jsonable(value: Any) -> Any:
    if value is _ABSENT or value is _MISSING:
        return None
    if isinstance(value, (frozenset, set)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Synonym):
        return value.value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_MISSING = _Sentinel("<no base>")  # the record has no base version
_ABSENT = _Sentinel("<absent>")  # a dict key that does not exist on this side

_BOOKKEEPING = {"id", "entity_id", "value_id", "extra", "shape", "created_at", "updated_at"}
_SETS = {"tags"}
_DICTS = {"metadata", "extra"}
_OPTIONAL = {"clu", "source"}  # typed extensions: absent on one side of a 2-way merge is no conflict (as in a dict)
_KEYED = {"annotations": "annotation", "values": "value"}


# -- records: one side's objects by identity, fields comparable across formats ------------------------


@dataclass
class _Side:
    ws: dict[str, Any]
    tags: dict[str, dict[str, Any]]
    intents: dict[IntentPath, dict[str, Any]]
    entities: dict[str, dict[str, Any]]
    examples: dict[tuple[Any, ...], dict[str, Any]]


def _side(idx: Index, entity_names: dict[str, str] | None = None) -> _Side:
    ws = idx.ws
    en_name = entity_names or {}
    tags = {t.name: {"id": t.id, "color": t.color, "description": t.description, "extra": t.extra} for t in ws.tags}
    intents: dict[IntentPath, dict[str, Any]] = {}
    for intent in ws.intents:
        path = idx.paths.get(intent.id)
        if path is None or path in intents:
            continue
        intents[path] = {
            "id": intent.id,
            "description": intent.description,
            "metadata": intent.metadata,
            "implicit": intent.implicit,
            "clu": intent.clu,
            "tags": _tag_tuple(idx, intent.tags),
            "extra": intent.extra,
            "shape": intent.shape,
        }
    entities: dict[str, dict[str, Any]] = {}
    for e in ws.entities:
        name = en_name.get(e.name, e.name)
        values: dict[tuple[str, str | None], dict[str, Any]] = {}
        for v in e.values:
            lang = None if v.language in (None, ws.language) else v.language
            values.setdefault(
                (v.key, lang),
                {
                    "id": v.id,
                    "language": v.language,
                    "synonyms": tuple(v.synonyms),
                    "extra": v.extra,
                    "shape": v.shape,
                },
            )
        entities.setdefault(
            name,
            {
                "id": e.id,
                "kind": e.kind,
                "system_type": e.system_type,
                "metadata": e.metadata,
                "clu": e.clu,
                "tags": _tag_tuple(idx, e.tags),
                "extra": e.extra,
                "shape": e.shape,
                "values": values,
            },
        )
    examples: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, ex in idx.examples.items():
        annotations: dict[tuple[str, int, int], dict[str, Any]] = {}
        for a in ex.annotations:
            k = ann_key(a)
            if en_name:
                k = (en_name.get(k[0], k[0]), k[1], k[2])
            annotations.setdefault(
                k,
                {
                    "text": a.text,
                    "entity_id": a.entity_id,
                    "value": a.value,
                    "value_id": a.value_id,
                    "role": a.role,
                    "extra": a.extra,
                },
            )
        examples[key] = {
            "id": ex.id,
            "text": ex.text,
            "intents": tuple((idx.path_of(r.intent_id), r.negative) for r in ex.intents),
            "annotations": annotations,
            "tags": _tag_tuple(idx, ex.tags),
            "metadata": ex.metadata,
            "clu": ex.clu,
            "extra": ex.extra,
            "shape": ex.shape,
        }
    return _Side(
        ws={
            "name": ws.name,
            "description": ws.description,
            "language": ws.language,
            "metadata": ws.metadata,
            "source": ws.source,
            "clu": ws.clu,
            "extra": ws.extra,
            "created_at": ws.created_at,
            "updated_at": ws.updated_at,
        },
        tags=tags,
        intents=intents,
        entities=entities,
        examples=examples,
    )


def _tag_tuple(idx: Index, tag_ids: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for t in tag_ids:
        name = idx.tag_names.get(t, t)
        if name not in out:
            out.append(name)
    return tuple(out)


# -- unknown fields of a lossy side --------------------------------------------------------------------


def _restore(
    side: _Side,
    fid: Fidelity,
    primary: _Side | None,
    fallback: _Side | None,
    renamed: dict[IntentPath, IntentPath] | None = None,
) -> None:
    """Replace what ``side`` cannot hold by the reference's values (``primary``, else ``fallback``).

    ``renamed`` maps intent paths of ``side`` to the reference path they were renamed from, so a renamed
    intent keeps its id, tags and metadata.
    """
    renamed = renamed or {}
    forward = {old: new for new, old in renamed.items()}

    def ref(kind: str, key: Any) -> dict[str, Any] | None:
        for s in (primary, fallback):
            if s is not None and key in getattr(s, kind):
                return getattr(s, kind)[key]
        if kind == "intents" and key in renamed:
            return ref(kind, renamed[key])
        return None

    presence = primary if primary is not None else fallback
    if presence is None:
        return
    if not fid.workspace:
        side.ws = dict(presence.ws)

    def common(rec: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        rec = dict(rec)
        if not fid.ids and "id" in rec:
            rec["id"] = r["id"]
        if not fid.extra:
            rec["extra"] = r["extra"]
            if "shape" in rec:
                rec["shape"] = r["shape"]
        if not fid.metadata and "metadata" in rec:
            rec["metadata"] = r["metadata"]
            rec["clu"] = r["clu"]  # the format's details travel with the metadata
            if "implicit" in rec:
                rec["implicit"] = r["implicit"]
        if not fid.descriptions and "description" in rec:
            rec["description"] = r["description"]
        if not fid.tags and "tags" in rec:
            kept = fid.kept_tags
            held = [t for t in rec["tags"] if t in kept]
            rec["tags"] = tuple(
                [t for t in r["tags"] if t not in kept or t in held] + [t for t in held if t not in r["tags"]]
            )
        return rec

    # tags: no catalogue on a tag-less side, so every tag's details and presence are unknown
    if not fid.tags:
        for name in list(side.tags):
            r = ref("tags", name)
            if r is not None:
                side.tags[name] = r
        for name, r in presence.tags.items():
            side.tags.setdefault(name, r)

    # intents
    used = {p for rec in side.examples.values() for p, _ in rec["intents"]}
    for path, rec in list(side.intents.items()):
        r = ref("intents", path)
        if r is not None:
            side.intents[path] = common(rec, r)
        elif path not in used and (
            (not fid.metadata and rec["implicit"]) or (len(path) == 1 and path[0] in fid.service_intents)
        ):
            del side.intents[path]  # made up by the reader for a (rewritten) flat name, or by the service
    ref_used = {p for rec in presence.examples.values() for p, _ in rec["intents"]}
    for path, r in presence.intents.items():
        if path not in side.intents and path not in ref_used and r["implicit"]:
            side.intents[path] = r  # an implicit parent without examples is not written to CLU: unknown there

    # entities and their values
    for name, rec in list(side.entities.items()):
        r = ref("entities", name)
        if r is None:
            continue
        new = common(rec, r)
        if new["kind"] == "system" and r["kind"] == "system" and new["system_type"] != r["system_type"]:
            new["system_type"] = _same_prebuilt(new["system_type"], r["system_type"])
        values = {}
        for vkey, v in rec["values"].items():
            rv = r["values"].get(vkey)
            if rv is not None:
                v = dict(v)
                if not fid.ids:
                    v["id"] = rv["id"]
                if not fid.extra:
                    v["extra"] = rv["extra"]
                    v["shape"] = rv["shape"]
                    v["language"] = rv["language"]
                if not rv["synonyms"] and [s.value for s in v["synonyms"]] == [vkey[0]]:
                    v["synonyms"] = rv["synonyms"]  # the key stood in as the only synonym
            values[vkey] = v
        new["values"] = values
        side.entities[name] = new

    # examples
    for key, rec in list(side.examples.items()):
        r = ref("examples", key)
        if r is None:
            continue
        new = common(rec, r)
        ref_intents = tuple((forward.get(p, p), neg) for p, neg in r["intents"])
        new["intents"] = _restore_intents(rec["intents"], ref_intents, fid)
        if not fid.annotation_details:
            anns = {}
            for akey, a in rec["annotations"].items():
                ra = r["annotations"].get(akey)
                if ra is not None:
                    a = {**a, **{f: ra[f] for f in ("entity_id", "value", "value_id", "role", "extra")}}
                anns[akey] = a
            new["annotations"] = anns
        side.examples[key] = new
    for key, r in presence.examples.items():
        if key in side.examples:
            continue
        positives = [p for p, neg in r["intents"] if not neg]
        if (not positives and not fid.unlabelled) or (key[2] > 0 and not fid.duplicates):
            if forward and any(p in forward for p, _ in r["intents"]):
                r = {**r, "intents": tuple((forward.get(p, p), neg) for p, neg in r["intents"])}
            side.examples[key] = r


def _restore_intents(
    held: tuple[tuple[IntentPath, bool], ...], ref: tuple[tuple[IntentPath, bool], ...], fid: Fidelity
) -> tuple[tuple[IntentPath, bool], ...]:
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


def _same_prebuilt(held: str | None, ref: str | None) -> str | None:
    if held and ref and SYSTEM_TO_PREBUILT.get(held) == SYSTEM_TO_PREBUILT.get(ref):
        return ref
    return held


# -- the merge of records ---------------------------------------------------------------------------------


class _Merger:
    def __init__(self, prefer: Prefer, theirs_order: bool = True) -> None:
        self.prefer = prefer
        self.theirs_order = theirs_order
        self.conflicts: list[Conflict] = []

    def pick(self, o: Any, t: Any) -> Any:
        return o if self.prefer == "ours" else t

    def conflict(self, kind: str, label: str, field: str, b: Any, o: Any, t: Any) -> None:
        self.conflicts.append(Conflict(kind, label, field, b, o, t, self.prefer))

    def collection(
        self,
        kind: str,
        label: Any,
        b: dict[Any, Any] | None,
        o: dict[Any, Any],
        t: dict[Any, Any],
        prefix: str = "",
    ) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        base = b if b is not None else {}
        for k in _order(b, o, t, self.theirs_order):
            name = prefix + label(k)
            in_b, in_o, in_t = k in base, k in o, k in t
            if in_o and in_t:
                out[k] = self.record(kind, name, base[k] if in_b else _MISSING, o[k], t[k])
            elif in_o or in_t:
                present, other = (o, "theirs") if in_o else (t, "ours")
                if not in_b:
                    out[k] = present[k]  # added on one side (or a 2-way union)
                elif present[k] != base[k]:
                    # deleted on one side, changed on the other
                    self.conflict(kind, name, "(deleted)", base[k], o.get(k, _ABSENT), t.get(k, _ABSENT))
                    keep = self.prefer != other
                    if keep:
                        out[k] = present[k]
                # else: deleted on one side, unchanged on the other -> deleted
        return out

    def record(self, kind: str, label: str, b: Any, o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
        if o == t:
            return o
        if b is not _MISSING and o == b:
            return t
        if b is not _MISSING and t == b:
            return o
        out: dict[str, Any] = {}
        for f in o:
            bv = b[f] if b is not _MISSING else _MISSING
            out[f] = self.field(kind, label, f, bv, o[f], t[f])
        return out

    def field(self, kind: str, label: str, f: str, b: Any, o: Any, t: Any) -> Any:
        if o == t:
            return o
        if f in _KEYED:
            sub = _KEYED[f]
            lab = _label_annotation if sub == "annotation" else _label_value
            return self.collection(sub, lab, None if b is _MISSING else b, o, t, prefix=f"{label}: ")
        if f in _SETS:
            return self.tags(b, o, t)
        if f in _DICTS:
            return self.mapping(kind, label, f, b, o, t)
        if f in _OPTIONAL and b is _MISSING and (o is None or t is None):
            return t if o is None else o
        if b is not _MISSING:
            if o == b:
                return t
            if t == b:
                return o
        if f not in _BOOKKEEPING:
            self.conflict(kind, label, f, b, o, t)
        return self.pick(o, t)

    def tags(self, b: Any, o: tuple[str, ...], t: tuple[str, ...]) -> tuple[str, ...]:
        so, st = set(o), set(t)
        if b is _MISSING:
            return tuple(o) + tuple(x for x in t if x not in so)
        sb = set(b)
        if so == sb:
            return t
        if st == sb:
            return o
        keep = (so & st) | (so - sb) | (st - sb)
        return tuple(x for x in o if x in keep) + tuple(x for x in t if x in keep and x not in so)

    def mapping(self, kind: str, label: str, f: str, b: Any, o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
        base = {} if b is _MISSING else b
        out: dict[str, Any] = {}
        for k in list(o) + [k for k in t if k not in o]:
            ov, tv = o.get(k, _ABSENT), t.get(k, _ABSENT)
            bv = base.get(k, _ABSENT) if b is not _MISSING else _MISSING
            if ov == tv:
                v = ov
            elif bv is not _MISSING and ov == bv:
                v = tv
            elif bv is not _MISSING and tv == bv:
                v = ov
            elif bv is _MISSING and (ov is _ABSENT or tv is _ABSENT):
                v = tv if ov is _ABSENT else ov  # 2-way: union
            else:
                if f not in _BOOKKEEPING:
                    self.conflict(kind, label, f"{f}.{k}", bv, ov, tv)
                v = self.pick(ov, tv)
            if v is not _ABSENT:
                out[k] = v
        return out


def _label_annotation(k: tuple[str, int, int]) -> str:
    return f"annotation {k[0]} [{k[1]}, {k[2]})"


def _label_value(k: tuple[str, str | None]) -> str:
    return f"value {show(k[0])}" + (f" ({k[1]})" if k[1] else "")


def _label_example(k: tuple[Any, ...]) -> str:
    text = k[0] if len(k[0]) <= 60 else k[0][:57] + "..."
    return repr(text) + (f" ({k[1]})" if k[1] else "") + (f" #{k[2] + 1}" if k[2] else "")


def _order(b: dict[Any, Any] | None, o: dict[Any, Any], t: dict[Any, Any], theirs_order: bool = True) -> list[Any]:
    """All keys: the backbone side's order with the other side's keys inserted after their predecessor.

    The backbone is theirs when ours kept the base order (so a reorder made by theirs survives) and
    theirs' order is meaningful (not a lossy side), else ours.
    """
    backbone, other = o, t
    if b is not None and theirs_order:
        ours_common = [k for k in o if k in b]
        base_common = [k for k in b if k in o]
        if ours_common == base_common:
            backbone, other = t, o
    after: dict[Any, list[Any]] = {}
    placed = set(backbone)
    prev: Any = _MISSING
    for k in other:
        if k not in placed:
            after.setdefault(prev, []).append(k)
            placed.add(k)
        prev = k
    out: list[Any] = []

    def emit(k: Any) -> None:
        stack = [k]
        while stack:
            cur = stack.pop()
            out.append(cur)
            stack.extend(reversed(after.get(cur, [])))

    for k in after.get(_MISSING, []):
        emit(k)
    for k in backbone:
        emit(k)
    if b is not None:
        out.extend(k for k in b if k not in placed)
    return out


# -- public API ---------------------------------------------------------------------------------------------


def merge(
    ours: Workspace,
    theirs: Workspace,
    base: Workspace | None = None,
    prefer: Prefer = "ours",
    *,
    ours_fidelity: Fidelity = FULL,
    theirs_fidelity: Fidelity = FULL,
    renames: dict[str, str] | None = None,
    delimiter: str = "---",
) -> tuple[Workspace, list[Conflict]]:
    """Merge ``theirs`` into ``ours`` (3-way when ``base`` is given). Returns the merged workspace and
    the conflicts (each already resolved by ``prefer``). The inputs are not modified.

    ``theirs_fidelity=clu_fidelity()`` says THEIRS came through CLU; ``renames`` (old flat name -> name
    in CLU, as returned by ``write_clu``) maps its rewritten intent paths and entity names back.
    """
    if prefer not in ("ours", "theirs"):
        raise ValueError(f"prefer must be 'ours' or 'theirs', not {show(prefer)}")
    ib = Index.build(base) if base is not None else None
    io = Index.build(ours)
    path_map: dict[IntentPath, IntentPath] = {}
    entity_map: dict[str, str] = {}
    if renames:
        path_map, entity_map = _rename_maps(renames, delimiter, [x for x in (ib, io) if x is not None], theirs)
    it = Index.build(theirs, path_map)

    sb = _side(ib) if ib is not None else None
    so = _side(io)
    st = _side(it, entity_map)
    if not theirs_fidelity.lossless:
        _restore(st, theirs_fidelity, sb, so, _renamed(ib or io, it))
    if not ours_fidelity.lossless:
        _restore(so, ours_fidelity, sb, st, _renamed(ib or it, io))

    settled = _settle_renames(ib, io, it, sb, so, st, prefer) if ib is not None and sb is not None else []

    m = _Merger(prefer, theirs_order=theirs_fidelity.lossless)
    ws_rec = m.record("workspace", "workspace", sb.ws if sb else _MISSING, so.ws, st.ws)
    tags = m.collection("tag", str, sb.tags if sb else None, so.tags, st.tags)
    intents = m.collection("intent", show_path, sb.intents if sb else None, so.intents, st.intents)
    entities = m.collection("entity", str, sb.entities if sb else None, so.entities, st.entities)
    examples = m.collection("example", _label_example, sb.examples if sb else None, so.examples, st.examples)
    sides = [s for s in (so, st, sb) if s is not None]
    ws = _rebuild(ws_rec, tags, intents, entities, examples, sides, m)
    return ws, settled + m.conflicts


def _settle_renames(ib: Index, io: Index, it: Index, sb: _Side, so: _Side, st: _Side, prefer: Prefer) -> list[Conflict]:
    """Let intent renames (inferred against BASE) carry the other side's changes along.

    Renamed on one side only: BASE and the other side see the intent (and their example references) under the
    new path, so an example the other side added to the old intent lands in the renamed one. Renamed differently
    on both sides: one ``(renamed)`` conflict; BASE and the losing side move to the winner's path (its examples
    follow), so the result has one intent, not both new paths plus a conflict per example.
    """
    ren_o, ren_t = infer_renames(ib, io), infer_renames(ib, it)
    both = {old for old in ren_o.keys() & ren_t.keys() if ren_o[old] != ren_t[old]}
    move_b: dict[IntentPath, IntentPath] = {}
    move_o: dict[IntentPath, IntentPath] = {}
    move_t: dict[IntentPath, IntentPath] = {}
    conflicts: list[Conflict] = []
    for old in sorted(ren_o.keys() | ren_t.keys()):
        o_new, t_new = ren_o.get(old), ren_t.get(old)
        if o_new is not None and t_new is not None and old in both:
            if prefer == "ours":
                move_b[old], move_t[t_new] = o_new, o_new
            else:
                move_b[old], move_o[o_new] = t_new, t_new
            if old[:-1] not in both:  # a renamed parent stands for its children
                conflicts.append(
                    Conflict("intent", show_path(old), "(renamed)", list(old), list(o_new), list(t_new), prefer)
                )
        elif o_new is not None and t_new is None and old in st.intents and o_new not in st.intents:
            move_b[old], move_t[old] = o_new, o_new
        elif t_new is not None and o_new is None and old in so.intents and t_new not in so.intents:
            move_b[old], move_o[old] = t_new, t_new
    for side, move in ((sb, move_b), (so, move_o), (st, move_t)):
        _move_intents(side, move)
    return conflicts


def _move_intents(side: _Side, move: dict[IntentPath, IntentPath]) -> None:
    move = {a: b for a, b in move.items() if b not in side.intents}  # never overwrite an intent the side has
    if not move:
        return
    side.intents = {move.get(p, p): rec for p, rec in side.intents.items()}
    for key, rec in list(side.examples.items()):
        refs = tuple((move.get(p, p), neg) for p, neg in rec["intents"])
        if refs != rec["intents"]:
            side.examples[key] = {**rec, "intents": refs}  # records may be shared with another side: copy


def _renamed(reference: Index, side: Index) -> dict[IntentPath, IntentPath]:
    """New path on ``side`` -> old path in ``reference`` for intents renamed on ``side`` (same examples)."""
    return {new: old for old, new in infer_renames(reference, side).items()}


def _rename_maps(
    renames: dict[str, str], delimiter: str, refs: list[Index], theirs: Workspace
) -> tuple[dict[IntentPath, IntentPath], dict[str, str]]:
    reverse = {new: old for old, new in renames.items()}
    flat: dict[str, IntentPath] = {}
    names: set[str] = set()
    for idx in refs:
        for path in idx.intents:
            flat.setdefault(delimiter.join(path) if delimiter else path[-1], path)
        names.update(e.name for e in idx.ws.entities)
    path_map: dict[IntentPath, IntentPath] = {}
    for path in theirs.intent_paths().values():
        old = reverse.get(delimiter.join(path))
        if old is not None and old in flat:
            path_map[path] = flat[old]
    entity_map = {e.name: reverse[e.name] for e in theirs.entities if reverse.get(e.name) in names}
    return path_map, entity_map


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


def _rebuild(
    ws_rec: dict[str, Any],
    tags: dict[str, dict[str, Any]],
    intents: dict[IntentPath, dict[str, Any]],
    entities: dict[str, dict[str, Any]],
    examples: dict[tuple[Any, ...], dict[str, Any]],
    sides: list[_Side],
    m: _Merger,
) -> Workspace:
    ws = Workspace(
        name=ws_rec["name"],
        description=ws_rec["description"],
        language=ws_rec["language"],
        metadata=dict(ws_rec["metadata"]),
        extra=dict(ws_rec["extra"]),
        clu=ws_rec["clu"],
        source=ws_rec["source"],
        created_at=ws_rec["created_at"],
        updated_at=ws_rec["updated_at"],
    )
    # tags
    taken: set[str] = set()
    tag_id: dict[str, str] = {}
    for name, rec in tags.items():
        tid = _unique(rec["id"], partial(ids.tag_id, name), taken)
        tag_id[name] = tid
        ws.tags.append(Tag(tid, name, rec["color"], rec["description"], dict(rec["extra"])))

    def tag_ids(names: tuple[str, ...]) -> list[str]:
        return [tag_id.get(n, n) for n in names]

    # intents: every path an example uses must exist, and every parent of a path
    needed = [p for rec in examples.values() for p, _ in rec["intents"] if p[0] != DANGLING]
    for dangling in sorted({p for rec in examples.values() for p, _ in rec["intents"] if p[0] == DANGLING}):
        # kept as it is (nothing invented), but the result is not clean: it names an intent it does not hold
        m.conflict("intent", show_path(dangling), "(unknown intent)", None, None, None)
    for path in needed:
        if path not in intents:
            found = next((s.intents[path] for s in sides if path in s.intents), None)
            m.conflict("intent", show_path(path), "(missing intent)", None, None, None)
            intents[path] = found if found is not None else _blank_intent()
    complete: set[IntentPath] = set()  # paths whose ancestors all exist: each is walked up once
    for path in list(intents):
        prefix = path
        while len(prefix) > 1 and prefix not in complete:
            complete.add(prefix)
            prefix = prefix[:-1]
            if prefix not in intents:
                found = next((s.intents[prefix] for s in sides if prefix in s.intents), None)
                intents[prefix] = found if found is not None else _blank_intent()
    taken = set()
    intent_id: dict[IntentPath, str] = {}
    for path, rec in intents.items():
        intent_id[path] = _unique(rec["id"], partial(ids.intent_id, path), taken)
    for path, rec in intents.items():
        ws.intents.append(
            Intent(
                id=intent_id[path],
                name=path[-1],
                parent_id=intent_id[path[:-1]] if len(path) > 1 else None,
                description=rec["description"],
                metadata=dict(rec["metadata"]),
                tags=tag_ids(rec["tags"]),
                extra=dict(rec["extra"]),
                implicit=rec["implicit"],
                clu=rec["clu"],
                shape=rec["shape"],
            )
        )

    # entities
    taken = set()
    entity_index: dict[str, Entity] = {}
    for name, rec in entities.items():
        e = Entity(
            id=_unique(rec["id"], partial(ids.entity_id, name), taken),
            name=name,
            kind=rec["kind"],
            system_type=rec["system_type"],
            metadata=dict(rec["metadata"]),
            tags=tag_ids(rec["tags"]),
            extra=dict(rec["extra"]),
            clu=rec["clu"],
            shape=rec["shape"],
        )
        vtaken: set[str] = set()
        for (key, _lang), v in rec["values"].items():
            e.values.append(
                EntityValue(
                    id=_unique(v["id"], partial(ids.value_id, name, key, v["language"]), vtaken),
                    key=key,
                    synonyms=[Synonym(s.value, dict(s.extra)) for s in v["synonyms"]],
                    language=v["language"],
                    extra=dict(v["extra"]),
                    shape=v["shape"],
                )
            )
        entity_index[name] = e
        ws.entities.append(e)

    # examples
    taken = set()
    value_ids: dict[str, tuple[set[str], dict[str, str]]] = {}  # entity -> (value ids, first id of each key)
    for key, rec in examples.items():
        refs = [IntentRef(path[1] if path[0] == DANGLING else intent_id[path], neg) for path, neg in rec["intents"]]
        first = next((p for p, neg in rec["intents"] if not neg and p[0] != DANGLING), ())
        ex = Example(
            id=_unique(rec["id"], partial(ids.example_id, key[1], rec["text"], first), taken),
            text=rec["text"],
            intents=refs,
            language=key[1],
            tags=tag_ids(rec["tags"]),
            metadata=dict(rec["metadata"]),
            extra=dict(rec["extra"]),
            clu=rec["clu"],
            shape=rec["shape"],
        )
        for (entity, start, end), a in rec["annotations"].items():
            ex.annotations.append(_annotation(entity, start, end, a, entity_index.get(entity), value_ids))
        ws.examples.append(ex)
    return ws


def _blank_intent() -> dict[str, Any]:
    return {
        "id": None,
        "description": None,
        "metadata": {},
        "implicit": False,
        "clu": None,
        "tags": (),
        "extra": {},
        "shape": None,
    }


def _annotation(
    entity: str,
    start: int,
    end: int,
    a: dict[str, Any],
    e: Entity | None,
    value_ids: dict[str, tuple[set[str], dict[str, str]]],
) -> Annotation:
    entity_id, value_id = a["entity_id"], a["value_id"]
    if e is not None:
        entity_id = e.id
        if value_id is not None:
            known = value_ids.get(e.id)
            if known is None:  # gathered once per entity
                first: dict[str, str] = {}
                for v in e.values:
                    first.setdefault(v.key, v.id)
                known = value_ids[e.id] = ({v.id for v in e.values}, first)
            if value_id not in known[0]:
                value_id = known[1].get(a["value"], value_id)
    return Annotation(
        entity=entity,
        start=start,
        end=end,
        text=a["text"],
        entity_id=entity_id,
        value=a["value"],
        value_id=value_id,
        role=a["role"],
        extra=dict(a["extra"]),
    )


__all__ = ["FULL", "Conflict", "Fidelity", "Prefer", "clu_fidelity", "merge"]
