"""What the CLU emulator knows about projects: import validation and a deterministic toy predictor.

Validation follows the service's documented rules (names, limits, UTF-16 offsets). The predictor is a
token-overlap nearest-neighbour: an exact training text gets its intent with score 1.0; other texts score each
intent by the best Jaccard overlap with its training utterances. Entities come from list synonyms (``ListKey``),
regex patterns (``RegexKey``) and spans labelled in training (learned). Prebuilt components are not emulated.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from hfx.errors import OffsetError
from hfx.formats import clu_names
from hfx.offsets import span_from_utf16, span_to_utf16

LIMITS = clu_names.LIMITS
COMPONENTS = ("learned", "list", "prebuilts", "regex")
MAX_REPORTED = 50


@dataclass
class Problem:
    code: str
    message: str
    target: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "target": self.target}


def _ptr(*parts: str | int) -> str:
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def check_label_name(name: Any) -> str | None:
    """Why an intent / entity name is invalid, or None."""
    if not isinstance(name, str) or not name.strip():
        return "must be a non-empty string"
    if len(name) > clu_names.MAX_NAME:
        return f"is {len(name)} characters long (at most {clu_names.MAX_NAME})"
    bad = sorted({ch for ch in name if ch in clu_names.FORBIDDEN})
    if bad:
        return f"contains {' '.join(bad)} (not allowed: : $ & % * ( ) + ~ # / ?)"
    return None


def structure_problems(body: Any, project: str) -> list[Problem]:
    """Shape errors answered synchronously with 400 (the file cannot be read as a project file)."""
    out: list[Problem] = []
    if not isinstance(body, dict):
        return [Problem("InvalidArgument", "the project file must be a JSON object", _ptr())]
    if not isinstance(body.get("projectFileVersion", body.get("api-version")), str):
        out.append(Problem("InvalidArgument", "projectFileVersion is required", _ptr("projectFileVersion")))
    if body.get("stringIndexType") != "Utf16CodeUnit":
        out.append(Problem("InvalidArgument", "stringIndexType must be Utf16CodeUnit", _ptr("stringIndexType")))
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        out.append(Problem("InvalidArgument", "metadata is required", _ptr("metadata")))
    else:
        for key in ("projectKind", "projectName", "language"):
            if not isinstance(meta.get(key), str) or not meta.get(key):
                out.append(Problem("InvalidArgument", f"metadata.{key} is required", _ptr("metadata", key)))
        if isinstance(meta.get("projectKind"), str) and meta["projectKind"].lower() != "conversation":
            out.append(
                Problem("InvalidArgument", "only Conversation projects are supported", _ptr("metadata", "projectKind"))
            )
        if isinstance(meta.get("projectName"), str) and meta["projectName"] != project:
            out.append(
                Problem(
                    "InvalidArgument",
                    f"metadata.projectName {meta['projectName']!r} differs from the project {project!r} of the URL",
                    _ptr("metadata", "projectName"),
                )
            )
        settings = meta.get("settings")
        if settings is not None and not isinstance(settings, dict):
            out.append(Problem("InvalidArgument", "settings must be an object", _ptr("metadata", "settings")))
        elif isinstance(settings, dict) and "confidenceThreshold" in settings:
            ct = settings["confidenceThreshold"]
            if isinstance(ct, bool) or not isinstance(ct, (int, float)) or not 0 <= ct <= 1:
                out.append(
                    Problem(
                        "InvalidArgument",
                        "confidenceThreshold must be a number from 0 to 1",
                        _ptr("metadata", "settings", "confidenceThreshold"),
                    )
                )
    assets = body.get("assets")
    if assets is not None:
        if not isinstance(assets, dict):
            out.append(Problem("InvalidArgument", "assets must be an object", _ptr("assets")))
        else:
            kind = assets.get("projectKind", "Conversation")
            if not isinstance(kind, str) or kind.lower() != "conversation":
                out.append(
                    Problem("InvalidArgument", "assets.projectKind must be Conversation", _ptr("assets", "projectKind"))
                )
            for key in ("intents", "entities", "utterances"):
                if key in assets and not isinstance(assets[key], list):
                    out.append(Problem("InvalidArgument", f"assets.{key} must be an array", _ptr("assets", key)))
    return out


def content_problems(assets: dict[str, Any]) -> list[Problem]:
    """Content errors: the import job ends ``failed`` with these as ``errors[]``."""
    out: list[Problem] = []

    def add(message: str, *where: str | int, code: str = "InvalidArgument") -> None:
        out.append(Problem(code, message, _ptr("assets", *where)))

    intents = assets.get("intents") or []
    entities = assets.get("entities") or []
    utterances = assets.get("utterances") or []
    if len(intents) > LIMITS["intents"]:
        add(f"{len(intents)} intents exceed the limit of {LIMITS['intents']}", "intents", code="QuotaExceeded")
    if len(entities) > LIMITS["entities"]:
        add(f"{len(entities)} entities exceed the limit of {LIMITS['entities']}", "entities", code="QuotaExceeded")
    if len(utterances) > LIMITS["utterances"]:
        add(
            f"{len(utterances)} utterances exceed the limit of {LIMITS['utterances']}",
            "utterances",
            code="QuotaExceeded",
        )

    intent_names: set[str] = set()
    for i, intent in enumerate(intents):
        name = intent.get("category") if isinstance(intent, dict) else None
        why = check_label_name(name)
        if why:
            add(f"intent name {name!r} {why}", "intents", i, "category")
        elif name in intent_names:
            add(f"intent {name!r} is declared twice", "intents", i, "category")
        elif isinstance(name, str):  # always, once check_label_name found nothing wrong
            intent_names.add(name)

    entity_names: set[str] = set()
    regex_count = 0
    for e, entity in enumerate(entities):
        if not isinstance(entity, dict):
            add("an entity must be an object", "entities", e)
            continue
        name = entity.get("category")
        why = check_label_name(name)
        if why:
            add(f"entity name {name!r} {why}", "entities", e, "category")
        elif name in entity_names:
            add(f"entity {name!r} is declared twice", "entities", e, "category")
        elif isinstance(name, str):  # always, once check_label_name found nothing wrong
            entity_names.add(name)
        prebuilts = entity.get("prebuilts") or []
        if not isinstance(prebuilts, list) or any(not isinstance(p, dict) or not p.get("category") for p in prebuilts):
            add("prebuilts must be a list of {category}", "entities", e, "prebuilts")
        elif len(prebuilts) > LIMITS["prebuilts_per_entity"]:
            add(
                f"{len(prebuilts)} prebuilt components exceed {LIMITS['prebuilts_per_entity']}",
                "entities",
                e,
                "prebuilts",
                code="QuotaExceeded",
            )
        lst = entity.get("list")
        if lst is not None:
            sublists = lst.get("sublists") if isinstance(lst, dict) else None
            if not isinstance(sublists, list):
                add("list.sublists must be an array", "entities", e, "list")
            else:
                synonyms = 0
                for s, sub in enumerate(sublists):
                    if not isinstance(sub, dict) or not isinstance(sub.get("listKey"), str):
                        add("a sublist needs a listKey", "entities", e, "list", "sublists", s)
                        continue
                    for g, group in enumerate(sub.get("synonyms") or []):
                        values = group.get("values") if isinstance(group, dict) else None
                        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                            add(
                                "synonyms need values[] of strings", "entities", e, "list", "sublists", s, "synonyms", g
                            )
                        else:
                            synonyms += len(values)
                if synonyms > LIMITS["synonyms_per_entity"]:
                    add(
                        f"{synonyms} synonyms exceed {LIMITS['synonyms_per_entity']}",
                        "entities",
                        e,
                        "list",
                        code="QuotaExceeded",
                    )
        rgx = entity.get("regex")
        if rgx is not None:
            expressions = rgx.get("expressions") if isinstance(rgx, dict) else None
            if not isinstance(expressions, list):
                add("regex.expressions must be an array", "entities", e, "regex")
            else:
                for x, expr in enumerate(expressions):
                    regex_count += 1
                    pattern = expr.get("regexPattern") if isinstance(expr, dict) else None
                    if not isinstance(pattern, str) or not isinstance(expr.get("regexKey"), str):
                        add(
                            "a regex expression needs regexKey and regexPattern",
                            "entities",
                            e,
                            "regex",
                            "expressions",
                            x,
                        )
                        continue
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        add(
                            f"invalid regular expression: {exc}",
                            "entities",
                            e,
                            "regex",
                            "expressions",
                            x,
                            "regexPattern",
                        )
        required = entity.get("requiredComponents")
        if required is not None and (not isinstance(required, list) or any(r not in COMPONENTS for r in required)):
            add(f"requiredComponents must be a subset of {', '.join(COMPONENTS)}", "entities", e, "requiredComponents")
    if regex_count > LIMITS["regex"]:
        add(
            f"{regex_count} regular expressions exceed the limit of {LIMITS['regex']}", "entities", code="QuotaExceeded"
        )

    for u, utt in enumerate(utterances):
        if len(out) >= MAX_REPORTED:
            break
        if not isinstance(utt, dict):
            add("an utterance must be an object", "utterances", u)
            continue
        text = utt.get("text")
        if not isinstance(text, str) or not text.strip():
            add("text is required", "utterances", u, "text")
            continue
        if len(text) > LIMITS["utterance_length"]:
            add(f"text is {len(text)} characters long (at most {LIMITS['utterance_length']})", "utterances", u, "text")
        intent = utt.get("intent")
        if not isinstance(intent, str) or intent not in intent_names:
            add(f"intent {intent!r} is not declared in assets.intents", "utterances", u, "intent")
        dataset = utt.get("dataset")
        if dataset is not None and dataset not in ("Train", "Test"):
            add(f"dataset must be Train or Test, not {dataset!r}", "utterances", u, "dataset")
        labels = utt.get("entities") or []
        if not isinstance(labels, list):
            add("entities must be an array", "utterances", u, "entities")
            continue
        for k, label in enumerate(labels):
            if not isinstance(label, dict):
                add("an entity label must be an object", "utterances", u, "entities", k)
                continue
            category, offset, length = label.get("category"), label.get("offset"), label.get("length")
            if category not in entity_names:
                add(
                    f"entity {category!r} is not declared in assets.entities",
                    "utterances",
                    u,
                    "entities",
                    k,
                    "category",
                )
            if type(offset) is not int or type(length) is not int or length < 1:  # JSON integers (not bool)
                add("offset and length must be integers (length at least 1)", "utterances", u, "entities", k)
                continue
            try:
                span_from_utf16(text, offset, length)
            except OffsetError as exc:
                add(
                    f"entity span offset {offset} length {length} (UTF-16 code units) is invalid: {exc}",
                    "utterances",
                    u,
                    "entities",
                    k,
                )
    return out[:MAX_REPORTED]


# -- text units ----------------------------------------------------------------------------------------


def _is_extend(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # tag characters (flag sequences)
        or cp == 0x200D
    )


def grapheme_starts(text: str) -> list[int]:
    """Code-point indices where (approximate) extended grapheme clusters start, plus ``len(text)``.

    Handles CR LF, combining marks, variation selectors, emoji modifiers, ZWJ sequences and flag pairs -
    enough for the emulator's ``TextElements_v8`` offsets.
    """
    starts: list[int] = []
    i, n = 0, len(text)
    while i < n:
        starts.append(i)
        ch = text[i]
        i += 1
        if ch == "\r" and i < n and text[i] == "\n":
            i += 1
            continue
        if 0x1F1E6 <= ord(ch) <= 0x1F1FF and i < n and 0x1F1E6 <= ord(text[i]) <= 0x1F1FF:
            i += 1
        while i < n:
            if text[i] == "\u200d" and i + 1 < n:
                i += 2  # ZWJ joins the next character into this cluster
            elif _is_extend(text[i]):
                i += 1
            else:
                break
    starts.append(n)
    return starts


def normalize_index_type(value: Any) -> str | None:
    """Canonical runtime stringIndexType, accepting the spellings seen in the wild (case-insensitive)."""
    if value is None:
        return "TextElements_v8"
    if not isinstance(value, str):
        return None
    folded = value.lower()
    if folded in ("textelements_v8", "textelement_v8"):
        return "TextElements_v8"
    if folded == "unicodecodepoint":
        return "UnicodeCodePoint"
    if folded == "utf16codeunit":
        return "Utf16CodeUnit"
    return None


def convert_span(text: str, start: int, end: int, index_type: str) -> tuple[int, int]:
    """Code-point span -> (offset, length) in ``index_type`` units."""
    if index_type == "Utf16CodeUnit":
        return span_to_utf16(text, start, end)
    if index_type == "UnicodeCodePoint":
        return start, end - start
    starts = grapheme_starts(text)
    import bisect

    a = bisect.bisect_right(starts, start) - 1
    b = bisect.bisect_left(starts, end)
    return a, b - a


# -- predictor -----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> frozenset[str]:
    return frozenset(t.casefold() for t in _TOKEN.findall(text))


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _word_matches(needle: str, haystack: str) -> list[tuple[int, int]]:
    """Case-insensitive occurrences of ``needle`` in ``haystack`` on word boundaries (code-point spans)."""
    if not needle.strip():
        return []
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(haystack)]


@dataclass
class _Match:
    category: str
    start: int
    end: int
    components: set[str] = field(default_factory=set)
    extra: list[dict[str, Any]] = field(default_factory=list)
    score: float = 1.0


@dataclass
class ToyModel:
    """A trained snapshot of a project's assets."""

    intents: list[str]
    examples: list[tuple[str, frozenset[str], str]]  # (normalized text, tokens, intent)
    exact: dict[str, str]
    entities: list[dict[str, Any]]
    learned: dict[str, set[str]]  # entity -> casefolded labelled span texts
    threshold: float = 0.0

    @classmethod
    def train(cls, assets: dict[str, Any], settings: dict[str, Any] | None = None) -> ToyModel:
        intents = [i["category"] for i in assets.get("intents") or []]
        if "None" not in intents:
            intents.append("None")
        examples: list[tuple[str, frozenset[str], str]] = []
        exact: dict[str, str] = {}
        learned: dict[str, set[str]] = {}
        for utt in assets.get("utterances") or []:
            if utt.get("dataset") == "Test":
                continue
            text, intent = utt["text"], utt["intent"]
            norm = _norm(text)
            examples.append((norm, tokens(text), intent))
            exact.setdefault(norm, intent)  # first labelling of a duplicated text wins
            for label in utt.get("entities") or []:
                start, end = span_from_utf16(text, label["offset"], label["length"])
                span = text[start:end].strip()
                if span:
                    learned.setdefault(label["category"], set()).add(span.casefold())
        threshold = float((settings or {}).get("confidenceThreshold") or 0.0)
        return cls(intents, examples, exact, list(assets.get("entities") or []), learned, threshold)

    def score_intents(self, text: str) -> list[dict[str, Any]]:
        norm = _norm(text)
        query = tokens(text)
        scores = dict.fromkeys(self.intents, 0.0)
        hit = self.exact.get(norm)
        for _example_norm, example_tokens, intent in self.examples:
            if not query or not example_tokens:
                continue
            overlap = len(query & example_tokens) / len(query | example_tokens)
            score = 0.95 * overlap  # only an exact text reaches 1.0
            if score > scores.get(intent, 0.0):
                scores[intent] = score
        if hit is not None:
            scores[hit] = 1.0
        best = max((s for name, s in scores.items() if name != "None"), default=0.0)
        if scores.get("None", 0.0) < 1.0:
            scores["None"] = max(scores.get("None", 0.0), round((1.0 - best) * 0.5, 4))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [{"category": name, "confidenceScore": round(score, 4)} for name, score in ranked]

    def top_intent(self, ranked: list[dict[str, Any]]) -> str:
        if not ranked:
            return "None"
        top = ranked[0]
        return "None" if top["confidenceScore"] < self.threshold else top["category"]

    def find_entities(self, text: str, index_type: str) -> list[dict[str, Any]]:
        matches: list[_Match] = []
        for entity in self.entities:
            category = entity["category"]
            found: list[_Match] = []
            for sub in (entity.get("list") or {}).get("sublists") or []:
                for group in sub.get("synonyms") or []:
                    for value in group.get("values") or []:
                        for a, b in _word_matches(value, text):
                            found.append(
                                _Match(
                                    category,
                                    a,
                                    b,
                                    {"list"},
                                    [{"extraInformationKind": "ListKey", "key": sub["listKey"]}],
                                )
                            )
                for a, b in _word_matches(sub["listKey"], text):
                    found.append(
                        _Match(category, a, b, {"list"}, [{"extraInformationKind": "ListKey", "key": sub["listKey"]}])
                    )
            for expr in (entity.get("regex") or {}).get("expressions") or []:
                for hit in re.finditer(expr["regexPattern"], text):
                    if hit.end() > hit.start():
                        found.append(
                            _Match(
                                category,
                                hit.start(),
                                hit.end(),
                                {"regex"},
                                [
                                    {
                                        "extraInformationKind": "RegexKey",
                                        "key": expr["regexKey"],
                                        "regexPattern": expr["regexPattern"],
                                    }
                                ],
                            )
                        )
            for span in sorted(self.learned.get(category, ())):
                for a, b in _word_matches(span, text):
                    found.append(_Match(category, a, b, {"learned"}, [], 0.9))
            found = _dedupe(found)
            if entity.get("compositionSetting", "combineComponents") != "separateComponents":
                found = _combine(found)
            required = set(entity.get("requiredComponents") or [])
            matches.extend(m for m in found if required <= m.components)
        out = []
        for match in sorted(matches, key=lambda m: (m.start, m.end, m.category)):
            offset, length = convert_span(text, match.start, match.end, index_type)
            item: dict[str, Any] = {
                "category": match.category,
                "text": text[match.start : match.end],
                "offset": offset,
                "length": length,
                "confidenceScore": match.score,
            }
            if match.extra:
                item["extraInformation"] = match.extra
            out.append(item)
        return out


def _dedupe(found: list[_Match]) -> list[_Match]:
    seen: dict[tuple[int, int, str], _Match] = {}
    for m in found:
        key = (m.start, m.end, str(sorted(m.components)))
        if key in seen:
            for info in m.extra:
                if info not in seen[key].extra:
                    seen[key].extra.append(info)
        else:
            seen[key] = m
    return sorted(seen.values(), key=lambda m: (m.start, -m.end))


def _combine(found: list[_Match]) -> list[_Match]:
    """Merge overlapping matches of one entity (``combineComponents``)."""
    merged: list[_Match] = []
    for m in sorted(found, key=lambda m: (m.start, -m.end)):
        if merged and m.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, m.end)
            last.components |= m.components
            last.score = max(last.score, m.score)
            for info in m.extra:
                if info not in last.extra:
                    last.extra.append(info)
        else:
            merged.append(_Match(m.category, m.start, m.end, set(m.components), list(m.extra), m.score))
    return merged
