"""CLU's rules, one implementation each, for every part of hfx that applies them.

* The CLU writer (:func:`hfx.formats.clu_json.write_clu`) refuses a workspace that breaks them; ``hfx validate
  --target clu`` reports exactly those refusals, since it runs the writer.
* ``hfx validate`` checks a CLU project file with :func:`check_assets`, and the CLU emulator checks an imported
  project with the same function (and :func:`confidence_threshold_problem`).

A rule gives :class:`Violation` s: a documented code, a JSON pointer (RFC 6901, without ``#``) and a message.
Each caller renders them as it must: the writer as conversion report items (codes ``CLU_*``), validate as
findings (rule codes ``CLU0nn``, documented in docs/codes.md), the emulator as CLU's REST error objects.
Names and the service limits themselves are in :mod:`hfx.formats.clu_names`.

Codes: the writer's (``CLU_NAME_*``, ``CLU_LIMIT``, ``CLU_UTTERANCE_TOO_LONG``) for the rules it applies too, else
validate's: ``CLU000`` for what makes a part unreadable (validate reports these through its JSON Schema check, the
emulator through this module), ``CLU001``-``CLU011`` for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hfx.errors import pointer, show
from hfx.formats import clu_names
from hfx.offsets import utf16_len

LIMITS = clu_names.LIMITS
#: How a limit's subject is named in a message.
LIMIT_SUBJECTS = {
    "utterances": "utterances",
    "intents": "intents",
    "entities": "entities",
    "regex": "regular expressions",
}
#: Entity components ``requiredComponents`` may name.
COMPONENTS = ("learned", "list", "prebuilts", "regex")
#: Language codes CLU accepts (clu-rest-api.md §7), plus the bare ``en`` the spec examples use.
LANGUAGES = frozenset(
    "af am ar as az be bg bn br bs ca cs cy da de el en en-us en-gb eo es et eu fa fi fr fy ga gd gl gu ha he hi "
    "hr hu hy id it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl nb or pa pl ps pt-br "
    "pt-pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh-hans zh-hant zu".split()
)


@dataclass(frozen=True)
class Violation:
    """One broken rule: a documented code, where (a JSON pointer) and why."""

    code: str
    pointer: str
    message: str


# -- rules the writer and the project-file check share ----------------------------------------------------


def over_limits(counts: Iterable[tuple[str, int, str]]) -> list[Violation]:
    """``CLU_LIMIT`` for every ``(limit name, count, pointer)`` over CLU's per-project limit (:data:`LIMITS`)."""
    return [
        Violation("CLU_LIMIT", ptr, f"{count} {LIMIT_SUBJECTS[what]}; CLU allows at most {LIMITS[what]} per project")
        for what, count, ptr in counts
        if count > LIMITS[what]
    ]


def utterance_too_long(text: str, ptr: str) -> Violation | None:
    """``CLU_UTTERANCE_TOO_LONG`` when ``text`` is longer than CLU accepts in a project."""
    if len(text) <= LIMITS["utterance_length"]:
        return None
    return Violation("CLU_UTTERANCE_TOO_LONG", ptr, f"{len(text)} characters; CLU allows {LIMITS['utterance_length']}")


def confidence_threshold_problem(settings: dict[str, Any]) -> str | None:
    """Why a project's ``settings.confidenceThreshold`` is invalid (a number from 0 to 1), or ``None``."""
    if "confidenceThreshold" not in settings:
        return None
    value = settings["confidenceThreshold"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        return "confidenceThreshold must be a number from 0 to 1"
    return None


def language_problem(language: Any) -> str | None:
    """Why a language code is not one of CLU's (:data:`LANGUAGES`), or ``None`` (also for a non-string)."""
    if isinstance(language, str) and language.lower() not in LANGUAGES:
        return f"language {show(language)} is not a CLU language code"
    return None


# -- a CLU project file's assets ---------------------------------------------------------------------------


def _items(parent: Any, key: str) -> list[Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, list) else []


def _str(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


class _Check:
    """The violations found so far in one project's assets."""

    def __init__(self) -> None:
        self.out: list[Violation] = []

    def add(self, code: str, ptr: str, message: str) -> None:
        self.out.append(Violation(code, ptr, message))

    def names(self, items: list[Any], what: str) -> dict[str, int]:
        """Name rules and single declaration of intents or entities; returns name -> first position."""
        declared: dict[str, int] = {}
        for i, item in enumerate(items):
            ptr = pointer("assets", what, i, "category")
            name = _str(item, "category")
            if name is None:
                self.add("CLU000", ptr, "a category must be a string")
                continue
            noun = what[:-1]
            for code, message in clu_names.name_problems(name):
                self.add(code, ptr, f"{noun} name {show(name)}: {message}")
            if name in declared:
                self.add("CLU008", ptr, f"{noun} {show(name)} is also declared at /assets/{what}/{declared[name]}")
            else:
                declared[name] = i
        return declared


def check_assets(assets: Any, language: str | None = None) -> list[Violation]:
    """Every rule a CLU project's ``assets`` breaks (``language``: the project's, for duplicate utterances)."""
    c = _Check()
    intents, entities, utterances = (_items(assets, k) for k in ("intents", "entities", "utterances"))
    regex_count = sum(len(_items(en.get("regex"), "expressions")) for en in entities if isinstance(en, dict))
    for v in over_limits(
        (
            ("intents", len(intents), "/assets/intents"),
            ("entities", len(entities), "/assets/entities"),
            ("utterances", len(utterances), "/assets/utterances"),
            ("regex", regex_count, "/assets/entities"),
        )
    ):
        c.out.append(v)
    declared_intents = c.names(intents, "intents")
    declared_entities = c.names(entities, "entities")
    for e, entity in enumerate(entities):
        _entity(c, entity, e)
    seen: dict[tuple[str, str | None], int] = {}
    for u, utt in enumerate(utterances):
        _utterance(c, utt, u, declared_intents, declared_entities, seen, language)
    return c.out


# -- entities --


def _entity(c: _Check, entity: Any, e: int) -> None:
    ptr = pointer("assets", "entities", e)
    if not isinstance(entity, dict):
        c.add("CLU000", ptr, "an entity must be an object")
        return
    name = show(entity.get("category"))
    _prebuilts(c, entity.get("prebuilts"), name, ptr + "/prebuilts")
    if entity.get("list") is not None:
        _list(c, entity["list"], name, ptr + "/list")
    if entity.get("regex") is not None:
        _regex(c, entity["regex"], ptr + "/regex")
    required = entity.get("requiredComponents")
    if required is not None and (not isinstance(required, list) or any(r not in COMPONENTS for r in required)):
        c.add("CLU000", ptr + "/requiredComponents", f"requiredComponents must be a subset of {', '.join(COMPONENTS)}")


def _prebuilts(c: _Check, prebuilts: Any, name: str, ptr: str) -> None:
    if prebuilts is None:
        return
    if not isinstance(prebuilts, list) or any(not isinstance(p, dict) or not p.get("category") for p in prebuilts):
        c.add("CLU000", ptr, "prebuilts must be a list of {category}")
    elif len(prebuilts) > LIMITS["prebuilts_per_entity"]:
        c.add(
            "CLU_LIMIT",
            ptr,
            f"{len(prebuilts)} prebuilt components in entity {name}; "
            f"CLU allows at most {LIMITS['prebuilts_per_entity']}",
        )


def _list(c: _Check, lst: Any, name: str, ptr: str) -> None:
    sublists = lst.get("sublists") if isinstance(lst, dict) else None
    if not isinstance(sublists, list):
        c.add("CLU000", ptr, "list.sublists must be an array")
        return
    keys: dict[str, int] = {}
    synonyms = 0
    for s, sub in enumerate(sublists):
        key = _str(sub, "listKey")
        if key is None:
            c.add("CLU000", f"{ptr}/sublists/{s}", "a sublist needs a listKey")
            continue
        if key in keys:
            c.add(
                "CLU011",
                f"{ptr}/sublists/{s}/listKey",
                f"list key {show(key)} of entity {name} is also used by sublist {keys[key]}",
            )
        else:
            keys[key] = s
        synonyms += _synonyms(c, sub.get("synonyms"), f"{ptr}/sublists/{s}/synonyms")
    if synonyms > LIMITS["synonyms_per_entity"]:
        c.add(
            "CLU_LIMIT",
            ptr,
            f"{synonyms} list synonyms in entity {name}; CLU allows at most {LIMITS['synonyms_per_entity']}",
        )


def _synonyms(c: _Check, groups: Any, ptr: str) -> int:
    """Checks a sublist's synonyms groups; returns how many synonyms they hold."""
    count = 0
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        values = group.get("values") if isinstance(group, dict) else None
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            c.add("CLU000", f"{ptr}/{g}", "synonyms need values[] of strings")
        else:
            count += len(values)
    return count


def _regex(c: _Check, rgx: Any, ptr: str) -> None:
    expressions = rgx.get("expressions") if isinstance(rgx, dict) else None
    if not isinstance(expressions, list):
        c.add("CLU000", ptr, "regex.expressions must be an array")
        return
    for x, expr in enumerate(expressions):
        pattern = _str(expr, "regexPattern")
        if pattern is None or _str(expr, "regexKey") is None:
            c.add("CLU000", f"{ptr}/expressions/{x}", "a regex expression needs regexKey and regexPattern")
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            c.add("CLU000", f"{ptr}/expressions/{x}/regexPattern", f"invalid regular expression: {exc}")


# -- utterances --


def _utterance(
    c: _Check,
    utt: Any,
    u: int,
    intents: dict[str, int],
    entities: dict[str, int],
    seen: dict[tuple[str, str | None], int],
    project_language: str | None,
) -> None:
    ptr = pointer("assets", "utterances", u)
    if not isinstance(utt, dict):
        c.add("CLU000", ptr, "an utterance must be an object")
        return
    _utterance_fields(c, utt, ptr, intents)
    text = utt.get("text")
    if not isinstance(text, str) or not text.strip():
        c.add("CLU000", ptr + "/text", "text is required")
        if not isinstance(text, str):
            return
    lang = _str(utt, "language") or project_language
    key = (text, lang.lower() if lang else None)
    if key in seen:
        c.add("CLU005", ptr + "/text", f"{show(text)} repeats /assets/utterances/{seen[key]}")
    else:
        seen[key] = u
    too_long = utterance_too_long(text, ptr + "/text")
    if too_long:
        c.out.append(too_long)
    labels = utt.get("entities")
    if labels is not None and not isinstance(labels, list):
        c.add("CLU000", ptr + "/entities", "entities must be an array")
        return
    for k, label in enumerate(labels or []):
        _label(c, label, text, f"{ptr}/entities/{k}", entities)


def _utterance_fields(c: _Check, utt: dict[str, Any], ptr: str, intents: dict[str, int]) -> None:
    """An utterance's intent, dataset and language."""
    intent = utt.get("intent")
    if not isinstance(intent, str):
        c.add("CLU000", ptr + "/intent", "intent is required")
    elif intent not in intents:
        c.add("CLU001", ptr + "/intent", f"intent {show(intent)} is not declared in /assets/intents")
    dataset = utt.get("dataset")
    if dataset is not None and dataset not in ("Train", "Test"):
        c.add("CLU010", ptr + "/dataset", f"dataset {show(dataset)} is neither Train nor Test")
    why = language_problem(utt.get("language"))
    if why:
        c.add("CLU009", ptr + "/language", why)


def _label(c: _Check, label: Any, text: str, ptr: str, entities: dict[str, int]) -> None:
    if not isinstance(label, dict):
        c.add("CLU000", ptr, "an entity label must be an object")
        return
    category = label.get("category")
    if not isinstance(category, str):
        c.add("CLU000", ptr + "/category", "an entity label needs a category")
    elif category not in entities:
        c.add("CLU002", ptr + "/category", f"entity {show(category)} is not declared in /assets/entities")
    offset, length = label.get("offset"), label.get("length")
    if type(offset) is not int or type(length) is not int:  # JSON integers (not bool)
        c.add("CLU000", ptr, "offset and length must be integers")
        return
    problem = label_span_problem(text, offset, length)
    if problem:
        c.add(problem[0], ptr, problem[1])
    elif length < 1:
        c.add("CLU000", ptr + "/length", "length must be at least 1")


def label_span_problem(text: str, offset: int, length: int) -> tuple[str, str] | None:
    """``(code, message)`` when a label's UTF-16 ``offset``/``length`` does not fit ``text`` (``CLU003``) or
    cuts a surrogate pair (``CLU004``), else ``None``."""
    size = utf16_len(text)
    if offset < 0 or length < 0 or offset + length > size:
        return "CLU003", f"offset {offset}, length {length} does not fit the text ({size} UTF-16 units)"
    cut = [p for p in (offset, offset + length) if _inside_pair(text, p)]
    if cut:
        return "CLU004", f"UTF-16 offset {cut[0]} is between the two halves of a surrogate pair"
    return None


def _inside_pair(text: str, units: int) -> bool:
    if text.isascii():
        return False
    pos = 0
    for ch in text:
        if pos >= units:
            return False
        pos += 2 if ord(ch) > 0xFFFF else 1
        if pos > units:
            return True
    return False
