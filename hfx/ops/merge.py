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

Bookkeeping fields (ids, ``shape`` and ``extra``: timestamps, ``source``, ``context``, ``parts``) follow the
same rules but a clash there is settled by ``prefer`` without being reported.

**Lossy sides.** A side that went through a format which cannot hold every field (CLU) is described
by a :class:`~hfx.fidelity.Fidelity` (each format describes itself: CLU in :mod:`hfx.formats.clu_fidelity`);
merge holds no format knowledge. A field the side cannot hold is *unknown* there: its value is taken from the
base (or, without a base, from the other side), so it is neither deleted nor changed by that side.
Objects the side cannot hold at all (unlabelled examples, repeated texts; tags without examples)
are unknown too, not deleted. ``renames`` (the third value returned by
:func:`hfx.formats.clu_json.write_clu`: flat name -> name used in CLU) maps rewritten intent paths and
entity names back to the full names.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from hfx.errors import show
from hfx.fidelity import FULL, Fidelity
from hfx.model import Synonym, Workspace
from hfx.ops._index import Index, IntentPath, show_path
from hfx.ops.diff import infer_renames
from hfx.ops.merge_rebuild import rebuild
from hfx.ops.merge_records import (
    ABSENT,
    MISSING,
    RECORD_TYPES,
    AnnotationRec,
    EntityRec,
    ExampleRec,
    IntentRec,
    Sentinel,
    Side,
    TagRec,
    ValueRec,
    WorkspaceRec,
    side_of,
)
from hfx.ops.merge_restore import restore

Prefer = Literal["ours", "theirs"]


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
    if value is ABSENT or value is MISSING:
        return None
    if isinstance(value, RECORD_TYPES):  # a whole object (deleted on one side, changed on the other)
        return {k: _jsonable(v) for k, v in value._asdict().items()}
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


# -- the merge of records ---------------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
V = TypeVar("V")


def _one_sided(b: Any, o: V, t: V) -> V | Sentinel:
    """The value when at most one side changed it (``b`` is ``MISSING`` without a base), else ``MISSING``."""
    if o == t:
        return o
    if b is not MISSING:
        if o == b:
            return t
        if t == b:
            return o
    return MISSING


class _Merger:
    """Three-way (or, without base, two-way) merge of records; conflicts are collected, resolved by ``prefer``.

    Bookkeeping fields (ids, ``extra``) follow the same rules, but a clash there is settled without a report."""

    def __init__(self, prefer: Prefer, theirs_order: bool = True) -> None:
        self.prefer = prefer
        self.theirs_order = theirs_order
        self.conflicts: list[Conflict] = []

    def pick(self, o: V, t: V) -> V:
        return o if self.prefer == "ours" else t

    def conflict(self, kind: str, label: str, field: str, b: Any, o: Any, t: Any) -> None:
        self.conflicts.append(Conflict(kind, label, field, b, o, t, self.prefer))

    # -- collections of records by identity

    def collection(
        self,
        kind: str,
        label: Callable[[K], str],
        b: dict[K, R] | None,
        o: dict[K, R],
        t: dict[K, R],
        prefix: str = "",
    ) -> dict[K, R]:
        """Records by identity, each merged by :meth:`record` (labelled only when both sides changed it)."""
        out: dict[K, R] = {}
        base = b if b is not None else {}
        for k in _order(b, o, t, self.theirs_order):
            in_o, in_t = k in o, k in t
            if in_o and in_t:
                v = _one_sided(base.get(k, MISSING), o[k], t[k])  # the common case, without the label
                out[k] = self.record(prefix + label(k), base.get(k), o[k], t[k]) if isinstance(v, Sentinel) else v
            elif in_o or in_t:
                present, other = (o, "theirs") if in_o else (t, "ours")
                if k not in base:
                    out[k] = present[k]  # added on one side (or a 2-way union)
                elif present[k] != base[k]:
                    # deleted on one side, changed on the other
                    self.conflict(kind, prefix + label(k), "(deleted)", base[k], o.get(k, ABSENT), t.get(k, ABSENT))
                    if self.prefer != other:
                        out[k] = present[k]
                # else: deleted on one side, unchanged on the other -> deleted
        return out

    # -- fields

    def plain(self, kind: str, label: str, name: str, b: V, o: V, t: V) -> V:
        v = _one_sided(b, o, t)
        if isinstance(v, Sentinel):
            self.conflict(kind, label, name, b, o, t)
            return self.pick(o, t)
        return v

    def quiet(self, b: V, o: V, t: V) -> V:
        """A bookkeeping field (an id): as :meth:`plain`, without a report."""
        v = _one_sided(b, o, t)
        return self.pick(o, t) if isinstance(v, Sentinel) else v

    def tags(self, b: Any, o: tuple[str, ...], t: tuple[str, ...]) -> tuple[str, ...]:
        """Tags merge as sets: additions and removals of both sides apply."""
        if o == t:
            return o
        so, st = set(o), set(t)
        if b is MISSING:
            return tuple(o) + tuple(x for x in t if x not in so)
        sb = set(b)
        if so == sb:
            return t
        if st == sb:
            return o
        keep = (so & st) | (so - sb) | (st - sb)
        return tuple(x for x in o if x in keep) + tuple(x for x in t if x in keep and x not in so)

    def mapping(
        self, kind: str, label: str, name: str, b: Any, o: dict[str, V], t: dict[str, V], report: bool = True
    ) -> dict[str, V]:
        """Metadata and ``extra`` merge per key (``report=False``: bookkeeping, clashes are not reported)."""
        if o == t:
            return o
        base = {} if b is MISSING else b
        out: dict[str, Any] = {}
        for k in list(o) + [k for k in t if k not in o]:
            ov, tv = o.get(k, ABSENT), t.get(k, ABSENT)
            bv = base.get(k, ABSENT) if b is not MISSING else MISSING
            if ov == tv:
                v = ov
            elif bv is not MISSING and ov == bv:
                v = tv
            elif bv is not MISSING and tv == bv:
                v = ov
            elif bv is MISSING and (ov is ABSENT or tv is ABSENT):
                v = tv if ov is ABSENT else ov  # 2-way: union
            else:
                if report:
                    self.conflict(kind, label, f"{name}.{k}", bv, ov, tv)
                v = self.pick(ov, tv)
            if v is not ABSENT:
                out[k] = v
        return out

    def record(self, label: str, b: R | None, o: R, t: R) -> R:
        """Any record, field by field in its order (conflicts are reported in that order) by :data:`_FIELDS`."""
        same = _one_sided(MISSING if b is None else b, o, t)
        if not isinstance(same, Sentinel):
            return same
        rec: Any = o  # one of the record types (NamedTuples)
        theirs: Any = t
        kind, rules = _FIELDS[type(rec)]
        base: Any = b if b is not None else (MISSING,) * len(rules)
        fields = zip(rules, rec._fields, base, rec, theirs, strict=True)
        merged: R = rec._make(rule(self, kind, label, name, bv, ov, tv) for rule, name, bv, ov, tv in fields)
        return merged


#: Merges one field: ``(merger, record kind, record label, field name, base, ours, theirs) -> value``.
Rule = Callable[[_Merger, str, str, str, Any, Any, Any], Any]


def _plain(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
    return m.plain(kind, label, name, b, o, t)


def _bookkeeping(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
    return m.quiet(b, o, t)


def _tag_set(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
    return m.tags(b, o, t)


def _per_key(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
    return m.mapping(kind, label, name, b, o, t)


def _extra(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
    return m.mapping(kind, label, name, b, o, t, report=False)


def _optional(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
    """A typed extension (``clu``, ``source``): absent on one side of a 2-way merge is no conflict, as a key of a
    dict."""
    if o != t and b is MISSING and (o is None or t is None):
        return t if o is None else o
    return m.plain(kind, label, name, b, o, t)


def _keyed(sub_kind: str, sub_label: Callable[[Any], str]) -> Rule:
    """Annotations (per span) and entity values (per key) merge as collections of their own."""

    def rule(m: _Merger, kind: str, label: str, name: str, b: Any, o: Any, t: Any) -> Any:
        if o == t:
            return o
        return m.collection(sub_kind, sub_label, None if b is MISSING else b, o, t, prefix=f"{label}: ")

    return rule


def _label_annotation(k: tuple[str, int, int]) -> str:
    return f"annotation {k[0]} [{k[1]}, {k[2]})"


def _label_value(k: tuple[str, str | None]) -> str:
    return f"value {show(k[0])}" + (f" ({k[1]})" if k[1] else "")


def _label_example(k: tuple[Any, ...]) -> str:
    text = k[0] if len(k[0]) <= 60 else k[0][:57] + "..."
    return repr(text) + (f" ({k[1]})" if k[1] else "") + (f" #{k[2] + 1}" if k[2] else "")


#: Each kind of record: its conflict kind and how each of its fields merges, in the record's field order.
_FIELDS: dict[type, tuple[str, tuple[Rule, ...]]] = {
    WorkspaceRec: (
        "workspace",
        (_plain, _plain, _plain, _per_key, _optional, _optional, _extra, _bookkeeping, _bookkeeping),
    ),
    TagRec: ("tag", (_bookkeeping, _plain, _plain, _extra)),
    IntentRec: ("intent", (_bookkeeping, _plain, _per_key, _plain, _optional, _tag_set, _extra, _bookkeeping)),
    EntityRec: (
        "entity",
        (
            _bookkeeping,
            _plain,
            _plain,
            _per_key,
            _optional,
            _tag_set,
            _extra,
            _bookkeeping,
            _keyed("value", _label_value),
        ),
    ),
    ValueRec: ("value", (_bookkeeping, _plain, _plain, _extra, _bookkeeping)),
    ExampleRec: (
        "example",
        (
            _bookkeeping,
            _plain,
            _plain,
            _keyed("annotation", _label_annotation),
            _tag_set,
            _per_key,
            _optional,
            _extra,
            _bookkeeping,
        ),
    ),
    AnnotationRec: ("annotation", (_plain, _bookkeeping, _plain, _bookkeeping, _plain, _extra)),
}


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
    placed = set(backbone)
    out = _interleave(backbone, _followers(other, placed))
    if b is not None:
        out.extend(k for k in b if k not in placed)
    return out


def _followers(other: dict[Any, Any], placed: set[Any]) -> dict[Any, list[Any]]:
    """The keys of ``other`` not yet ``placed``, by the key they follow in ``other`` (``MISSING``: they come first);
    they are added to ``placed``."""
    after: dict[Any, list[Any]] = {}
    prev: Any = MISSING
    for k in other:
        if k not in placed:
            after.setdefault(prev, []).append(k)
            placed.add(k)
        prev = k
    return after


def _interleave(backbone: dict[Any, Any], after: dict[Any, list[Any]]) -> list[Any]:
    """The keys of ``backbone``, each followed by the keys that follow it (and theirs, depth first)."""
    out: list[Any] = []

    def emit(k: Any) -> None:
        stack = [k]
        while stack:
            cur = stack.pop()
            out.append(cur)
            stack.extend(reversed(after.get(cur, [])))

    for k in after.get(MISSING, []):
        emit(k)
    for k in backbone:
        if k in after:
            emit(k)
        else:
            out.append(k)  # the common case: no key of the other side follows it
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

    ``theirs_fidelity=clu_fidelity()`` (:mod:`hfx.formats.clu_fidelity`) says THEIRS came through CLU;
    ``renames`` (old flat name -> name in CLU, as returned by ``write_clu``) maps its rewritten intent paths and
    entity names back.
    """
    if prefer not in ("ours", "theirs"):
        raise ValueError(f"prefer must be 'ours' or 'theirs', not {show(prefer)}")
    texts: dict[str, str] = {}  # the normalised texts, shared by the three indexes (most texts are on every side)
    ib = Index.build(base, texts=texts) if base is not None else None
    io = Index.build(ours, texts=texts)
    path_map: dict[IntentPath, IntentPath] = {}
    entity_map: dict[str, str] = {}
    if renames:
        path_map, entity_map = _rename_maps(renames, delimiter, [x for x in (ib, io) if x is not None], theirs)
    it = Index.build(theirs, path_map, texts)

    sb = side_of(ib) if ib is not None else None
    so = side_of(io)
    st = side_of(it, entity_map)
    if not theirs_fidelity.lossless:
        restore(st, theirs_fidelity, sb, so, _renamed(ib or io, it))
    if not ours_fidelity.lossless:
        restore(so, ours_fidelity, sb, st, _renamed(ib or it, io))

    settled = _settle_renames(ib, io, it, sb, so, st, prefer) if ib is not None and sb is not None else []

    m = _Merger(prefer, theirs_order=theirs_fidelity.lossless)
    merged = Side(
        m.record("workspace", sb.ws if sb else None, so.ws, st.ws),
        m.collection("tag", str, sb.tags if sb else None, so.tags, st.tags),
        m.collection("intent", show_path, sb.intents if sb else None, so.intents, st.intents),
        m.collection("entity", str, sb.entities if sb else None, so.entities, st.entities),
        m.collection("example", _label_example, sb.examples if sb else None, so.examples, st.examples),
    )
    ws = rebuild(merged, [s for s in (so, st, sb) if s is not None], m.conflict)
    return ws, settled + m.conflicts


def _settle_renames(ib: Index, io: Index, it: Index, sb: Side, so: Side, st: Side, prefer: Prefer) -> list[Conflict]:
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


def _move_intents(side: Side, move: dict[IntentPath, IntentPath]) -> None:
    move = {a: b for a, b in move.items() if b not in side.intents}  # never overwrite an intent the side has
    if not move:
        return
    side.intents = {move.get(p, p): rec for p, rec in side.intents.items()}
    for key, rec in list(side.examples.items()):
        refs = tuple((move.get(p, p), neg) for p, neg in rec.intents)
        if refs != rec.intents:
            side.examples[key] = rec._replace(intents=refs)


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


__all__ = ["FULL", "Conflict", "Fidelity", "Prefer", "merge"]
