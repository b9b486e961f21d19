"""HF JSON (HumanFirst) reader and writer.

* Spans in HF JSON are UTF-8 byte offsets (``from_character``/``to_character``, half-open); the model
  uses code points. ``parts`` (ordered text/entity pieces) win over ``entities`` when an example has
  annotations only there; the writer regenerates ``parts`` for examples that had them.
* Keys the model has no field for (``source``, timestamps, ``context``, ``settings``, unknown keys)
  are kept verbatim in ``extra`` and written back after the known keys.
* The typed format extensions (CLU details, hfx's own marks) travel in metadata under one key, ``hfx``
  (:mod:`hfx.formats.clu_extensions`); how an object was written (no timestamps, no ``parts``, ...) is
  kept in its ``shape`` so the same bytes come back.
* The model's languages travel in metadata under ``hfx.language`` (workspace default and, for an
  example, only when it differs from the workspace's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, overload

from hfx.errors import InputError, OffsetError, pointer, shorten, show
from hfx.extensions import HfShape, hf_shape
from hfx.formats import clu_extensions as ext
from hfx.formats.jsontext import Chunk, dumps_json, dumps_json_spliced, iter_json_spliced, parse_json
from hfx.ids import tag_id
from hfx.model import (
    Annotation,
    Entity,
    EntityKind,
    EntityValue,
    Example,
    Intent,
    IntentRef,
    Synonym,
    Tag,
    Workspace,
)
from hfx.offsets import span_from_utf8, span_to_utf8
from hfx.provenance import timestamps

SCHEMA_URL = "https://docs.humanfirst.ai/hf-json-schema.json"
LANGUAGE_KEY = "hfx.language"

_WS_KEYS = {"$schema", "name", "description", "color", "metadata", "examples", "intents", "entities", "tags"}
_INTENT_KEYS = {"id", "name", "parent_intent_id", "description", "metadata", "tags"}
_EXAMPLE_KEYS = ("id", "text", "intents", "entities", "parts", "tags", "metadata")
_ANN_KEYS = frozenset({"entity_id", "name", "text", "span", "value", "value_id", "role"})
_ENTITY_KEYS = {"id", "name", "values", "is_regex", "system_type", "metadata", "tags"}
_VALUE_KEYS = {"id", "key_value", "synonyms", "language"}
_TAG_KEYS = {"id", "name", "color", "description"}
_REF_KEYS = frozenset({"intent_id", "negative"})

_UNTIMED = hf_shape(untimed=True)


# ------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.ids: dict[tuple[str, str], str] = {}

    def unique(self, kind: str, oid: str, path: tuple[str | int, ...]) -> None:
        """Refuse a second object of ``kind`` with id ``oid``: a writer would merge or drop one of them."""
        first = self.ids.setdefault((kind, oid), pointer(*path[:-1]))
        if first != pointer(*path[:-1]):
            raise self.duplicate(kind, oid, path, first)

    def duplicate(self, kind: str, oid: str, path: tuple[str | int, ...], first: str = "") -> InputError:
        also = f"also used by {first}" if first else "used twice"
        return self.fail(f"{kind} id {shorten(repr(oid))} is {also}; ids must be unique", *path)

    def fail(self, message: str, *path: str | int) -> InputError:
        return InputError(message, source=self.source, pointer=pointer(*path))

    def obj(self, value: Any, *path: str | int) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"expected an object, found {_kind(value)}", *path)
        return value

    def arr(self, parent: dict[str, Any], key: str, *path: str | int) -> list[Any]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"expected an array, found {_kind(value)}", *path, key)
        return value

    def string(self, parent: dict[str, Any], key: str, *path: str | int, required: bool = False) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing required string {show(key)}", *path)
            return None
        if not isinstance(value, str):
            raise self.fail(f"expected a string, found {_kind(value)}", *path, key)
        return value

    def metadata(self, parent: dict[str, Any], *path: str | int) -> dict[str, str]:
        value = parent.get("metadata")
        if value is None:
            return {}
        if type(value) is dict and _STRINGS.issuperset(map(type, value.values())):
            return dict(value)
        if not isinstance(value, dict):
            raise self.fail(f"expected an object of strings, found {_kind(value)}", *path, "metadata")
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.fail(f"metadata values must be strings, found {_kind(v)}", *path, "metadata", k)
        return dict(value)

    def identified(self, obj: dict[str, Any], kind: str, *path: str | int) -> tuple[str, str]:
        """``(id, name)`` of an intent or entity: both required, the id unique among its kind."""
        name = self.string(obj, "name", *path, required=True)
        assert name is not None
        oid = self.string(obj, "id", *path)
        if not oid:
            raise self.fail(f"{kind} without an 'id'", *path)
        self.unique(kind, oid, (*path, "id"))
        return oid, name

    def tag_refs(
        self, parent: dict[str, Any], ws_tags: dict[str, Tag], by_name: dict[str, Tag], *path: str | int
    ) -> list[str]:
        out: list[str] = []
        for i, ref in enumerate(self.arr(parent, "tags", *path)):
            ref = self.obj(ref, *path, "tags", i)
            rid = self.string(ref, "id", *path, "tags", i)
            name = self.string(ref, "name", *path, "tags", i)
            if rid:
                if rid not in ws_tags and name and name not in by_name:
                    tag = Tag(id=rid, name=name)
                    ws_tags[rid] = tag
                    by_name[name] = tag
                out.append(rid)
            elif name:
                named = by_name.get(name)
                if named is None:
                    named = Tag(id=tag_id(name), name=name)
                    ws_tags[named.id] = named
                    by_name[name] = named
                out.append(named.id)
            else:
                raise self.fail("a tag reference needs an 'id' or a 'name'", *path, "tags", i)
        return out


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _extra(obj: dict[str, Any], known: set[str] | frozenset[str]) -> dict[str, Any]:
    if known.issuperset(obj):
        return {}
    return {k: v for k, v in obj.items() if k not in known}


def _timed(obj: dict[str, Any]) -> bool:
    """Whether ``obj`` came with its timestamps (without, the writer adds none: the same bytes back)."""
    return "created_at" in obj and "updated_at" in obj


def loads_hf(data: bytes | bytearray | str, *, source: str = "<input>") -> Workspace:
    """Parse HF JSON text. Rejects invalid JSON and payloads that are not a JSON object."""
    return read_hf(parse_json(data, source), source=source)


def read_hf(obj: Any, *, source: str = "<input>") -> Workspace:
    """Build a :class:`Workspace` from parsed HF JSON; raises :class:`InputError` with a JSON pointer."""
    r = _Reader(source)
    root = r.obj(obj)
    ws = Workspace(
        name=r.string(root, "name"),
        description=r.string(root, "description"),
        metadata=r.metadata(root),
        extra=_extra(root, _WS_KEYS - {"$schema", "color"}),
    )
    ws.extra.pop("$schema", None)
    ws.language = ws.metadata.pop(LANGUAGE_KEY, None)
    ext.read_workspace(ws, ws.metadata, source)

    tags = _read_tags(r, root)
    tags_by_name: dict[str, Tag] = {}
    for tag in tags.values():
        tags_by_name.setdefault(tag.name, tag)
    for i, it in enumerate(r.arr(root, "intents")):
        ws.intents.append(_read_intent(r, it, tags, tags_by_name, i))
    for i, en in enumerate(r.arr(root, "entities")):
        ws.entities.append(_read_entity(r, en, tags, tags_by_name, i))

    entity_ids = {e.name: e.id for e in ws.entities}
    for i, ex in enumerate(r.arr(root, "examples")):
        ws.examples.append(_read_example(r, ex, tags, tags_by_name, entity_ids, i))
    if len({ex.id for ex in ws.examples}) != len(ws.examples):
        for i, ex in enumerate(ws.examples):
            r.unique("example", ex.id, ("examples", i, "id"))

    ws.tags = list(tags.values())
    return ws


def _read_tags(r: _Reader, root: dict[str, Any]) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    for i, t in enumerate(r.arr(root, "tags")):
        t = r.obj(t, "tags", i)
        name = r.string(t, "name", "tags", i, required=True)
        assert name is not None
        tid = r.string(t, "id", "tags", i) or tag_id(name)
        if tid in tags:
            raise r.duplicate("tag", tid, ("tags", i, "id"))
        tags[tid] = Tag(
            id=tid,
            name=name,
            color=r.string(t, "color", "tags", i),
            description=r.string(t, "description", "tags", i),
            extra=_extra(t, _TAG_KEYS),
        )
    return tags


def _read_intent(r: _Reader, it: Any, tags: dict[str, Tag], tags_by_name: dict[str, Tag], i: int) -> Intent:
    it = r.obj(it, "intents", i)
    iid, name = r.identified(it, "intent", "intents", i)
    intent = Intent(
        id=iid,
        name=name,
        parent_id=r.string(it, "parent_intent_id", "intents", i) or None,
        description=r.string(it, "description", "intents", i),
        metadata=r.metadata(it, "intents", i),
        tags=r.tag_refs(it, tags, tags_by_name, "intents", i),
        extra=_extra(it, _INTENT_KEYS),
        shape=None if _timed(it) else _UNTIMED,
    )
    if intent.metadata:
        ext.read_intent(intent, r.source, ("intents", i))
    return intent


def _read_entity(r: _Reader, en: Any, tags: dict[str, Tag], tags_by_name: dict[str, Tag], i: int) -> Entity:
    en = r.obj(en, "entities", i)
    eid, name = r.identified(en, "entity", "entities", i)
    values = [_read_value(r, v, ("entities", i, "values", j)) for j, v in enumerate(r.arr(en, "values", "entities", i))]
    is_regex = en.get("is_regex")
    if is_regex is not None and not isinstance(is_regex, bool):
        raise r.fail(f"expected a boolean, found {_kind(is_regex)}", "entities", i, "is_regex")
    system_type = r.string(en, "system_type", "entities", i)
    kind: EntityKind = "regex" if is_regex else "system" if system_type else "list" if values else "learned"
    entity = Entity(
        id=eid,
        name=name,
        kind=kind,
        system_type=system_type,
        values=values,
        metadata=r.metadata(en, "entities", i),
        tags=r.tag_refs(en, tags, tags_by_name, "entities", i),
        extra=_extra(en, _ENTITY_KEYS),
        shape=hf_shape(untimed=not _timed(en), is_regex_false=is_regex is False),
    )
    if entity.metadata:
        ext.read_entity(entity, r.source, ("entities", i))
    return entity


def _read_value(r: _Reader, v: Any, path: tuple[str | int, ...]) -> EntityValue:
    v = r.obj(v, *path)
    synonyms = []
    for k, s in enumerate(r.arr(v, "synonyms", *path)):
        s = r.obj(s, *path, "synonyms", k)
        value = r.string(s, "value", *path, "synonyms", k, required=True)
        assert value is not None
        synonyms.append(Synonym(value=value, extra=_extra(s, {"value"})))
    key = r.string(v, "key_value", *path)
    vid = r.string(v, "id", *path)
    if not vid:
        raise r.fail("entity value without an 'id'", *path)
    r.unique("entity value", vid, (*path, "id"))
    return EntityValue(
        id=vid,
        key=key if key is not None else "",
        synonyms=synonyms,
        language=r.string(v, "language", *path),
        extra=_extra(v, _VALUE_KEYS),
        shape=hf_shape(no_key_value=key is None),
    )


def _read_example(
    r: _Reader, ex: Any, tags: dict[str, Tag], tags_by_name: dict[str, Tag], entity_ids: dict[str, str], i: int
) -> Example:
    # Hot path (every example of a workspace): plain type checks inline, the _Reader helpers only to
    # raise the right error with its pointer.
    if type(ex) is not dict:
        ex = r.obj(ex, "examples", i)
    text, xid = ex.get("text"), ex.get("id")
    if type(text) is not str:
        r.string(ex, "text", "examples", i, required=True)
    if type(xid) is not str or not xid:
        r.string(ex, "id", "examples", i)
        raise r.fail("example without an 'id'", "examples", i)
    intents = ex.get("intents")
    refs = [] if intents is None else _read_refs(r, ex, intents, i)
    metadata = r.metadata(ex, "examples", i) if "metadata" in ex else {}
    language = metadata.pop(LANGUAGE_KEY, None)
    anns = ex.get("entities")
    if anns is None:
        annotations = []
    else:
        if type(anns) is not list:
            r.arr(ex, "entities", "examples", i)
        annotations = [
            _read_annotation(r, a, text, entity_ids, ("examples", i, "entities", j)) for j, a in enumerate(anns)
        ]
    extra = _example_extra(ex)
    parts = ex.get("parts")
    if parts is not None:
        # The parts are only checked when the example has its annotations in ``entities`` (as every export
        # has): their Annotation objects are built only when they are the example's annotations, or to raise
        # the error of a part that does not fit.
        entity_parts = _entity_parts(parts, text)
        if entity_parts < 0 or (entity_parts and not annotations):
            from_parts = _annotations_from_parts(r, parts, text, entity_ids, ("examples", i, "parts"))
            if not annotations:
                annotations = from_parts
        extra["parts"] = parts
    example = Example(  # positionally (the keywords of ten fields cost time on this hot path)
        xid,  # id
        text,
        refs,  # intents
        annotations,
        language,
        r.tag_refs(ex, tags, tags_by_name, "examples", i) if "tags" in ex else [],  # tags
        metadata,
        extra,
        None,  # clu: from the metadata, below
        _EXAMPLE_SHAPES["created_at" not in ex or "updated_at" not in ex, parts is None and bool(annotations)],
    )
    if metadata and (ext.HFX_KEY in metadata or "clu.extra" in metadata):
        ext.read_example(example, r.source, ("examples", i))
    return example


def _example_extra(ex: dict[str, Any]) -> dict[str, Any]:
    """The keys of an example the model has no field for, in their order (as :func:`_extra`: a copy less the known
    keys is quicker on this hot path)."""
    extra = ex.copy()
    for key in _EXAMPLE_KEYS:
        extra.pop(key, None)
    return extra


#: The shape of an example: (read without timestamps, annotated but read without parts) -> shape.
_EXAMPLE_SHAPES: dict[tuple[bool, bool], HfShape | None] = {
    (untimed, no_parts): hf_shape(untimed=untimed, no_parts=no_parts)
    for untimed in (False, True)
    for no_parts in (False, True)
}


def _read_refs(r: _Reader, ex: dict[str, Any], intents: Any, i: int) -> list[IntentRef]:
    refs: list[IntentRef] = []
    if type(intents) is not list:
        r.arr(ex, "intents", "examples", i)
    for j, ref in enumerate(intents):
        if (
            type(ref) is dict
            and type(ref.get("intent_id")) is str
            and _REF_KEYS.issuperset(ref)
            and type(ref.get("negative", False)) is bool
        ):
            refs.append(IntentRef(ref["intent_id"], ref.get("negative", False)))
            continue
        ref = r.obj(ref, "examples", i, "intents", j)
        intent_id = r.string(ref, "intent_id", "examples", i, "intents", j, required=True)
        assert intent_id is not None
        negative = ref.get("negative", False)
        if not isinstance(negative, bool):
            raise r.fail(f"expected a boolean, found {_kind(negative)}", "examples", i, "intents", j, "negative")
        refs.append(IntentRef(intent_id=intent_id, negative=negative, extra=_extra(ref, _REF_KEYS)))
    return refs


def _read_annotation(
    r: _Reader, a: Any, text: str, entity_ids: dict[str, str], path: tuple[str | int, ...]
) -> Annotation:
    if type(a) is not dict:
        a = r.obj(a, *path)
    name, atext = a.get("name"), a.get("text")
    eid, value, vid, role = a.get("entity_id"), a.get("value"), a.get("value_id"), a.get("role")
    if (
        type(name) is not str
        or type(atext) is not str
        or not _OPTIONAL_STRINGS.issuperset((type(eid), type(value), type(vid), type(role)))
    ):
        # Slow path only to raise the right error.
        for key in ("name", "text", "entity_id", "value", "value_id", "role"):
            r.string(a, key, *path, required=key in ("name", "text"))
    span = a.get("span")
    if span is None:
        start = text.find(atext)
        if start < 0 or not atext:
            raise r.fail(f"annotation without a span, and its text {show(atext)} is not in the example", *path)
        end = start + len(atext)
    else:
        start, end = _quick_span(span, text, atext) or _read_span(r, span, text, atext, path)
    extra = {} if _ANN_KEYS.issuperset(a) else _extra(a, _ANN_KEYS)
    return Annotation(name, start, end, atext, eid or entity_ids.get(name), value, vid, role, extra)


def _quick_span(span: Any, text: str, atext: str) -> tuple[int, int] | None:
    """The code-point span of an annotation whose UTF-8 ``span`` selects its text, found the quick way: ASCII text
    as it is (bytes are characters); other text at the first occurrence of the annotation's text when that is
    where the span starts (UTF-8 prefix lengths grow with every character, so only one start can match).
    ``None`` otherwise, for :func:`_read_span` to convert the span or say what is wrong with it."""
    if type(span) is not dict:
        return None
    lo, hi = span.get("from_character"), span.get("to_character")
    if type(lo) is not int or type(hi) is not int or lo < 0:
        return None
    if text.isascii():
        return (lo, hi) if lo <= hi <= len(text) and text[lo:hi] == atext else None
    at = text.find(atext)
    try:
        if at >= 0 and len(text[:at].encode()) == lo and hi - lo == len(atext.encode()):
            return at, at + len(atext)
    except UnicodeEncodeError:  # a lone surrogate: the careful way
        pass
    return None


def _read_span(r: _Reader, span: Any, text: str, atext: str, path: tuple[str | int, ...]) -> tuple[int, int]:
    """The code-point span of an annotation's UTF-8 ``span``, which must select its text."""
    if type(span) is not dict:
        span = r.obj(span, *path, "span")
    lo, hi = span.get("from_character"), span.get("to_character")
    if type(lo) is not int or type(hi) is not int:
        for key, val in (("from_character", lo), ("to_character", hi)):
            if not isinstance(val, int) or isinstance(val, bool):
                raise r.fail(f"expected an integer, found {_kind(val)}", *path, "span", key)
    try:
        start, end = span_from_utf8(text, lo, hi)
    except OffsetError as exc:
        raise r.fail(f"span [{lo}, {hi}) in UTF-8 bytes: {exc}", *path, "span") from None
    if text[start:end] != atext:
        raise r.fail(
            f"span [{lo}, {hi}) in UTF-8 bytes selects {text[start:end]!r} but the annotation text is {show(atext)}",
            *path,
            "span",
        )
    return start, end


def _entity_parts(parts: Any, text: str) -> int:
    """The number of entity parts of ``parts`` when :func:`_annotations_from_parts` accepts them for ``text``
    (a list of objects whose text pieces and entity texts add up to the text; each entity with a string ``name``
    and a non-empty ``text`` found in the example's text, its other fields strings or absent); -1 when it
    might not, for it to raise its error."""
    if type(parts) is not list:
        return -1
    pos = 0
    entities = 0
    for part in parts:
        if type(part) is not dict:
            return -1
        ent = part.get("entity")
        if ent is None:
            piece = part.get("text")
            if type(piece) is str:
                pos += len(piece)
            elif piece is not None:
                return -1
            continue
        if type(ent) is not dict:
            return -1
        get = ent.get
        atext = get("text")
        if (
            type(atext) is not str
            or type(get("name")) is not str
            or not atext
            or atext not in text
            or not _OPTIONAL_STRINGS.issuperset(
                (type(get("entity_id")), type(get("value")), type(get("value_id")), type(get("role")))
            )
        ):
            return -1
        pos += len(atext)
        entities += 1
    return entities if pos == len(text) else -1


#: The types an annotation's optional string fields may have (absent: ``None``).
_OPTIONAL_STRINGS = frozenset({str, type(None)})
_STRINGS = frozenset({str})


def _annotations_from_parts(
    r: _Reader, parts: Any, text: str, entity_ids: dict[str, str], path: tuple[str | int, ...]
) -> list[Annotation]:
    if not isinstance(parts, list):
        raise r.fail(f"expected an array, found {_kind(parts)}", *path)
    out: list[Annotation] = []
    pos = 0
    for k, part in enumerate(parts):
        part = r.obj(part, *path, k)
        ent = part.get("entity")
        if ent is not None:
            a = _read_annotation(
                r, {**r.obj(ent, *path, k, "entity"), "span": None}, text, entity_ids, (*path, k, "entity")
            )
            a.start, a.end = pos, pos + len(a.text)
            pos = a.end
            out.append(a)
        else:
            pos += len(r.string(part, "text", *path, k) or "")
    if pos != len(text):
        raise r.fail("the parts do not add up to the example text", *path)
    return out


# ------------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------------


@overload
def dumps_hf(ws: Workspace, *, release: Literal[False] = False) -> bytes: ...


@overload
def dumps_hf(ws: Workspace, *, release: Literal[True]) -> bytearray: ...


def dumps_hf(ws: Workspace, *, release: bool = False) -> bytes | bytearray:
    """Serialize deterministically: UTF-8, indent 2, trailing newline.

    ``release=True`` (for a caller done with ``ws``) writes the examples a thousand at a time and removes them
    from ``ws`` as they are written, so that the model, the JSON objects and the text are never all held at once
    (the same bytes, in a ``bytearray``: copying them into ``bytes`` would hold the text twice).
    """
    if not release:
        return dumps_json(write_hf(ws))
    tags = ws.tags_by_id()
    head = write_hf(ws, examples=False)
    return dumps_json_spliced(head, "examples", _released_examples(ws, tags, timestamps(ws)))


def iter_hf(ws: Workspace) -> Iterator[Chunk]:
    """The text of ``dumps_hf(ws, release=True)`` in pieces, a thousand examples at a time, for a caller done
    with ``ws`` (the examples are removed as they are written): write it out with
    :func:`hfx.fileio.atomic_write` and the whole text is never held at once."""
    tags = ws.tags_by_id()
    head = write_hf(ws, examples=False)
    return iter_json_spliced(head, "examples", _released_examples(ws, tags, timestamps(ws)))


_CHUNK = 1000


def _released_examples(ws: Workspace, tags: dict[str, Tag], stamps: tuple[str, str]) -> Iterator[list[dict[str, Any]]]:
    pending, ws.examples = ws.examples, []
    pending.reverse()  # taken from the end, in order: each example is dropped as soon as it is written
    while pending:
        yield [_write_example(pending.pop(), ws.language, tags, stamps) for _ in range(min(_CHUNK, len(pending)))]


def _stamp(out: dict[str, Any], shape: HfShape | None, stamps: tuple[str, str]) -> None:
    if shape is None or not shape.untimed:
        out.setdefault("created_at", stamps[0])
        out.setdefault("updated_at", stamps[1])


def write_hf(ws: Workspace, *, examples: bool = True) -> dict[str, Any]:
    """The HF JSON document of ``ws`` (``examples=False``: with an empty ``examples`` list)."""
    tags = ws.tags_by_id()
    stamps = timestamps(ws)
    out: dict[str, Any] = {"$schema": SCHEMA_URL}
    _put(out, "name", ws.name)
    _put(out, "description", ws.description)
    metadata = _metadata(ws.metadata, ext.workspace_text(ws))
    if ws.language is not None:
        metadata[LANGUAGE_KEY] = ws.language
    if metadata:
        out["metadata"] = metadata
    out.update(ws.extra)
    out["examples"] = [_write_example(ex, ws.language, tags, stamps) for ex in ws.examples] if examples else []
    out["intents"] = [_write_intent(it, tags, stamps) for it in ws.intents]
    if ws.entities:
        out["entities"] = [_write_entity(en, tags, stamps) for en in ws.entities]
    if ws.tags:
        out["tags"] = [_write_tag(t) for t in ws.tags]
    return out


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _metadata(metadata: dict[str, str], extensions: str | None) -> dict[str, str]:
    """A copy of ``metadata`` with the object's extensions document (:mod:`hfx.formats.clu_extensions`)."""
    out = dict(metadata)
    if extensions is not None:
        out[ext.HFX_KEY] = extensions
    return out


def _tag_refs(ids: list[str], tags: dict[str, Tag]) -> list[dict[str, str]]:
    return [{"id": t, "name": tags[t].name} if t in tags else {"id": t} for t in ids]


def _write_tag(t: Tag) -> dict[str, Any]:
    out: dict[str, Any] = {"id": t.id, "name": t.name}
    _put(out, "color", t.color)
    _put(out, "description", t.description)
    out.update(t.extra)
    return out


def _write_intent(it: Intent, tags: dict[str, Tag], stamps: tuple[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": it.id, "name": it.name}
    _put(out, "parent_intent_id", it.parent_id)
    _put(out, "description", it.description)
    return _tagged(out, it, ext.intent_text(it), tags, stamps)


def _tagged(
    out: dict[str, Any], obj: Intent | Entity, extensions: str | None, tags: dict[str, Tag], stamps: tuple[str, str]
) -> dict[str, Any]:
    """``out`` with what intents and entities end with: tags, metadata (and extensions), unknown keys, timestamps."""
    if obj.tags:
        out["tags"] = _tag_refs(obj.tags, tags)
    metadata = _metadata(obj.metadata, extensions)
    if metadata:
        out["metadata"] = metadata
    out.update(obj.extra)
    _stamp(out, obj.shape, stamps)
    return out


def _write_entity(en: Entity, tags: dict[str, Tag], stamps: tuple[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": en.id, "name": en.name}
    if en.kind == "regex":
        out["is_regex"] = True
    elif en.shape is not None and en.shape.is_regex_false:
        out["is_regex"] = False
    _put(out, "system_type", en.system_type)
    out["values"] = [_write_value(v) for v in en.values]
    return _tagged(out, en, ext.entity_text(en), tags, stamps)


def _write_value(v: EntityValue) -> dict[str, Any]:
    out: dict[str, Any] = {"id": v.id}
    if not (v.shape is not None and v.shape.no_key_value and v.key == ""):
        out["key_value"] = v.key
    _put(out, "language", v.language)
    if v.synonyms:
        out["synonyms"] = [{"value": s.value, **s.extra} for s in v.synonyms]
    out.update(v.extra)
    return out


def _write_annotation(a: Annotation, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "entity_id", a.entity_id)
    out["name"] = a.entity
    out["text"] = a.text
    lo, hi = span_to_utf8(text, a.start, a.end)
    out["span"] = {"from_character": lo, "to_character": hi}
    _put(out, "value", a.value)
    _put(out, "value_id", a.value_id)
    _put(out, "role", a.role)
    out.update(a.extra)
    return out


def _write_example(
    ex: Example, ws_language: str | None, tags: dict[str, Tag], stamps: tuple[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ex.id, "text": ex.text}
    out["intents"] = [
        {"intent_id": r.intent_id, **({"negative": True} if r.negative else {}), **r.extra} for r in ex.intents
    ]
    written = [_write_annotation(a, ex.text) for a in ex.annotations]
    if written:
        out["entities"] = written
    extra = ex.extra
    stored_parts = extra.get("parts")
    if stored_parts is not None:
        parts = _parts(ex, written)
        out["parts"] = stored_parts if _same_parts(stored_parts, parts) else parts
    elif written and not (ex.shape is not None and ex.shape.no_parts):
        out["parts"] = _parts(ex, written)  # as HumanFirst's own exports carry them
    if ex.tags:
        out["tags"] = _tag_refs(ex.tags, tags)
    metadata = dict(ex.metadata) if ex.clu is None else _metadata(ex.metadata, ext.example_text(ex))
    if ex.language is not None and ex.language != ws_language:
        metadata[LANGUAGE_KEY] = ex.language
    if metadata:
        out["metadata"] = metadata
    if extra:
        out.update(extra if stored_parts is None else {k: v for k, v in extra.items() if k != "parts"})
    _stamp(out, ex.shape, stamps)
    return out


def _parts(ex: Example, written: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The example's ``parts``: its text cut at its annotations, in text order; ``written`` are the annotations as
    written in ``entities`` (a part's entity is one of them without its span)."""
    parts: list[dict[str, Any]] = []
    pos = 0
    for a, out in sorted(zip(ex.annotations, written, strict=True), key=lambda pair: (pair[0].start, pair[0].end)):
        if a.start < pos or a.start == a.end:  # overlapping or empty annotations cannot be expressed as parts
            continue
        if a.start > pos:
            parts.append({"text": ex.text[pos : a.start]})
        entity = out.copy()
        del entity["span"]
        parts.append({"entity": entity})
        pos = a.end
    if pos < len(ex.text):
        parts.append({"text": ex.text[pos:]})
    return parts


def _same_parts(stored: Any, fresh: list[dict[str, Any]]) -> bool:
    if not isinstance(stored, list) or len(stored) != len(fresh):
        return False
    for s, f in zip(stored, fresh, strict=True):
        if not isinstance(s, dict):
            return False
        if "entity" in f:
            ent = s.get("entity")
            if not isinstance(ent, dict) or (s.get("text") or "") != "":
                return False
            if (ent if "span" not in ent else {k: v for k, v in ent.items() if k != "span"}) != f["entity"]:
                return False
        elif s.get("text") != f["text"] or "entity" in s:
            return False
    return True
