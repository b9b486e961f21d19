"""CLU project JSON reader and writer: where a CLU intent, entity or utterance becomes the model and back.

The mapping rules (documented in docs/formats.md):

* Intent ``a---b`` ↔ intent ``b`` under parent ``a`` (``delimiter``; empty = no hierarchy). Parents a flat
  name implies are created once and marked implicit (``Intent.implicit``) so the way back does not add them
  to CLU unless they gained examples.
* Utterance ``dataset: Test`` ↔ the first test tag; anything else is training data.
* Project ``projectName``/``description``/``language`` ↔ workspace name/description/language; every other
  CLU project detail in ``Workspace.clu`` (:class:`~hfx.extensions.CluProject`).
* Entity components: list ↔ list values (per language), regex ↔ regex values, a single prebuilt with an
  HF equivalent ↔ ``system_type``, labels only ↔ learned. What the chosen kind cannot hold is kept in
  ``Entity.clu`` (:class:`~hfx.extensions.CluEntity`) so the way back restores it exactly.
* Unknown keys of intents and utterances: ``Intent.clu`` / ``Example.clu`` (:class:`~hfx.extensions.CluItem`).
* Labels: CLU ``offset``/``length`` in UTF-16 units ↔ model code points (HF writes UTF-8 bytes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hfx.errors import InputError, OffsetError, json_kind, pointer, shorten, show
from hfx.extensions import CluEntity, CluItem, CluProject
from hfx.formats import clu_names, clu_rules
from hfx.formats.jsontext import dumps_json
from hfx.ids import entity_id, example_id, tag_id, value_id
from hfx.intent_paths import PathIndex, join_path, split_name
from hfx.model import Annotation, Entity, EntityValue, Example, Intent, IntentRef, Synonym, Tag, Workspace
from hfx.offsets import span_from_utf16, span_to_utf16
from hfx.provenance import SOURCE_CLU, SOURCE_KEY, timestamps
from hfx.report import Report, Severity

PROJECT_FILE_VERSION = "2023-04-01"
DEFAULT_LANGUAGE = "en-us"

#: CLU prebuilt category → HF system type (read direction).
PREBUILT_TO_SYSTEM = {
    "DateTime": "SYS_DATE_TIME",
    "Quantity.Number": "SYS_NUMBER",
    "Email": "SYS_EMAIL",
    "Phone Number": "SYS_PHONE_NUMBER",
    "URL": "SYS_URL",
}
#: HF system type → CLU prebuilt category (write direction); every HF system type is covered.
SYSTEM_TO_PREBUILT = {
    "SYS_DATE_TIME": "DateTime",
    "SYS_DATE": "DateTime",
    "SYS_TIME": "DateTime",
    "SYS_NUMBER": "Quantity.Number",
    "SYS_EMAIL": "Email",
    "SYS_PHONE_NUMBER": "Phone Number",
    "SYS_URL": "URL",
    "SYS_ZIP_CODE": None,  # no CLU prebuilt: written as a regex component
}
ZIP_CODE_REGEX = r"\b\d{5}(?:-\d{4})?\b"

LIMITS = clu_names.LIMITS

_ROOT_KEYS = {"projectFileVersion", "api-version", "stringIndexType", "metadata", "assets"}
_META_KEYS = {"projectKind", "projectName", "description", "language", "multilingual", "settings"}
_ASSET_KEYS = {"projectKind", "intents", "entities", "utterances"}
_ENTITY_KEYS = {"category", "compositionSetting", "list", "prebuilts", "regex", "requiredComponents"}
_UTT_KEYS = {"text", "intent", "language", "dataset", "entities"}


@dataclass(frozen=True)
class CluReadOptions:
    delimiter: str = "---"
    #: The first tag receives CLU's ``Test`` utterances.
    test_tags: tuple[str, ...] = ("Test",)


@dataclass(frozen=True)
class CluWriteOptions:
    delimiter: str = "---"
    #: Examples carrying any of these tags become ``dataset: Test``.
    test_tags: tuple[str, ...] = ("Test",)
    invalid_names: Literal["error", "rewrite"] = "error"
    project_name: str | None = None
    language: str | None = None
    #: An existing CLU project whose metadata and settings are kept.
    base: dict[str, Any] | None = field(default=None, hash=False)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------------------------
# CLU → model
# ------------------------------------------------------------------------------------------------


def read_clu(
    obj: Any, *, source: str = "<input>", options: CluReadOptions | None = None, consume: bool = False
) -> tuple[Workspace, Report]:
    """Build a :class:`Workspace` from a parsed CLU project file; raises :class:`InputError` with a JSON pointer.

    ``consume=True`` (for a caller done with ``obj``) empties ``obj``'s utterance list as it is read, so that the
    memory of the parsed utterances is reused by the model instead of both being held at once.
    """
    opts = options or CluReadOptions()
    report = Report()

    def fail(message: str, *path: str | int) -> InputError:
        return InputError(message, source=source, pointer=pointer(*path))

    meta, assets = _checked_project(obj, fail)
    ws = _read_project(obj, meta, assets, fail)
    paths = PathIndex(ws)
    _read_intents(assets.get("intents", []), ws, paths, opts, fail)
    entities: dict[str, Entity] = {}
    for i, en in enumerate(assets.get("entities", [])):
        entity = _read_entity(en, ws.language, fail, ("assets", "entities", i))
        _check_category(entity.name, "entity", set(entities), fail, ("assets", "entities", i, "category"))
        entities[entity.name] = entity
        ws.entities.append(entity)
    utterances = _Utterances(ws, paths, entities, opts, report, fail)
    all_utterances = assets.get("utterances", [])
    for i, utt in enumerate(all_utterances):
        ws.examples.append(utterances.read(utt, ("assets", "utterances", i)))
        if consume:
            all_utterances[i] = None
    utterances.report_missing()
    if consume:
        all_utterances.clear()
    _dedupe_example_ids(ws)
    return ws, report


def _checked_project(obj: Any, fail: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(metadata, assets)`` of a project file whose frame (kind, parts, their types) is what CLU documents."""
    if not isinstance(obj, dict):
        raise fail("a CLU project file must be a JSON object")
    for part in ("metadata", "assets"):  # required: without them the file is not a project, not an empty one
        if part not in obj:
            raise fail(f"a CLU project file needs its '{part}' object; this one has none", part)
        if not isinstance(obj[part], dict):
            raise fail(f"a CLU project file needs its '{part}' object, found {json_kind(obj[part])}", part)
    meta, assets = obj["metadata"], obj["assets"]
    kind = meta.get("projectKind", "Conversation")
    if not isinstance(kind, str) or kind.lower() != "conversation":
        raise fail(f"only Conversation projects can be converted, not {shorten(repr(kind))}", "metadata", "projectKind")
    for key in ("intents", "entities", "utterances"):
        if not isinstance(assets.get(key, []), list):
            raise fail("expected an array", "assets", key)
    _check_project_details(obj, meta, assets, fail)
    return meta, assets


def _check_project_details(obj: dict[str, Any], meta: dict[str, Any], assets: dict[str, Any], fail: Any) -> None:
    """The project's details that are strings are strings, and those kept verbatim have CLU's documented shape."""
    for key in ("projectName", "description", "language"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise fail("expected a string", "metadata", key)
    # parts kept verbatim (and written back as they are) must have the shape CLU documents
    _check_part(
        {k: meta[k] for k in ("multilingual", "settings") if k in meta}, "project_metadata", fail, ("metadata",)
    )
    for key in ("projectFileVersion", "api-version"):
        if key in obj and not isinstance(obj[key], str):
            raise fail("expected a string", key)
    if assets.get("projectKind") is not None and not isinstance(assets["projectKind"], str):
        raise fail("expected a string", "assets", "projectKind")
    if obj.get("stringIndexType", "Utf16CodeUnit") != "Utf16CodeUnit":
        raise fail(f"unsupported stringIndexType {show(obj.get('stringIndexType'))}", "stringIndexType")


def _read_project(obj: dict[str, Any], meta: dict[str, Any], assets: dict[str, Any], fail: Any) -> Workspace:
    """The workspace of a checked project file: name, description, language, dates and the project's details."""
    language = meta.get("language")
    ws = Workspace(
        name=_str(meta, "projectName"),
        description=_str(meta, "description"),
        language=language if isinstance(language, str) else None,
        source=SOURCE_CLU,
    )
    project_dates(meta, ws)
    if "projectFileVersion" in obj or "api-version" not in obj:
        version, version_key = str(obj.get("projectFileVersion", PROJECT_FILE_VERSION)), "projectFileVersion"
    else:
        version, version_key = str(obj["api-version"]), "api-version"
    assets_kind = assets.get("projectKind")
    # an explicit null assets.projectKind travels verbatim with the unknown keys
    asset_keys = _ASSET_KEYS if isinstance(assets_kind, str) else _ASSET_KEYS - {"projectKind"}
    kept_meta: dict[str, Any] = {k: meta[k] for k in ("multilingual", "settings") if k in meta}
    kept_meta.update(_unknown(meta, _META_KEYS))
    ws.clu = CluProject(
        project_kind=meta.get("projectKind", "Conversation"),
        file_version=version,
        file_version_key=version_key,
        assets_project_kind=assets_kind if isinstance(assets_kind, str) else None,
        metadata=kept_meta or None,
        assets=_unknown(assets, asset_keys) or None,
        root=_unknown(obj, _ROOT_KEYS) or None,
    )
    return ws


def _unknown(obj: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in known}


def _read_intents(intents: list[Any], ws: Workspace, paths: PathIndex, opts: CluReadOptions, fail: Any) -> None:
    declared: set[str] = set()
    for i, it in enumerate(intents):
        if not isinstance(it, dict) or not isinstance(it.get("category"), str):
            raise fail("an intent needs a string 'category'", "assets", "intents", i)
        _check_category(it["category"], "intent", declared, fail, ("assets", "intents", i, "category"))
        ipath = split_name(it["category"], opts.delimiter)
        implied = paths.by_path.get(ipath)
        if implied is not None and implied.implicit:
            # A parent declared after its child: move it to its own declaration's place so the way
            # back lists the intents in the original order.
            ws.intents.remove(implied)
            ws.intents.append(implied)
        intent = paths.ensure(ipath)
        if len(it) > 1:
            intent.clu = CluItem({k: v for k, v in it.items() if k != "category"})


class _Utterances:
    """Reads the utterances of a project into examples (the state they share: the test tag, the intents found by
    name, the value index, the counts of what was missing)."""

    def __init__(
        self,
        ws: Workspace,
        paths: PathIndex,
        entities: dict[str, Entity],
        opts: CluReadOptions,
        report: Report,
        fail: Any,
    ) -> None:
        self.ws, self.paths, self.entities, self.opts, self.report, self.fail = ws, paths, entities, opts, report, fail
        self.test_tag: Tag | None = None
        self.missing_dataset = self.missing_language = 0
        self.intent_cache: dict[str, tuple[tuple[str, ...], Any]] = {}
        self.value_index: dict[str, _SynonymIndex] = {}

    def read(self, utt: Any, path: tuple[str | int, ...]) -> Example:
        fail = self.fail
        if not isinstance(utt, dict):
            raise fail("an utterance must be an object", *path)
        text, intent_name = utt.get("text"), utt.get("intent")
        if not isinstance(text, str):
            raise fail("an utterance needs a string 'text'", *path, "text")
        if not isinstance(intent_name, str):
            raise fail("an utterance needs a string 'intent'", *path, "intent")
        cached = self.intent_cache.get(intent_name)
        ipath, intent = cached if cached is not None else self.intent(intent_name, path)
        lang = utt.get("language")
        if lang is None:
            self.missing_language += 1
        elif not isinstance(lang, str):
            raise fail("'language' must be a string", *path, "language")
        lang = None if lang == self.ws.language else lang
        ex = Example(id=example_id(lang, text, ipath), text=text, intents=[IntentRef(intent.id)], language=lang)
        self.dataset(utt.get("dataset"), ex, path)
        if not _UTT_KEYS.issuperset(utt):
            ex.clu = CluItem({k: v for k, v in utt.items() if k not in _UTT_KEYS})
        labels = utt.get("entities")
        if labels is None:
            labels = []
        if not isinstance(labels, list):
            raise fail("expected an array", *path, "entities")
        for j, label in enumerate(labels):
            ex.annotations.append(
                _read_label(
                    label, ex, self.entities, self.ws, self.report, fail, (*path, "entities", j), self.value_index
                )
            )
        return ex

    def intent(self, intent_name: str, path: tuple[str | int, ...]) -> tuple[tuple[str, ...], Any]:
        """The path and intent an utterance's intent name names (created, and reported, when undeclared)."""
        if not intent_name.strip():
            raise self.fail("an utterance's intent name is empty (CLU names cannot be empty)", *path, "intent")
        ipath = split_name(intent_name, self.opts.delimiter)
        existing = self.paths.by_path.get(ipath)
        if existing is None or existing.implicit:
            self.report.normalized(
                "CLU_UNDECLARED_INTENT",
                pointer(*path, "intent"),
                f"intent {show(intent_name)} is used but not declared; it was added",
            )
        found = self.intent_cache[intent_name] = (ipath, self.paths.ensure(ipath))
        return found

    def dataset(self, dataset: Any, ex: Example, path: tuple[str | int, ...]) -> None:
        if dataset is None:
            self.missing_dataset += 1
        elif dataset == "Test":
            if self.test_tag is None:
                name = self.opts.test_tags[0] if self.opts.test_tags else "Test"
                self.test_tag = Tag(id=tag_id(name), name=name)
                self.ws.tags.append(self.test_tag)
            ex.tags.append(self.test_tag.id)
        elif dataset != "Train":
            raise self.fail(f"unknown dataset {show(dataset)} (expected Train or Test)", *path, "dataset")

    def report_missing(self) -> None:
        if self.missing_dataset:
            self.report.normalized(
                "CLU_DATASET_MISSING",
                "/assets/utterances",
                f"{self.missing_dataset} utterances have no dataset; read as Train",
            )
        if self.missing_language:
            self.report.normalized(
                "CLU_LANGUAGE_MISSING",
                "/assets/utterances",
                f"{self.missing_language} utterances have no language; read as the project language",
            )


_DATE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")


def project_dates(meta: dict[str, Any], ws: Workspace) -> None:
    """The project's own dates (``createdDateTime``/``lastModifiedDateTime``, in a project file's metadata or
    CLU's project information) become the timestamps of what the HF writer creates, to the second."""
    created, updated = (_DATE.match(v) if isinstance(v := meta.get(k), str) else None for k in _DATE_KEYS)
    if created:
        ws.created_at = created.group(1) + "Z"
    if updated:
        ws.updated_at = updated.group(1) + "Z"


_DATE_KEYS = ("createdDateTime", "lastModifiedDateTime")


def _check_category(name: str, what: str, declared: set[str], fail: Any, path: tuple[str | int, ...]) -> None:
    """An intent or entity category: not empty, declared once (what CLU requires; validate: CLU007/CLU008)."""
    if not name.strip():
        raise fail(f"the {what} name is empty (CLU names cannot be empty)", *path)
    if name in declared:
        raise fail(f"{what} {shorten(repr(name))} is declared twice", *path)
    declared.add(name)


def _str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _dedupe_example_ids(ws: Workspace) -> None:
    seen: dict[str, int] = {}
    for ex in ws.examples:
        n = seen.get(ex.id, 0)
        seen[ex.id] = n + 1
        if n:
            ex.id = f"{ex.id}-{n + 1}"


def _check_part(obj: dict[str, Any], definition: str, fail: Any, path: tuple[str | int, ...]) -> None:
    from hfx.formats.schemas import part_errors

    errors = part_errors(obj, "clu", definition) if obj else []
    if errors:
        where, message = errors[0]
        raise InputError(f"not a valid CLU project: {message}", source=fail("").source, pointer=pointer(*path) + where)


def _read_entity(en: Any, ws_lang: str | None, fail: Any, path: tuple[str | int, ...]) -> Entity:
    if not isinstance(en, dict) or not isinstance(en.get("category"), str):
        raise fail("an entity needs a string 'category'", *path)
    if not _ENTITY_KEYS.isdisjoint(k for k in en if k != "category"):
        _check_part(en, "entity", fail, path)
    name = en["category"]
    entity = Entity(id=entity_id(name), name=name, kind="learned")
    composition = en.get("compositionSetting")
    if composition is not None and not isinstance(composition, str):
        raise fail("expected a string", *path, "compositionSetting")

    lst, prebuilts, regex = en.get("list"), en.get("prebuilts"), en.get("regex")
    # Only components in the exact documented shape become HF values; anything unusual (unknown keys,
    # missing language, non-string synonyms) is kept verbatim so nothing is lost or changed.
    sublists = _documented_part(lst, "sublists", _plain_sublists)
    expressions = _documented_part(regex, "expressions", _plain_expressions)
    if sublists is not None:
        entity.kind = "list"
        entity.values = _read_sublists(name, sublists, ws_lang, fail, (*path, "list", "sublists"))
    elif expressions is not None:
        entity.kind = "regex"
        entity.values = _read_expressions(name, expressions, ws_lang, fail, (*path, "regex", "expressions"))
    system_type = _single_prebuilt(prebuilts)
    if system_type is not None and entity.kind in ("learned", "list"):
        entity.kind = "system"
        entity.system_type = system_type
    # Components the chosen kind does not carry are kept verbatim.
    entity.clu = CluEntity(
        composition_setting=composition,
        list=lst if "list" in en and not (sublists is not None and entity.kind in ("list", "system")) else None,
        prebuilts=prebuilts if "prebuilts" in en and entity.kind != "system" else None,
        regex=regex if "regex" in en and not (expressions is not None and entity.kind == "regex") else None,
        required_components=en.get("requiredComponents"),
        extra=_unknown(en, _ENTITY_KEYS) or None,
    )
    return entity


def _documented_part(component: Any, key: str, plain: Callable[[list[Any]], bool]) -> list[Any] | None:
    """``component[key]`` when the component is ``{key: [...]}`` (not empty) and ``plain`` accepts the list."""
    if not isinstance(component, dict):
        return None
    items = component.get(key)
    if isinstance(items, list) and items and set(component) == {key} and plain(items):
        return items
    return None


def _single_prebuilt(prebuilts: Any) -> str | None:
    """The HF system type of a ``prebuilts`` list that holds exactly one mapped ``{"category": ...}``, else None."""
    if isinstance(prebuilts, list) and len(prebuilts) == 1 and isinstance(prebuilts[0], dict):
        category = prebuilts[0].get("category")
        if set(prebuilts[0]) == {"category"} and isinstance(category, str):
            return PREBUILT_TO_SYSTEM.get(category)
    return None


def _plain_sublists(sublists: list[Any]) -> bool:
    for sl in sublists:
        if (
            not isinstance(sl, dict)
            or set(sl) != {"listKey", "synonyms"}
            or not isinstance(sl["listKey"], str)
            or not isinstance(sl["synonyms"], list)
        ):
            return False
        for group in sl["synonyms"]:
            if (
                not isinstance(group, dict)
                or set(group) != {"language", "values"}
                or not isinstance(group["language"], str)
                or not isinstance(group["values"], list)
                or not all(isinstance(v, str) for v in group["values"])
            ):
                return False
    return True


def _plain_expressions(expressions: list[Any]) -> bool:
    keys = {"regexKey", "language", "regexPattern"}
    return all(
        isinstance(ex, dict) and set(ex) == keys and all(isinstance(ex[k], str) for k in keys) for ex in expressions
    )


def _read_sublists(
    name: str, sublists: list[Any], ws_lang: str | None, fail: Any, path: tuple[str | int, ...]
) -> list[EntityValue]:
    values: list[EntityValue] = []
    used: set[str] = set()
    keys: set[str] = set()
    for i, sl in enumerate(sublists):
        if not isinstance(sl, dict) or not isinstance(sl.get("listKey"), str):
            raise fail("a sublist needs a string 'listKey'", *path, i)
        key = sl["listKey"]
        if key in keys:
            raise fail(
                f"list key {shorten(repr(key))} of entity {shorten(repr(name))} is used by two sublists",
                *path,
                i,
                "listKey",
            )
        keys.add(key)
        groups = sl.get("synonyms") or []
        if not isinstance(groups, list):
            raise fail("expected an array", *path, i, "synonyms")
        if not groups:
            values.append(_unique_value(name, key, None, [], used))
        for j, group in enumerate(groups):
            if not isinstance(group, dict) or not isinstance(group.get("values", []), list):
                raise fail("a synonyms entry needs a 'values' array", *path, i, "synonyms", j)
            lang = group.get("language")
            synonyms = [Synonym(str(v)) for v in group.get("values", [])]
            if lang in (None, ws_lang):
                # The project language stays implicit, except on an empty synonyms group: a value without
                # synonyms and language stands for a sublist with no synonyms groups at all.
                lang = None if synonyms or ws_lang is None else ws_lang
            else:
                lang = str(lang)
            values.append(_unique_value(name, key, lang, synonyms, used))
    return values


def _read_expressions(
    name: str, expressions: list[Any], ws_lang: str | None, fail: Any, path: tuple[str | int, ...]
) -> list[EntityValue]:
    values: list[EntityValue] = []
    used: set[str] = set()
    for i, ex in enumerate(expressions):
        if not isinstance(ex, dict) or not isinstance(ex.get("regexPattern"), str):
            raise fail("a regex expression needs a string 'regexPattern'", *path, i)
        key = str(ex.get("regexKey", ""))
        lang = ex.get("language")
        lang = None if lang in (None, ws_lang) else str(lang)
        values.append(_unique_value(name, key, lang, [Synonym(ex["regexPattern"])], used))
    return values


def _unique_value(entity: str, key: str, lang: str | None, synonyms: list[Synonym], used: set[str]) -> EntityValue:
    vid = value_id(entity, key, lang)
    n = 1
    while vid in used:
        n += 1
        vid = value_id(entity, key, lang) + f"-{n}"
    used.add(vid)
    return EntityValue(id=vid, key=key, synonyms=synonyms, language=lang)


def _read_label(
    label: Any,
    ex: Example,
    entities: dict[str, Entity],
    ws: Workspace,
    report: Report,
    fail: Any,
    path: tuple[str | int, ...],
    value_index: dict[str, _SynonymIndex],
) -> Annotation:
    # Hot path (every label of a project): plain type checks, positional construction.
    name = label.get("category") if type(label) is dict else None
    if type(name) is not str:
        raise fail("an entity label needs a string 'category'", *path)
    offset, length = label.get("offset"), label.get("length")
    if type(offset) is not int or type(length) is not int:
        raise fail("expected an integer", *path, "offset" if type(offset) is not int else "length")
    text = ex.text
    if text.isascii() and 0 <= offset and 0 <= length and offset + length <= len(text):
        start, end = offset, offset + length
    else:
        try:
            start, end = span_from_utf16(text, offset, length)
        except OffsetError as exc:
            raise fail(f"offset {offset}, length {length} in UTF-16 units: {exc}", *path) from None
    entity = entities.get(name)
    if entity is None:
        entity = Entity(id=entity_id(name), name=name, kind="learned", clu=_UNDECLARED)
        entities[name] = entity
        ws.entities.append(entity)
        report.normalized(
            "CLU_UNDECLARED_ENTITY",
            pointer(*path, "category"),
            f"entity {show(name)} is used but not declared; it was added as a learned entity",
        )
    span_text = text[start:end]
    match = _find_value(entity, span_text, ex.language, value_index)
    if len(label) > 3:
        extra = sorted(k for k in label if k not in ("category", "offset", "length"))
        report.loss("CLU_LABEL_EXTRA", pointer(*path), f"label keys {extra} have no place in HF JSON")
    if match is None:
        return Annotation(name, start, end, span_text, entity.id)
    return Annotation(name, start, end, span_text, entity.id, match.key, match.id)


_UNDECLARED = CluEntity(undeclared=True)


class _SynonymIndex:
    """Finds the value a label's text names: an exact synonym match first, then a case-insensitive one;
    among several matching values the first in the example's language, else the first overall."""

    def __init__(self, values: list[tuple[str | None, list[str]]]) -> None:
        self.languages = [lang for lang, _ in values]
        self.exact: dict[str, list[int]] = {}
        self.folded: dict[str, list[int]] = {}
        self.memo: dict[tuple[str, str | None], int | None] = {}
        for k, (_, synonyms) in enumerate(values):
            for syn in synonyms:
                for table, probe in ((self.exact, syn), (self.folded, syn.casefold())):
                    hits = table.setdefault(probe, [])
                    if not hits or hits[-1] != k:
                        hits.append(k)

    def find(self, text: str, language: str | None) -> int | None:
        key = (text, language)  # label texts repeat (the same city in thousands of utterances): look each up once
        try:
            return self.memo[key]
        except KeyError:
            pass
        found = None
        for table, probe in ((self.exact, text), (self.folded, text.casefold())):
            hits = table.get(probe)
            if hits:
                found = next((k for k in hits if self.languages[k] == language), hits[0])
                break
        self.memo[key] = found
        return found


def _find_value(
    entity: Entity, text: str, language: str | None, cache: dict[str, _SynonymIndex] | None = None
) -> EntityValue | None:
    if entity.kind not in ("list", "system"):
        return None
    index = cache.get(entity.id) if cache is not None else None
    if index is None:
        index = _SynonymIndex([(v.language, [s.value for s in v.synonyms]) for v in entity.values])
        if cache is not None:
            cache[entity.id] = index
    k = index.find(text, language)
    return None if k is None else entity.values[k]


# ------------------------------------------------------------------------------------------------
# model → CLU
# ------------------------------------------------------------------------------------------------


class _Aggregate:
    """Collects repeated findings into one report item per code (first pointer + count)."""

    def __init__(self) -> None:
        self.items: dict[tuple[Severity, str], list[str]] = {}

    def add(self, severity: Severity, code: str, ptr: str) -> None:
        self.items.setdefault((severity, code), []).append(ptr)

    def flush(self, report: Report, messages: dict[str, str]) -> None:
        for (severity, code), ptrs in self.items.items():
            report.add(severity, code, ptrs[0], messages[code].format(n=len(ptrs)))


_LOSS_MESSAGES = {
    "HF_UNLABELLED_EXAMPLE": "{n} unlabelled examples cannot be represented in CLU; they were left out",
    "HF_NEGATIVE_INTENT": "{n} negative intent references cannot be represented in CLU; they were left out",
    "HF_SECOND_INTENT": "{n} examples have more than one intent; CLU keeps only the first",
    "HF_HIERARCHY_FLATTENED": "{n} intents lose their parent: with an empty delimiter CLU names are leaf names",
    "HF_EXAMPLE_METADATA": "metadata of {n} examples cannot be represented in CLU",
    "HF_INTENT_METADATA": "metadata, descriptions or tags of {n} intents cannot be represented in CLU",
    "HF_ENTITY_METADATA": "tags or non-CLU metadata of {n} entities cannot be represented in CLU",
    "HF_ANNOTATION_ROLE": "{n} annotation roles cannot be represented in CLU",
    "HF_ANNOTATION_VALUE": "{n} annotations name a value that CLU cannot restore from their text (no synonym "
    "of that value matches it); CLU keeps only the span",
    "HF_DUPLICATE_UTTERANCE": "{n} examples repeat the text and language of an earlier one; CLU keeps the first",
}


class _Dropped:
    """HF fields CLU cannot carry, counted per kind of object and field: one loss item each."""

    def __init__(self, ws: Workspace) -> None:
        self.counts: dict[tuple[str, str], list[Any]] = {}
        self.stamps = _carried_stamps(ws)

    def add(self, kind: str, name: str, ptr: str) -> None:
        entry = self.counts.get((kind, name))
        if entry is None:
            self.counts[(kind, name)] = [1, ptr]
        else:
            entry[0] += 1

    def extra(self, kind: str, extra: dict[str, Any], ptr: str) -> None:
        """The keys of ``extra`` (``context``, ``source``, timestamps, unknown keys) CLU cannot carry.
        ``parts`` (rebuilt from the annotations) and the timestamps hfx itself gives created objects are not
        data."""
        for key, value in extra.items():
            if key == "parts" or (key in _STAMP_KEYS and isinstance(value, str) and value in self.stamps):
                continue
            self.add(kind, key, ptr)

    def flush(self, report: Report) -> None:
        for (kind, name), (n, ptr) in self.counts.items():
            report.loss(
                "HF_FIELD_DROPPED", ptr, f"{shorten(repr(name), 40)} of {n} {kind} cannot be represented in CLU"
            )


_STAMP_KEYS = ("created_at", "updated_at")
#: Workspace metadata that is hfx's own bookkeeping, not data CLU would lose.
_OWN_WS_METADATA = (SOURCE_KEY, "hfx.language")


def _carried_stamps(ws: Workspace) -> frozenset[str]:
    """The timestamps hfx gives the objects it creates for ``ws`` (and a CLU project's own dates)."""
    stamps = set(timestamps(ws))
    if ws.clu is not None and ws.clu.metadata:
        probe = Workspace()
        project_dates(ws.clu.metadata, probe)
        stamps.update(v for v in (probe.created_at, probe.updated_at) if v is not None)
    return frozenset(stamps)


def _workspace_losses(ws: Workspace, dropped: _Dropped) -> None:
    for key in ws.metadata:
        if key not in _OWN_WS_METADATA:
            dropped.add("workspace", f"metadata.{key}", "/metadata")
    dropped.extra("workspace", ws.extra, "")


def write_clu(ws: Workspace, options: CluWriteOptions | None = None) -> tuple[dict[str, Any], Report, dict[str, str]]:
    """Build a CLU project file. Returns ``(project, report, renames)``; ``renames`` maps every flat
    intent path / entity name that was rewritten to the name used in CLU. With
    ``invalid_names="error"`` rule violations are ``error`` items and nothing is renamed. A workspace over one of
    CLU's limits (utterances, intents, entities, regex) is refused before its utterances are converted: the
    report holds the ``CLU_LIMIT`` errors and the project no utterances."""
    plan = _Plan.start(ws, options or CluWriteOptions())
    _plan_intents(plan)
    _plan_names(plan)
    _plan_entities(plan)
    # -- CLU's limits, before the per-utterance work: a project CLU would refuse is refused at once ------------
    if _over_limits(plan):
        return _assembled(plan, []), plan.report, plan.renames
    utterances = _UtteranceWriter(plan).write()
    plan.agg.flush(plan.report, _LOSS_MESSAGES)
    plan.dropped.flush(plan.report)
    return _assembled(plan, utterances), plan.report, plan.renames


def check_clu(ws: Workspace, options: CluWriteOptions | None = None) -> Report:
    """What :func:`write_clu` reports for ``ws`` (its refusals are the ``error`` items), without the project."""
    return write_clu(ws, options)[1]


@dataclass
class _Plan:
    """What :func:`write_clu` decides, phase by phase, before the utterances are written."""

    ws: Workspace
    opts: CluWriteOptions
    report: Report
    agg: _Aggregate
    dropped: _Dropped
    base_meta: dict[str, Any]
    language: str
    #: (position in ws.intents, flat name, path) of every intent written
    intent_rows: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    #: intent id -> its name in CLU
    flat_name: dict[str, str] = field(default_factory=dict)
    #: entity id -> its name in CLU
    entity_name: dict[str, str] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)
    clu_entities: list[dict[str, Any]] = field(default_factory=list)
    regex_count: int = 0

    @classmethod
    def start(cls, ws: Workspace, opts: CluWriteOptions) -> _Plan:
        report = Report()
        dropped = _Dropped(ws)
        _workspace_losses(ws, dropped)
        base_meta = (opts.base or {}).get("metadata") or {}
        language = opts.language or base_meta.get("language") or ws.language
        if not language:
            language = DEFAULT_LANGUAGE
            report.normalized("HF_NO_LANGUAGE", "", f"the workspace names no language; {DEFAULT_LANGUAGE} was used")
        return cls(ws, opts, report, _Aggregate(), dropped, base_meta, language)


# -- intents -----------------------------------------------------------------------------------------------


def _plan_intents(plan: _Plan) -> None:
    """The intents CLU gets (implicit parents without examples are left out) with their flat names."""
    ws, delimiter = plan.ws, plan.opts.delimiter
    paths = ws.intent_paths()
    used_intents = {r.intent_id for ex in ws.examples for r in ex.intents if not r.negative}
    for i, it in enumerate(ws.intents):
        if it.id not in paths:
            plan.report.error(
                "HF_BROKEN_HIERARCHY",
                pointer("intents", i),
                f"intent {show(it.name)} has a dangling parent or sits in a cycle",
            )
            continue
        if it.implicit and it.id not in used_intents:
            continue
        if delimiter:
            plan.intent_rows.append((i, join_path(paths[it.id], delimiter), paths[it.id]))
        else:  # no hierarchy: the leaf name is the CLU name and the parent link is lost
            plan.intent_rows.append((i, it.name, (it.name,)))
            if it.parent_id is not None:
                plan.agg.add("loss", "HF_HIERARCHY_FLATTENED", pointer("intents", i))
        _intent_losses(plan, it, i)


def _intent_losses(plan: _Plan, it: Intent, i: int) -> None:
    if it.metadata or it.description or it.tags:
        plan.agg.add("loss", "HF_INTENT_METADATA", pointer("intents", i))
    if it.extra:
        plan.dropped.extra("intents", it.extra, pointer("intents", i))


def _plan_names(plan: _Plan) -> None:
    """CLU's name rules on the flat intent names and entity names (refused, or rewritten), then one CLU name
    per intent."""
    ws, report, rows = plan.ws, plan.report, plan.intent_rows
    why = clu_names.delimiter_problem(plan.opts.delimiter)
    if why and any(len(path) > 1 for _, _, path in rows):
        report.error("CLU_DELIMITER_FORBIDDEN", "", why)
    entity_rows = [(i, en.name) for i, en in enumerate(ws.entities)]
    intent_renames, entity_renames = _check_names(rows, entity_rows, plan.opts, report)
    # Intents and entities are separate namespaces; the returned map lists both (intents win a clash).
    plan.renames = {**entity_renames, **intent_renames}
    plan.flat_name = {ws.intents[i].id: intent_renames.get(name, name) for i, name, _ in rows}
    plan.entity_name = {en.id: entity_renames.get(en.name, en.name) for en in ws.entities}
    # Duplicate flat names (two intents whose paths join to the same string) cannot coexist in CLU.
    seen_names: dict[str, int] = {}
    for i, name, _ in rows:
        final = plan.flat_name[ws.intents[i].id]
        if final in seen_names:
            report.error(
                "CLU_DUPLICATE_INTENT",
                pointer("intents", i, "name"),
                f"intent path {show(name)} joins to the same CLU name as intent #{seen_names[final]}",
            )
        seen_names.setdefault(final, i)


# -- entities ----------------------------------------------------------------------------------------------


def _plan_entities(plan: _Plan) -> None:
    for i, en in enumerate(plan.ws.entities):
        out = _write_entity(en, plan.entity_name[en.id], plan.language, plan.report, pointer("entities", i))
        regex = out.get("regex")  # possibly a verbatim component of any shape
        expressions = regex.get("expressions") if isinstance(regex, dict) else None
        plan.regex_count += len(expressions) if isinstance(expressions, list) else 0
        plan.clu_entities.append(out)
        if en.tags or en.metadata:
            plan.agg.add("loss", "HF_ENTITY_METADATA", pointer("entities", i))
        _entity_extras(plan.dropped, en, i)


def _entity_extras(dropped: _Dropped, en: Entity, i: int) -> None:
    if en.extra:
        dropped.extra("entities", en.extra, pointer("entities", i))
    for j, v in enumerate(en.values):
        if v.extra:
            dropped.extra("entity values", v.extra, pointer("entities", i, "values", j))
        for k, syn in enumerate(v.synonyms):
            if syn.extra:
                dropped.extra("synonyms", syn.extra, pointer("entities", i, "values", j, "synonyms", k))


def _over_limits(plan: _Plan) -> bool:
    """Report (``CLU_LIMIT``) every CLU limit the project would exceed; ``True`` when it exceeds any."""
    over = clu_rules.over_limits(
        (
            ("utterances", _utterance_count(plan.ws, plan.flat_name, plan.language), "/examples"),
            ("intents", len(plan.intent_rows), "/intents"),
            ("entities", len(plan.clu_entities), "/entities"),
            ("regex", plan.regex_count, "/entities"),
        )
    )
    for v in over:
        plan.report.error(v.code, v.pointer, v.message)
    return bool(over)


# -- utterances --------------------------------------------------------------------------------------------


class _UtteranceWriter:
    """Writes the examples as CLU utterances (the hot path: the common case stays inline)."""

    def __init__(self, plan: _Plan) -> None:
        ws = plan.ws
        self.plan, self.report, self.agg, self.dropped = plan, plan.report, plan.agg, plan.dropped
        self.test_ids = {t.id for t in ws.tags if t.name in plan.opts.test_tags}
        self.dropped_tags: dict[str, int] = {}
        self.intent_index = ws.intents_by_id()
        self.entity_by_id = ws.entities_by_id()
        self.entity_by_name = {en.name: en for en in ws.entities}
        self.value_index: dict[str, _SynonymIndex] = {}

    def write(self) -> list[dict[str, Any]]:
        plan, agg, test_ids = self.plan, self.agg, self.test_ids
        flat_name, language = plan.flat_name, plan.language
        utterances: list[dict[str, Any]] = []
        seen_utts: set[tuple[str, str]] = set()
        for i, ex in enumerate(plan.ws.examples):
            ptr = f"/examples/{i}"
            refs = ex.intents
            if len(refs) == 1 and not refs[0].negative:  # the common case, fast
                first: str | None = refs[0].intent_id
            else:
                first = self._first_intent(ex, ptr)
            if ex.tags:
                self._count_tags(ex.tags)
            if first is None or first not in flat_name:
                self._not_written(ex, first, ptr)
                continue
            if ex.metadata:
                agg.add("loss", "HF_EXAMPLE_METADATA", ptr)
            lang = ex.language if ex.language is not None else language
            if (ex.text, lang) in seen_utts:
                agg.add("loss", "HF_DUPLICATE_UTTERANCE", ptr)
                continue
            seen_utts.add((ex.text, lang))
            if ex.extra or len(refs) > 1 or refs[0].extra:
                self._example_extras(ex, ptr)
            utt: dict[str, Any] = {"text": ex.text, "language": lang, "intent": flat_name[first]}
            if ex.clu is not None:
                utt.update(ex.clu.extra)
            labels = self._labels(ex, lang, ptr) if ex.annotations else []
            utt["dataset"] = "Test" if ex.tags and test_ids.intersection(ex.tags) else "Train"
            utt["entities"] = labels
            too_long = clu_rules.utterance_too_long(ex.text, ptr + "/text")
            if too_long:
                self.report.error(too_long.code, too_long.pointer, too_long.message)
            utterances.append(utt)
        self._tag_losses()
        return utterances

    def _first_intent(self, ex: Example, ptr: str) -> str | None:
        """The intent CLU keeps for an example with several or negative intent references (losses reported)."""
        positives = [r.intent_id for r in ex.intents if not r.negative]
        if len(positives) < len(ex.intents):
            self.agg.add("loss", "HF_NEGATIVE_INTENT", ptr)
        if len(positives) > 1:
            self.agg.add("loss", "HF_SECOND_INTENT", ptr)
        return positives[0] if positives else None

    def _count_tags(self, tags: list[str]) -> None:
        for t in tags:
            if t not in self.test_ids:
                self.dropped_tags[t] = self.dropped_tags.get(t, 0) + 1

    def _not_written(self, ex: Example, first: str | None, ptr: str) -> None:
        """An example without a positive intent (a loss), or whose intent is not written (an error when the
        intent does not exist)."""
        if first is None:
            self.agg.add("loss", "HF_UNLABELLED_EXAMPLE", ptr)
        elif first not in self.intent_index:
            k = next(n for n, r in enumerate(ex.intents) if not r.negative)
            self.report.error("HF_DANGLING_INTENT", f"{ptr}/intents/{k}", f"unknown intent id {show(first)}")

    def _example_extras(self, ex: Example, ptr: str) -> None:
        if ex.extra:
            self.dropped.extra("examples", ex.extra, ptr)
        for k, ref in enumerate(ex.intents):
            if ref.extra:
                self.dropped.extra("intent references", ref.extra, f"{ptr}/intents/{k}")

    def _labels(self, ex: Example, lang: str, ptr: str) -> list[dict[str, Any]]:
        labels = []
        ascii_text = ex.text.isascii()
        for j, ann in enumerate(ex.annotations):
            labelled = self.entity_by_id.get(ann.entity_id or "") or self.entity_by_name.get(ann.entity)
            if labelled is None:
                self.report.error("HF_DANGLING_ENTITY", f"{ptr}/entities/{j}", f"unknown entity {show(ann.entity)}")
                continue
            if ann.role or ann.extra or ann.value is not None:
                self._annotation_losses(ann, labelled, lang, f"{ptr}/entities/{j}")
            if ascii_text and 0 <= ann.start <= ann.end <= len(ex.text):
                offset, length = ann.start, ann.end - ann.start
            else:
                try:
                    offset, length = span_to_utf16(ex.text, ann.start, ann.end)
                except OffsetError as exc:
                    self.report.error("HF_BAD_SPAN", f"{ptr}/entities/{j}", str(exc))
                    continue
            labels.append({"category": self.plan.entity_name[labelled.id], "offset": offset, "length": length})
        return labels

    def _annotation_losses(self, ann: Annotation, labelled: Entity, lang: str, ptr: str) -> None:
        if ann.role:
            self.agg.add("loss", "HF_ANNOTATION_ROLE", ptr)
        if ann.extra:
            self.dropped.extra("annotations", ann.extra, ptr)
        language = self.plan.language
        if ann.value is not None and _value_in_clu(labelled, ann.text, lang, language, self.value_index) != ann.value:
            self.agg.add("loss", "HF_ANNOTATION_VALUE", ptr)

    def _tag_losses(self) -> None:
        """``HF_TAG_DROPPED`` per tag other than the test tags; what the test tags carry that CLU cannot."""
        ws, report = self.plan.ws, self.report
        tags = ws.tags_by_id()
        tag_pos = {t.id: k for k, t in enumerate(ws.tags)}
        for tid, count in sorted(self.dropped_tags.items(), key=lambda kv: tag_pos.get(kv[0], len(tag_pos))):
            name = tags[tid].name if tid in tags else tid
            report.loss(
                "HF_TAG_DROPPED",
                pointer("tags", tag_pos[tid]) if tid in tag_pos else "",
                f"tag {show(name)} on {count} examples cannot be represented in CLU (only the test tag can)",
            )
        for k, tag in enumerate(ws.tags):
            if tag.id in self.test_ids:
                for name, value in (("color", tag.color), ("description", tag.description)):
                    if value is not None:
                        self.dropped.add("tags", name, pointer("tags", k))
                self.dropped.extra("tags", tag.extra, pointer("tags", k))


def _utterance_count(ws: Workspace, flat_name: dict[str, str], language: str) -> int:
    """How many utterances the project will hold (as the utterance loop of :func:`write_clu` decides: the first
    positive intent must be written, the text and language must be new); counted only when it could matter."""
    if len(ws.examples) <= LIMITS["utterances"]:
        return len(ws.examples)  # an upper bound, within the limit
    seen: set[tuple[str, str]] = set()
    for ex in ws.examples:
        first = next((r.intent_id for r in ex.intents if not r.negative), None)
        if first in flat_name:
            seen.add((ex.text, ex.language if ex.language is not None else language))
    return len(seen)


def _assembled(plan: _Plan, utterances: list[dict[str, Any]]) -> dict[str, Any]:
    ws = plan.ws
    project = _project_shell(ws, plan.opts, plan.base_meta, plan.language)
    why = clu_names.resource_name_problem(project["metadata"]["projectName"])
    if why:
        plan.report.error(
            "CLU_PROJECT_NAME", "", f"project name {show(project['metadata']['projectName'])}: a CLU project name {why}"
        )
    assets = project["assets"]
    assets["intents"] = [_intent_out(ws.intents[i], plan.flat_name[ws.intents[i].id]) for i, _, _ in plan.intent_rows]
    assets["entities"] = plan.clu_entities
    assets["utterances"] = utterances
    return project


def dumps_clu(project: dict[str, Any]) -> bytes:
    """Serialize a CLU project deterministically: UTF-8, indent 2, trailing newline."""
    return dumps_json(project)


def _intent_out(intent: Any, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"category": name}
    if intent.clu is not None:
        out.update(intent.clu.extra)
    return out


def _check_names(
    intent_rows: list[tuple[int, str, tuple[str, ...]]],
    entity_rows: list[tuple[int, str]],
    opts: CluWriteOptions,
    report: Report,
) -> tuple[dict[str, str], dict[str, str]]:
    """Report names CLU rejects; with ``rewrite`` return (intent renames, entity renames)."""
    bad = {
        "intents": [(i, name, p) for i, name, path in intent_rows if (p := _intent_name_problems(name, path, opts))],
        "entities": [(i, name, p) for i, name in entity_rows if (p := clu_names.name_problems(name))],
    }
    if opts.invalid_names == "error":
        for kind, rows in bad.items():
            for i, name, problems in rows:
                for code, message in problems:
                    report.error(code, pointer(kind, i, "name"), f"{show(name)}: {message}", subject=name)
        return {}, {}
    lost: set[str] = set()
    intent_renames = clu_names.rewrite_names(
        [n for _, n, _ in intent_rows], [p for _, _, p in intent_rows], opts.delimiter, lost
    )
    entity_renames = clu_names.rewrite_names([n for _, n in entity_rows])
    _agree(intent_renames, entity_renames, {n for _, n, _ in intent_rows}, {n for _, n in entity_rows})
    _report_renames(bad["intents"], intent_renames, "intents", lost, report)
    _report_renames(bad["entities"], entity_renames, "entities", lost, report)
    return intent_renames, entity_renames


def _intent_name_problems(name: str, path: tuple[str, ...], opts: CluWriteOptions) -> list[tuple[str, str]]:
    """CLU's name rules on a flat intent name, and the delimiter rule: a segment must not contain it."""
    problems = clu_names.name_problems(name)
    if opts.delimiter and split_name(name, opts.delimiter) != path:
        problems.append(
            (
                "CLU_NAME_HAS_DELIMITER",
                f"a segment contains the delimiter {show(opts.delimiter)}; it would split on the way back",
            )
        )
    return problems


def _report_renames(
    rows: list[tuple[int, str, Any]], renames: dict[str, str], kind: str, lost: set[str], report: Report
) -> None:
    for i, name, _ in rows:
        new = renames.get(name, name)
        if kind == "intents" and name in lost:
            report.loss(
                "CLU_NAME_HIERARCHY_LOST",
                pointer(kind, i, "name"),
                f"{show(name)} -> {show(new)}: its parent's name leaves no room within CLU's "
                f"{clu_names.MAX_NAME} characters, so in CLU it is a root intent",
            )
        else:
            report.normalized("CLU_NAME_REWRITTEN", pointer(kind, i, "name"), f"{show(name)} -> {show(new)}")


def _agree(intents: dict[str, str], entities: dict[str, str], intent_names: set[str], entity_names: set[str]) -> None:
    """Give a name rewritten both as an intent and as an entity the same new name where that stays unique,
    so the single ``renames`` map :func:`write_clu` returns is unambiguous."""
    for old in sorted(intents.keys() & entities.keys()):
        if intents[old] == entities[old]:
            continue
        used_by_entities = {entities.get(n, n) for n in entity_names if n != old}
        used_by_intents = {intents.get(n, n) for n in intent_names if n != old}
        if intents[old] not in used_by_entities:
            entities[old] = intents[old]
        elif entities[old] not in used_by_intents:
            intents[old] = entities[old]


def _project_shell(ws: Workspace, opts: CluWriteOptions, base_meta: dict[str, Any], language: str) -> dict[str, Any]:
    """The project file without its intents, entities and utterances: the file version, the metadata (the
    base's, then the workspace's) and what was kept verbatim from a CLU file."""
    clu = ws.clu or _NOT_FROM_CLU
    version = clu.file_version if clu.file_version is not None else PROJECT_FILE_VERSION
    project: dict[str, Any] = {clu.file_version_key: version}
    project["stringIndexType"] = "Utf16CodeUnit"
    project["metadata"] = _project_metadata(ws, opts, base_meta, language)
    assets: dict[str, Any] = {}
    if clu.assets_project_kind is not None:
        assets["projectKind"] = clu.assets_project_kind
    elif clu.project_kind is None:
        assets["projectKind"] = "Conversation"
    project["assets"] = assets
    assets.update(clu.assets or {})
    project.update(clu.root or {})
    return project


def _project_metadata(ws: Workspace, opts: CluWriteOptions, base_meta: dict[str, Any], language: str) -> dict[str, Any]:
    clu = ws.clu or _NOT_FROM_CLU
    name = opts.project_name or base_meta.get("projectName") or clu_names.project_name(ws.name or "hfx_project")
    kind = clu.project_kind if clu.project_kind is not None else "Conversation"
    meta: dict[str, Any] = {"projectKind": kind, "projectName": name}
    kept = clu.metadata or {}
    if "multilingual" in kept:
        meta["multilingual"] = kept["multilingual"]
    if ws.description is not None:
        meta["description"] = ws.description
    meta["language"] = language
    meta.update(kept)
    for key in ("projectKind", "multilingual", "description", "settings"):
        if key in base_meta:
            meta[key] = base_meta[key]
    for key, value in base_meta.items():
        meta.setdefault(key, value)
    return meta


_NOT_FROM_CLU = CluProject()


def _write_entity(en: Entity, name: str, language: str, report: Report, ptr: str) -> dict[str, Any]:
    """An entity's CLU components: composition, list, prebuilts, regex, required components, in that order."""
    out: dict[str, Any] = {"category": name}
    clu = _composition(en, out)
    if en.kind in ("list", "system") and en.values:
        out["list"] = {"sublists": _sublists(en, language, report, ptr)}
    elif clu.list is not None:
        out["list"] = clu.list
    if clu.prebuilts is not None:
        out["prebuilts"] = clu.prebuilts
    elif en.kind == "system":
        _system_type(en, out, language, report, ptr)
    if en.kind == "regex":
        out["regex"] = {"expressions": _expressions(en, language, report, ptr)}
    elif clu.regex is not None:
        out["regex"] = clu.regex
    if clu.required_components is not None:
        out["requiredComponents"] = clu.required_components
    if clu.extra:
        out.update(clu.extra)
    return out


_NOT_FROM_CLU_ENTITY = CluEntity()


def _composition(en: Entity, out: dict[str, Any]) -> CluEntity:
    """Put the entity's ``compositionSetting`` in ``out`` (CLU's default for an entity not read from CLU; none
    where its CLU file had none) and return its CLU details."""
    if en.clu is None:
        out["compositionSetting"] = "combineComponents"
        return _NOT_FROM_CLU_ENTITY
    if en.clu.composition_setting is not None:
        out["compositionSetting"] = en.clu.composition_setting
    return en.clu


def _system_type(en: Entity, out: dict[str, Any], language: str, report: Report, ptr: str) -> None:
    """An HF system type as CLU's prebuilt (or, for ZIP codes, a regex component)."""
    prebuilt = SYSTEM_TO_PREBUILT.get(en.system_type or "", "")
    if prebuilt:
        out["prebuilts"] = [{"category": prebuilt}]
        if en.system_type in ("SYS_DATE", "SYS_TIME"):
            report.normalized(
                "HF_SYSTEM_TYPE_APPROXIMATED", ptr, f"{en.system_type} has no exact CLU prebuilt; DateTime was used"
            )
    elif prebuilt is None:
        out["regex"] = {"expressions": [{"regexKey": "zip_code", "language": language, "regexPattern": ZIP_CODE_REGEX}]}
        report.normalized(
            "HF_SYSTEM_TYPE_APPROXIMATED",
            ptr,
            f"{en.system_type} has no CLU prebuilt; a ZIP-code regex component was used",
        )
    else:
        report.loss(
            "HF_SYSTEM_TYPE_UNKNOWN",
            ptr,
            f"system type {show(en.system_type)} has no CLU prebuilt; only the learned labels remain",
        )


def _sublists(en: Entity, language: str, report: Report, ptr: str) -> list[dict[str, Any]]:
    """Values grouped by key into CLU sublists, one synonyms entry per language."""
    sublists: dict[str, dict[str, Any]] = {}
    from_clu = _from_clu(en)
    for j, v in enumerate(en.values):
        sl = sublists.setdefault(v.key, {"listKey": v.key, "synonyms": []})
        synonyms = [s.value for s in v.synonyms]
        if not synonyms and v.language is None:
            if from_clu or not v.key:
                continue  # a CLU sublist without synonyms stays one
            # An HF value with no synonyms matches its key; CLU matches synonyms only.
            synonyms = [v.key]
            report.normalized(
                "HF_VALUE_WITHOUT_SYNONYMS",
                f"{ptr}/values/{j}",
                f"value {show(v.key)} has no synonyms; its key was used as the synonym",
            )
        sl["synonyms"].append({"language": v.language if v.language is not None else language, "values": synonyms})
    return list(sublists.values())


def _value_in_clu(
    en: Entity, text: str, language: str, project_language: str, cache: dict[str, _SynonymIndex]
) -> str | None:
    """The list key CLU -> HF would give a label with this text (what :func:`_sublists` writes)."""
    if en.kind not in ("list", "system") or not en.values:
        return None
    index = cache.get(en.id)
    if index is None:
        from_clu = _from_clu(en)
        candidates: list[tuple[str | None, list[str]]] = []
        for v in en.values:
            synonyms = [s.value for s in v.synonyms]
            if not synonyms and v.language is None and not from_clu and v.key:
                synonyms = [v.key]
            candidates.append((v.language if v.language is not None else project_language, synonyms))
        index = cache[en.id] = _SynonymIndex(candidates)
    k = index.find(text, language)
    return None if k is None else en.values[k].key


def _from_clu(en: Entity) -> bool:
    return en.clu is not None


def _expressions(en: Entity, language: str, report: Report, ptr: str) -> list[dict[str, Any]]:
    out = []
    for j, v in enumerate(en.values):
        patterns = [s.value for s in v.synonyms] or [v.key]
        if len(patterns) > 1:
            report.normalized(
                "HF_REGEX_SPLIT",
                f"{ptr}/values/{j}",
                f"regex value {show(v.key)} has {len(patterns)} patterns; each became an expression",
            )
        for k, pattern in enumerate(patterns):
            key = v.key if k == 0 else f"{v.key}_{k + 1}"
            out.append(
                {
                    "regexKey": key,
                    "language": v.language if v.language is not None else language,
                    "regexPattern": pattern,
                }
            )
    return out
