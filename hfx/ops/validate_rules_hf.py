"""Semantic rules for HF JSON files (codes HF001-HF099), on the parsed JSON."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hfx.errors import pointer, show
from hfx.ops.findings import Findings

LANGUAGE_KEY = "hfx.language"


def objects(parent: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """``(index, item)`` of the objects in ``parent[key]`` (non-objects are left to the schema check)."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def intent_paths(intents: list[tuple[int, dict[str, Any]]]) -> tuple[dict[str, tuple[str, ...]], list[list[int]]]:
    """Full paths by intent id (intents in a cycle / under an unknown parent are left out), and the cycles
    (as lists of positions in ``intents``)."""
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, it in intents:
        iid = _str(it, "id")
        if iid is not None:
            by_id.setdefault(iid, (i, it))
    paths: dict[str, tuple[str, ...]] = {}
    cycles: list[list[int]] = []
    in_cycle: set[str] = set()
    for iid in by_id:
        chain, current, end = _ancestors(iid, by_id, paths)
        if end == "cycle":
            if not in_cycle.intersection(chain):
                cycles.append(sorted(by_id[m][0] for m in chain))
            in_cycle.update(chain)
            continue
        if end == "dangling":
            continue
        prefix = paths[current] if current is not None else ()
        for member in reversed(chain):
            prefix = prefix + (str(by_id[member][1].get("name", "")),)
            paths[member] = prefix
    return paths, cycles


def _ancestors(
    iid: str, by_id: dict[str, tuple[int, dict[str, Any]]], paths: dict[str, tuple[str, ...]]
) -> tuple[list[str], str | None, Literal["root", "cycle", "dangling"]]:
    """The ids from ``iid`` up to the first whose path is known (returned too; ``None`` at the root), how the walk
    ended; for a cycle, its members."""
    chain: list[str] = []
    seen: set[str] = set()
    current: str | None = iid
    while current is not None and current not in paths:
        if current in seen:
            return chain[chain.index(current) :], None, "cycle"
        if current not in by_id:
            return chain, None, "dangling"
        seen.add(current)
        chain.append(current)
        current = _str(by_id[current][1], "parent_intent_id") or None
    return chain, current, "root"


@dataclass
class _Context:
    """What the rules of one file share: the findings, the tag catalogue, the entities and their values."""

    f: Findings
    tag_ids: set[str | None]
    tag_names: set[str | None]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Values of each entity (by ``id()`` of its JSON object), gathered once.
    values: dict[int, _Values] = field(default_factory=dict)
    #: The findings of each distinct entity reference (entity id, name, value id, value), relative to it.
    refs: dict[tuple[Any, ...], Findings] = field(default_factory=dict)

    def check_tag_refs(self, obj: dict[str, Any], *path: str | int) -> None:
        for k, ref in objects(obj, "tags"):
            tid, name = _str(ref, "id"), _str(ref, "name")
            if (tid is not None and tid in self.tag_ids) or (
                tid is None and name is not None and name in self.tag_names
            ):
                continue
            label = tid if tid is not None else name
            self.f.add("HF007", pointer(*path, "tags", k), f"tag {show(label)} is not in the top-level tags list")


def check(root: dict[str, Any], f: Findings) -> None:
    intents = objects(root, "intents")
    examples = objects(root, "examples")
    entities = objects(root, "entities")
    tags = objects(root, "tags")
    _check_duplicate_ids(f, intents, examples, entities, tags)
    ctx = _Context(f, {_str(t, "id") for _, t in tags} - {None}, {_str(t, "name") for _, t in tags} - {None})
    intent_ids = {_str(it, "id") for _, it in intents} - {None}
    paths = _check_intents(ctx, intents, intent_ids)
    for i, en in entities:
        eid, name = _str(en, "id"), _str(en, "name")
        if eid is not None:
            ctx.by_id.setdefault(eid, en)
        if name is not None:
            ctx.by_name.setdefault(name, en)
        ctx.check_tag_refs(en, "entities", i)
    used, by_text = _check_examples(ctx, examples, intent_ids)
    _check_labels(f, intents, paths, by_text)
    # -- empty intents
    parents = {_str(it, "parent_intent_id") for _, it in intents}
    for i, it in intents:
        iid = _str(it, "id")
        if iid and iid not in used and iid not in parents:
            f.add("HF012", pointer("intents", i), f"intent {show(it.get('name'))} has no examples and no children")


_Objects = list[tuple[int, dict[str, Any]]]


def _check_duplicate_ids(
    f: Findings, intents: _Objects, examples: _Objects, entities: _Objects, tags: _Objects
) -> None:
    for kind, items in (("intents", intents), ("examples", examples), ("entities", entities), ("tags", tags)):
        seen: dict[str, int] = {}
        for i, obj in items:
            oid = obj.get("id")
            if isinstance(oid, str) and seen.setdefault(oid, i) != i:
                f.add("HF001", pointer(kind, i, "id"), f"id {show(oid)} is also used by /{kind}/{seen[oid]}")
    value_seen: dict[str, str] = {}
    for i, en in entities:
        for j, v in objects(en, "values"):
            vid = _str(v, "id")
            if vid is None:
                continue
            here = pointer("entities", i, "values", j)
            if vid in value_seen:
                f.add("HF001", here + "/id", f"entity value id {show(vid)} is also used by {value_seen[vid]}")
            else:
                value_seen[vid] = here


def _check_intents(ctx: _Context, intents: _Objects, intent_ids: set[str | None]) -> dict[str, tuple[str, ...]]:
    """Parents, tags, cycles and paths of the intents; returns the full path of each intent id."""
    f = ctx.f
    for i, it in intents:
        parent = _str(it, "parent_intent_id")
        if parent and parent not in intent_ids:
            f.add("HF002", pointer("intents", i, "parent_intent_id"), f"parent intent {show(parent)} does not exist")
        ctx.check_tag_refs(it, "intents", i)
    paths, cycles = intent_paths(intents)
    for members in cycles:
        cycle = " -> ".join(repr(intents_at(intents, m).get("name")) for m in members)
        f.add(
            "HF003", pointer("intents", members[0], "parent_intent_id"), f"intents {cycle} are each other's ancestors"
        )
    owner: dict[tuple[str, ...], int] = {}
    for i, it in intents:
        iid = _str(it, "id")
        path = paths.get(iid) if iid else None
        if path is None:
            continue
        if path in owner:
            f.add(
                "HF013",
                pointer("intents", i, "name"),
                f"intent path {show(' / '.join(path))} is also the path of /intents/{owner[path]}",
            )
        else:
            owner[path] = i
    return paths


_TextKey = tuple[str, "str | None"]
#: An example's position and its positive intent ids.
_Row = tuple[int, set[str]]


def _check_examples(
    ctx: _Context, examples: _Objects, intent_ids: set[str | None]
) -> tuple[set[str], dict[_TextKey, list[_Row]]]:
    """Intent references, tags and spans of the examples; returns the intents used and the labels of each text
    labelled more than once, in the order of their first example.

    The hot loop of ``hfx validate``: one pass over the examples, no lists built per example, and a JSON pointer
    made only for a finding."""
    used: set[str] = set()
    texts: list[str] = []  # of the examples labelled with intents, ...
    labelled: list[_Seen] = []  # ... and those examples
    for i, ex in examples:
        positives = _positives(ctx.f, i, ex, intent_ids)
        used.update(positives)
        if "tags" in ex:
            ctx.check_tag_refs(ex, "examples", i)
        text = ex.get("text")
        if not isinstance(text, str):
            continue
        anns = ex.get("entities")
        if isinstance(anns, list) and anns:
            _check_annotations(anns, text, ctx, i)
        parts = ex.get("parts")
        if isinstance(parts, list):
            _check_parts(parts, text, ctx, i)
        if positives:
            texts.append(text)
            labelled.append((i, positives, ex))
    return used, _by_text(texts, labelled)


#: An example labelled with intents: its position, its positive intent ids, the example.
_Seen = tuple[int, set[str], dict[str, Any]]


def _by_text(texts: list[str], labelled: list[_Seen]) -> dict[_TextKey, list[_Row]]:
    """The examples of each text and language labelled more than once, in the order of their first example."""
    keys = texts if _as_compared(texts) else [_same_text(t) for t in texts]
    if len(set(keys)) == len(keys):  # each text labelled once (the language only splits a group further)
        return {}
    counts = Counter(keys)
    groups: dict[_TextKey, list[_Row]] = {}
    for text, (i, positives, ex) in zip(keys, labelled, strict=True):
        if counts[text] < 2:
            continue
        md = ex.get("metadata")
        lang = md.get(LANGUAGE_KEY) if isinstance(md, dict) else None
        groups.setdefault((text, lang if isinstance(lang, str) else None), []).append((i, positives))
    return {key: rows for key, rows in groups.items() if len(rows) > 1}


def _as_compared(texts: list[str]) -> bool:
    """Whether each text is already what :func:`_same_text` makes of it (the usual case), checked on all of them
    at once (a few C-level scans instead of a dozen Python steps per text).

    Printable texts (checked joined by a printable letter) hold no white space but spaces, and no line break: joined
    by line breaks, each ends at a line break, so a text with a run of spaces or a space at either end puts
    ``"  "``, ``" \\n"`` or ``"\\n "`` in the joined text, or a space at its ends. NFC composes nothing with a line
    break and reorders no combining mark across it: the joined text is NFC exactly when each text is."""
    joined = "\n".join(texts)
    return (
        unicodedata.is_normalized("NFC", joined)
        and "a".join(texts).isprintable()
        and "  " not in joined
        and " \n" not in joined
        and "\n " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
    )


def _same_text(text: str) -> str:
    """What makes two example texts the same: NFC, and runs of white space."""
    norm = text if text.isascii() else unicodedata.normalize("NFC", text)  # ASCII is its own NFC
    # printable: no white space but " " (the separators and controls are not printable); not stripped: no space
    # at either end; then only single spaces between words are left, which the split would keep as they are
    if norm.isprintable() and "  " not in norm and norm.strip() is norm:
        return norm
    return " ".join(norm.split())


def _positives(f: Findings, i: int, ex: dict[str, Any], intent_ids: set[str | None]) -> set[str]:
    """The example's positive intent ids that exist (an unknown one is reported)."""
    positives: set[str] = set()
    refs = ex.get("intents")
    if not isinstance(refs, list):
        return positives
    for j, ref in enumerate(refs):
        if not isinstance(ref, dict):
            continue
        iid = ref.get("intent_id")
        if not isinstance(iid, str):
            continue
        if iid not in intent_ids:
            f.add("HF004", pointer("examples", i, "intents", j, "intent_id"), f"intent {show(iid)} does not exist")
        elif ref.get("negative") is not True:
            positives.add(iid)
    return positives


def _check_labels(
    f: Findings,
    intents: _Objects,
    paths: dict[str, tuple[str, ...]],
    by_text: dict[_TextKey, list[_Row]],
) -> None:
    """The same text labelled with other intents (``by_text``: the texts labelled more than once)."""
    names = {(_str(it, "id") or ""): paths.get(_str(it, "id") or "") for _, it in intents}
    for (text, _lang), rows in by_text.items():
        labels = {p for _, ps in rows for p in ps}
        if len(labels) < 2:
            continue
        shown = sorted(" / ".join(names.get(p) or (p,)) for p in labels)
        first = rows[0][0]
        for i, ps in rows[1:]:
            if ps != rows[0][1]:
                f.add(
                    "HF011",
                    pointer("examples", i, "intents"),
                    f"text {show(text)} is labelled {', '.join(repr(s) for s in shown)} (see /examples/{first})",
                )


def intents_at(intents: list[tuple[int, dict[str, Any]]], position: int) -> dict[str, Any]:
    return next(it for i, it in intents if i == position)


def _ref_findings(ann: dict[str, Any], ctx: _Context) -> Findings:
    """The findings of the entity an annotation (or an entity part) names, and of its value, relative to it.

    A workspace repeats the same references (each annotation is also in its example's ``parts``, and one entity
    value is labelled again and again): each distinct reference is checked once, and its findings are reported
    again at every place it occurs."""
    g = ann.get
    try:  # a reference seen before: one look-up
        return ctx.refs[g("entity_id"), g("name"), g("value_id"), g("value")]
    except (KeyError, TypeError):
        return _check_ref(ann, ctx)


def _check_ref(ann: dict[str, Any], ctx: _Context) -> Findings:
    """The findings of a reference not seen before (remembered, unless a value is a list or an object)."""
    found = Findings(ctx.f.source)
    entity = _entity_of(ann, replace(ctx, f=found), ())
    if entity is not None:
        _check_value(ann, entity, replace(ctx, f=found), ())
    g = ann.get
    try:
        ctx.refs[g("entity_id"), g("name"), g("value_id"), g("value")] = found
    except TypeError:  # unhashable: a list or object where a string belongs (the schema check reports it)
        pass
    return found


def _report(found: Findings, f: Findings, *path: str | int) -> None:
    """Findings relative to a place, reported at ``path``."""
    at = pointer(*path)
    for x in found:
        f.add(x.code, at + x.pointer, x.message)


def _entity_of(ann: dict[str, Any], ctx: _Context, path: tuple[str | int, ...]) -> dict[str, Any] | None:
    f = ctx.f
    eid, name = ann.get("entity_id"), ann.get("name")
    eid = eid if type(eid) is str else None
    name = name if type(name) is str else None
    if eid is not None:
        entity = ctx.by_id.get(eid)
        if entity is None:
            f.add("HF005", pointer(*path, "entity_id"), f"entity {show(eid)} does not exist")
            return None
        if name is not None and entity.get("name") != name:
            f.add(
                "HF014",
                pointer(*path, "name"),
                f"annotation name {show(name)} but entity {show(eid)} is named {show(entity.get('name'))}",
            )
        return entity
    if name is not None:
        entity = ctx.by_name.get(name)
        if entity is None:
            f.add("HF005", pointer(*path, "name"), f"entity {show(name)} does not exist")
        return entity
    return None


class _Values:
    """An entity's value ids and key values, gathered once per entity (annotations of one entity repeat)."""

    __slots__ = ("ids", "keys", "any", "regex", "name")

    def __init__(self, entity: dict[str, Any]) -> None:
        values = [v for _, v in objects(entity, "values")]
        # annotation ids and values are strings: only string ids and keys can equal them
        self.ids = {v.get("id") for v in values if isinstance(v.get("id"), str)}
        self.keys = {v.get("key_value") for v in values if isinstance(v.get("key_value"), str)}
        self.any = bool(values)
        self.regex = entity.get("is_regex") is True
        self.name = entity.get("name")


def _values_of(entity: dict[str, Any], cache: dict[int, _Values]) -> _Values:
    found = cache.get(id(entity))
    if found is None:
        found = cache[id(entity)] = _Values(entity)
    return found


def _check_value(ann: dict[str, Any], entity: dict[str, Any], ctx: _Context, path: tuple[str | int, ...]) -> None:
    vid, value = _str(ann, "value_id"), _str(ann, "value")
    if vid is None and value is None:
        return
    f = ctx.f
    values = _values_of(entity, ctx.values)
    if vid is not None:
        if vid not in values.ids:
            f.add(
                "HF006", pointer(*path, "value_id"), f"value {show(vid)} is not a value of entity {show(values.name)}"
            )
    elif value is not None and values.any and not values.regex:
        if value not in values.keys:
            f.add("HF016", pointer(*path, "value"), f"{show(value)} is not a key_value of entity {show(values.name)}")


def _check_annotations(anns: list[Any], text: str, ctx: _Context, i: int) -> None:
    """The entity references and spans of the annotations of example ``i``."""
    data = None if text.isascii() else text.encode("utf-8", "surrogatepass")  # ASCII: bytes are characters
    for j, ann in enumerate(anns):
        if not isinstance(ann, dict):
            continue
        found = _ref_findings(ann, ctx)
        if found:
            _report(found, ctx.f, "examples", i, "entities", j)
        span = ann.get("span")
        if isinstance(span, dict):
            _check_span(span, ann.get("text"), text, data, ctx.f, i, j)


def _check_span(span: dict[str, Any], atext: Any, text: str, data: bytes | None, f: Findings, i: int, j: int) -> None:
    """The UTF-8 byte span of annotation ``j`` of example ``i``; ``data`` is ``text`` in UTF-8, ``None`` when
    ``text`` is ASCII."""
    lo, hi = span.get("from_character"), span.get("to_character")
    if type(lo) is not int or type(hi) is not int:
        if not (isinstance(lo, int) and not isinstance(lo, bool) and isinstance(hi, int) and not isinstance(hi, bool)):
            return  # the schema check reports the types
    if not isinstance(atext, str):
        atext = None
    if data is None:  # ASCII: bytes are characters, no cut
        if 0 <= lo <= hi <= len(text) and (atext is None or text[lo:hi] == atext):
            return
        data = text.encode("utf-8", "surrogatepass")
    elif 0 <= lo < hi <= len(data):
        try:  # whole characters (a cut, or a lone surrogate, is not UTF-8): ``data`` is UTF-8, from a boundary
            if atext is None or data[lo:hi].decode() == atext:
                return
        except UnicodeDecodeError:
            pass
    _explain_span(lo, hi, atext, data, f, pointer("examples", i, "entities", j, "span"))


def _explain_span(lo: int, hi: int, atext: str | None, data: bytes, f: Findings, at: str) -> None:
    """What is wrong with the span ``[lo, hi)`` of the UTF-8 text ``data``, if anything."""
    size = len(data)
    if lo < 0 or hi < lo or hi > size:
        f.add("HF008", at, f"span [{lo}, {hi}) does not fit the text ({size} UTF-8 bytes)")
        return
    cut = lo if lo < size and 0x80 <= data[lo] <= 0xBF else hi if hi < size and 0x80 <= data[hi] <= 0xBF else -1
    if cut >= 0:
        ch = data[: cut + 4].decode("utf-8", "ignore")[-1:]
        f.add("HF009", at, f"UTF-8 offset {cut} is inside the character {show(ch)}")
        return
    got = data[lo:hi].decode("utf-8", "replace")
    if atext is not None and got != atext:
        f.add("HF010", at, f"the span covers {show(got)} but the annotation text is {show(atext)}")


def _check_parts(parts: list[Any], text: str, ctx: _Context, i: int) -> None:
    """The entity references of the parts of example ``i``, and whether the parts add up to its text."""
    pieces: list[str] = []
    for k, part in enumerate(parts):
        if not isinstance(part, dict):
            return
        ent = part.get("entity")
        if ent is None:  # a text part (the most common)
            piece = part.get("text")
        elif isinstance(ent, dict):
            found = _ref_findings(ent, ctx)
            if found:
                _report(found, ctx.f, "examples", i, "parts", k, "entity")
            piece = ent.get("text")
        else:
            piece = part.get("text")
        pieces.append(piece if isinstance(piece, str) else "")
    joined = "".join(pieces)
    if joined != text:
        ctx.f.add("HF015", pointer("examples", i, "parts"), f"the parts give {show(joined)}, the text is {show(text)}")
