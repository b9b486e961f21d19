"""The typed format extensions (:mod:`hfx.extensions`) in HF JSON: one metadata key, ``hfx``, per object.

HF metadata is ``str -> str`` (what survives a HumanFirst round trip), so the value of ``metadata["hfx"]`` is one
compact JSON document, an object (documented in docs/formats.md)::

    workspace  {"source": "clu", "clu": {"projectKind": ..., "projectFileVersion": ..., "metadata": {...}, ...}}
    intent     {"implicitParent": true, "clu": {"extra": {...}}}
    entity     {"clu": {"compositionSetting": ..., "list": ..., "regex": ..., "extra": {...}, ...}}
    example    {"clu": {"extra": {...}}}

The HF reader parses and checks it once, at the boundary: a bad hand edit is an :class:`~hfx.errors.InputError`
naming the file and the JSON pointer of the metadata value (and, inside it, where the document is wrong). Files of
the previous release carried the same details as separate keys (:data:`JSON_KEYS` and the plain ``clu.*`` strings,
``hfx.implicit_parent``, ``hfx.source``): they are still read. The writers use the typed fields only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hfx.errors import InputError, json_kind, pointer, show
from hfx.extensions import CluEntity, CluItem, CluProject, JsonObject
from hfx.formats.jsontext import parse_json
from hfx.intent_paths import IMPLICIT_PARENT_KEY
from hfx.model import Entity, Example, Intent, Workspace
from hfx.provenance import SOURCE_KEY

#: The metadata key of the extensions document.
HFX_KEY = "hfx"

#: Previous release: metadata keys holding JSON, and the JSON type each must have (``None`` = any JSON value).
JSON_KEYS: dict[str, type | None] = {
    "clu.multilingual": None,  # metadata.multilingual
    "clu.settings": None,  # metadata.settings (confidenceThreshold, ...)
    "clu.extra.metadata": dict,  # unknown keys of the project metadata, verbatim
    "clu.extra.assets": dict,  # unknown keys of assets, verbatim
    "clu.extra.root": dict,  # unknown top-level keys, verbatim
    "clu.extra": dict,  # unknown keys of an intent, entity or utterance, verbatim
    "clu.list": None,  # an entity's list component when HF values cannot carry it
    "clu.prebuilts": None,  # an entity's prebuilt components
    "clu.regex": None,  # an entity's regex component when HF values cannot carry it
    "clu.requiredComponents": None,  # an entity's required components
}
_WORKSPACE_KEYS = ("clu.projectKind", "clu.projectFileVersion", "clu.projectFileVersionKey", "clu.assets.projectKind")
_WORKSPACE_JSON_KEYS = ("clu.multilingual", "clu.settings", "clu.extra.metadata", "clu.extra.assets", "clu.extra.root")
_ENTITY_KEYS = ("clu.compositionSetting", "clu.compositionSetting.empty", "clu.undeclared")
_ENTITY_JSON_KEYS = ("clu.list", "clu.prebuilts", "clu.regex", "clu.requiredComponents", "clu.extra")
_IMPLICIT_TEXT = '{"implicitParent":true}'  # the common document of an intent: read without parsing


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------------------------
# reading (the HF reader's boundary)
# ------------------------------------------------------------------------------------------------


class _Doc:
    """One object's extensions as read from its metadata (which loses the keys read): the ``hfx`` document and
    the keys of the previous release, checked."""

    def __init__(self, metadata: dict[str, str], source: str, path: tuple[str | int, ...]) -> None:
        self.md, self.source, self.path = metadata, source, path
        text = metadata.pop(HFX_KEY, None)
        if text is None:
            self.doc: JsonObject = {}
        elif text == _IMPLICIT_TEXT:
            self.doc = {"implicitParent": True}
        else:
            self.doc = self._object(self._parse(text, HFX_KEY), HFX_KEY, "")

    def fail(self, message: str, key: str = HFX_KEY, inner: str = "") -> InputError:
        where = f" (in the {HFX_KEY} document at {inner})" if inner else ""
        return InputError(message + where, source=self.source, pointer=pointer(*self.path, "metadata", key))

    def _parse(self, text: str, key: str) -> Any:
        try:
            return parse_json(text)
        except InputError as exc:
            raise self.fail(
                f"expected JSON text (details kept by hfx), found {show(text, 40)}: {exc.message}", key
            ) from None

    def _object(self, value: Any, key: str, inner: str) -> JsonObject:
        if not isinstance(value, dict):
            found = json_kind(value)
            raise self.fail(f"expected JSON text holding an object (details kept by hfx), found {found}", key, inner)
        return value

    def section(self, name: str, known: tuple[str, ...]) -> JsonObject:
        """The object ``doc[name]`` (empty when absent), with only ``known`` keys."""
        value = self.doc.get(name)
        if value is None:
            return {}
        section = self._object(value, HFX_KEY, f"/{name}")
        for key in section:
            if key not in known:
                raise self.fail(f"unknown key {show(key)}; expected one of {', '.join(known)}", HFX_KEY, f"/{name}")
        return section

    def known(self, *keys: str) -> None:
        for key in self.doc:
            if key not in keys:
                raise self.fail(f"unknown key {show(key)}; expected one of {', '.join(keys)}", HFX_KEY, "/")

    def typed(self, section: JsonObject, key: str, kind: type, where: str) -> Any:
        """``section[key]`` (``None`` when absent), which must be of ``kind``."""
        value = section.get(key)
        if value is not None and not isinstance(value, kind):
            raise self.fail(f"expected {json_kind(kind())}, found {json_kind(value)}", HFX_KEY, f"{where}/{key}")
        return value

    def old_json(self, key: str) -> Any:
        """The JSON value of the previous release's ``key`` (popped; ``None`` when absent)."""
        text = self.md.pop(key, None)
        if text is None:
            return None
        value = self._parse(text, key)
        if JSON_KEYS[key] is dict:
            self._object(value, key, "")
        return value

    def has_old(self, keys: tuple[str, ...]) -> bool:
        return any(k in self.md for k in keys)


#: The fields of each typed extension in the document's ``clu`` object: key -> (field, JSON type; None: any JSON).
_PROJECT_FIELDS: dict[str, tuple[str, type | None]] = {
    "projectKind": ("project_kind", str),
    "projectFileVersion": ("file_version", str),
    "projectFileVersionKey": ("file_version_key", str),
    "assetsProjectKind": ("assets_project_kind", str),
    "metadata": ("metadata", dict),
    "assets": ("assets", dict),
    "root": ("root", dict),
}
_ENTITY_FIELDS: dict[str, tuple[str, type | None]] = {
    "compositionSetting": ("composition_setting", str),
    "list": ("list", None),
    "prebuilts": ("prebuilts", None),
    "regex": ("regex", None),
    "requiredComponents": ("required_components", None),
    "extra": ("extra", dict),
    "undeclared": ("undeclared", bool),
}
_VERSION_KEYS = ("projectFileVersion", "api-version")


def _typed(
    d: _Doc, spec: dict[str, tuple[str, type | None]], old_keys: tuple[str, ...], old: Callable[[_Doc], JsonObject]
) -> JsonObject | None:
    """The fields of the document's ``clu`` object (checked against ``spec``), then those of the previous
    release's keys (read by ``old``); ``None`` when there is neither."""
    clu = d.section("clu", tuple(spec))
    fields: JsonObject = {}
    for key, (name, kind) in spec.items():
        value = d.typed(clu, key, kind, "/clu") if kind is not None else clu.get(key)
        if value is not None:
            fields[name] = value
    if d.has_old(old_keys):
        fields.update(old(d))
    return fields if "clu" in d.doc or fields else None


def read_workspace(ws: Workspace, metadata: dict[str, str], source: str) -> None:
    """Set ``ws.clu`` and ``ws.source`` from the workspace metadata (the keys read leave it)."""
    d = _Doc(metadata, source, ())
    d.known("source", "clu")
    ws.source = d.typed(d.doc, "source", str, "")
    old_source = metadata.pop(SOURCE_KEY, None)
    if old_source is not None:
        ws.source = old_source
    fields = _typed(d, _PROJECT_FIELDS, _WORKSPACE_KEYS + _WORKSPACE_JSON_KEYS, _old_project)
    if fields is None:
        return
    if fields.get("file_version_key", "projectFileVersion") not in _VERSION_KEYS:
        found = show(fields["file_version_key"])
        raise d.fail(
            f"expected one of {', '.join(_VERSION_KEYS)}, found {found}", HFX_KEY, "/clu/projectFileVersionKey"
        )
    ws.clu = CluProject(**fields)


def _old_project(d: _Doc) -> dict[str, Any]:
    md = d.md
    fields: dict[str, Any] = {}
    for key, (name, _) in zip(_WORKSPACE_KEYS, _PROJECT_FIELDS.values(), strict=False):
        if key in md:
            fields[name] = md.pop(key)
    if "file_version_key" in fields and fields["file_version_key"] != "api-version":
        fields["file_version_key"] = "projectFileVersion"
    meta: JsonObject = {}
    for key in ("multilingual", "settings"):
        if f"clu.{key}" in md:
            meta[key] = d.old_json(f"clu.{key}")
    meta.update(d.old_json("clu.extra.metadata") or {})
    if meta:
        fields["metadata"] = meta
    for key in ("assets", "root"):
        if (value := d.old_json(f"clu.extra.{key}")) is not None:
            fields[key] = value
    return fields


def read_intent(intent: Intent, source: str, path: tuple[str | int, ...]) -> None:
    """Set ``intent.implicit`` and ``intent.clu`` from its metadata."""
    d = _Doc(intent.metadata, source, path)
    d.known("implicitParent", "clu")
    intent.implicit = bool(d.typed(d.doc, "implicitParent", bool, ""))
    if intent.metadata.pop(IMPLICIT_PARENT_KEY, None) == "true":
        intent.implicit = True
    intent.clu = _item(d)


def read_example(example: Example, source: str, path: tuple[str | int, ...]) -> None:
    """Set ``example.clu`` from its metadata."""
    d = _Doc(example.metadata, source, path)
    d.known("clu")
    example.clu = _item(d)


def _item(d: _Doc) -> CluItem | None:
    extra = d.typed(d.section("clu", ("extra",)), "extra", dict, "/clu")
    if "clu.extra" in d.md:
        extra = d.old_json("clu.extra")
    return CluItem(extra) if extra is not None else None


def read_entity(entity: Entity, source: str, path: tuple[str | int, ...]) -> None:
    """Set ``entity.clu`` from its metadata."""
    d = _Doc(entity.metadata, source, path)
    d.known("clu")
    fields = _typed(d, _ENTITY_FIELDS, _ENTITY_KEYS + _ENTITY_JSON_KEYS, _old_entity)
    if fields is not None:
        entity.clu = CluEntity(**fields)


def _old_entity(d: _Doc) -> dict[str, Any]:
    md = d.md
    fields: dict[str, Any] = {}
    if "clu.compositionSetting" in md:
        composition = md.pop("clu.compositionSetting")
        empty = md.pop("clu.compositionSetting.empty", None) == "true"  # present but empty
        fields["composition_setting"] = composition if composition or empty else None
    else:  # not recorded: what an entity that did not come from CLU gets
        fields["composition_setting"] = "combineComponents"
        md.pop("clu.compositionSetting.empty", None)
    if md.pop("clu.undeclared", None) == "true":
        fields["undeclared"] = True
    for key, name in (("list", "list"), ("prebuilts", "prebuilts"), ("regex", "regex")):
        if f"clu.{key}" in md:
            fields[name] = d.old_json(f"clu.{key}")
    for key, name in (("clu.requiredComponents", "required_components"), ("clu.extra", "extra")):
        if key in md:
            fields[name] = d.old_json(key)
    return fields


def implicit_parent(metadata: Any) -> bool:
    """Whether the metadata of an HF intent (as parsed JSON, not yet checked) marks it as an implied parent."""
    if not isinstance(metadata, dict):
        return False
    text = metadata.get(HFX_KEY)
    if text == _IMPLICIT_TEXT or metadata.get(IMPLICIT_PARENT_KEY) == "true":
        return True
    if not isinstance(text, str):
        return False
    try:
        doc = parse_json(text)
    except InputError:
        return False  # reported by the reader's check
    return isinstance(doc, dict) and doc.get("implicitParent") is True


# ------------------------------------------------------------------------------------------------
# writing (the HF writer): the ``hfx`` document of an object, or None
# ------------------------------------------------------------------------------------------------


def _put(out: JsonObject, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def workspace_text(ws: Workspace) -> str | None:
    doc: JsonObject = {}
    _put(doc, "source", ws.source)
    p = ws.clu
    if p is not None:
        clu: JsonObject = {}
        _put(clu, "projectKind", p.project_kind)
        _put(clu, "projectFileVersion", p.file_version)
        if p.file_version_key != "projectFileVersion":
            clu["projectFileVersionKey"] = p.file_version_key
        _put(clu, "assetsProjectKind", p.assets_project_kind)
        _put(clu, "metadata", p.metadata)
        _put(clu, "assets", p.assets)
        _put(clu, "root", p.root)
        doc["clu"] = clu
    return _dump(doc) if doc else None


def intent_text(intent: Intent) -> str | None:
    if intent.clu is None:
        return _IMPLICIT_TEXT if intent.implicit else None
    doc: JsonObject = {"implicitParent": True} if intent.implicit else {}
    doc["clu"] = {"extra": intent.clu.extra}
    return _dump(doc)


def example_text(example: Example) -> str | None:
    return None if example.clu is None else _dump({"clu": {"extra": example.clu.extra}})


def entity_text(entity: Entity) -> str | None:
    e = entity.clu
    if e is None:
        return None
    clu: JsonObject = {}
    _put(clu, "compositionSetting", e.composition_setting)
    _put(clu, "list", e.list)
    _put(clu, "prebuilts", e.prebuilts)
    _put(clu, "regex", e.regex)
    _put(clu, "requiredComponents", e.required_components)
    _put(clu, "extra", e.extra)
    if e.undeclared:
        clu["undeclared"] = True
    return _dump({"clu": clu})
