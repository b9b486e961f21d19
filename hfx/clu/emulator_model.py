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

from hfx.formats import clu_names
from hfx.formats.clu_rules import check_assets, confidence_threshold_problem
from hfx.offsets import span_from_utf16, span_to_utf16

LIMITS = clu_names.LIMITS
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


#: Rules ``hfx validate`` applies that the service does not refuse an import for.
VALIDATE_ONLY = frozenset({"CLU005", "CLU009", "CLU011"})


def _invalid(message: str, *where: str | int) -> Problem:
    return Problem("InvalidArgument", message, _ptr(*where))


def structure_problems(body: Any, project: str) -> list[Problem]:
    """Shape errors answered synchronously with 400 (the file cannot be read as a project file)."""
    if not isinstance(body, dict):
        return [_invalid("the project file must be a JSON object")]
    out: list[Problem] = []
    if not isinstance(body.get("projectFileVersion", body.get("api-version")), str):
        out.append(_invalid("projectFileVersion is required", "projectFileVersion"))
    if body.get("stringIndexType") != "Utf16CodeUnit":
        out.append(_invalid("stringIndexType must be Utf16CodeUnit", "stringIndexType"))
    meta = body.get("metadata")
    if isinstance(meta, dict):
        out += _metadata_problems(meta, project)
    else:
        out.append(_invalid("metadata is required", "metadata"))
    assets = body.get("assets")
    if assets is not None:
        out += _assets_shape_problems(assets)
    return out


def _metadata_problems(meta: dict[str, Any], project: str) -> list[Problem]:
    out = [
        _invalid(f"metadata.{key} is required", "metadata", key)
        for key in ("projectKind", "projectName", "language")
        if not isinstance(meta.get(key), str) or not meta.get(key)
    ]
    if isinstance(meta.get("projectKind"), str) and meta["projectKind"].lower() != "conversation":
        out.append(_invalid("only Conversation projects are supported", "metadata", "projectKind"))
    if isinstance(meta.get("projectName"), str) and meta["projectName"] != project:
        out.append(
            _invalid(
                f"metadata.projectName {meta['projectName']!r} differs from the project {project!r} of the URL",
                "metadata",
                "projectName",
            )
        )
    out += [_invalid(why, *where) for why, where in settings_problems(meta.get("settings"), ("metadata", "settings"))]
    return out


def settings_problems(settings: Any, where: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """``(message, path)`` of what is wrong with a project's ``settings`` (at ``where``)."""
    if settings is None:
        return []
    if not isinstance(settings, dict):
        return [("settings must be an object", where)]
    why = confidence_threshold_problem(settings)
    return [(why, (*where, "confidenceThreshold"))] if why else []


def _assets_shape_problems(assets: Any) -> list[Problem]:
    if not isinstance(assets, dict):
        return [_invalid("assets must be an object", "assets")]
    out = []
    kind = assets.get("projectKind", "Conversation")
    if not isinstance(kind, str) or kind.lower() != "conversation":
        out.append(_invalid("assets.projectKind must be Conversation", "assets", "projectKind"))
    for key in ("intents", "entities", "utterances"):
        if key in assets and not isinstance(assets[key], list):
            out.append(_invalid(f"assets.{key} must be an array", "assets", key))
    return out


def content_problems(assets: dict[str, Any]) -> list[Problem]:
    """Content errors: the import job ends ``failed`` with these as ``errors[]`` (CLU's rules, as
    :func:`hfx.formats.clu_rules.check_assets` applies them for ``hfx validate`` too)."""
    out = []
    for v in check_assets(assets):
        if v.code in VALIDATE_ONLY:
            continue
        code = "QuotaExceeded" if v.code == "CLU_LIMIT" else "InvalidArgument"
        out.append(Problem(code, v.message, "#" + v.pointer))
        if len(out) >= MAX_REPORTED:
            break
    return out


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
            found = _list_matches(entity, text) + _regex_matches(entity, text)
            for span in sorted(self.learned.get(category, ())):
                found.extend(_Match(category, a, b, {"learned"}, [], 0.9) for a, b in _word_matches(span, text))
            found = _dedupe(found)
            if entity.get("compositionSetting", "combineComponents") != "separateComponents":
                found = _combine(found)
            required = set(entity.get("requiredComponents") or [])
            matches.extend(m for m in found if required <= m.components)
        return [_entity_json(text, m, index_type) for m in sorted(matches, key=lambda m: (m.start, m.end, m.category))]


def _list_matches(entity: dict[str, Any], text: str) -> list[_Match]:
    """Matches of a list component: each synonym, and each list key, on word boundaries."""
    found: list[_Match] = []
    for sub in (entity.get("list") or {}).get("sublists") or []:
        words = [value for group in sub.get("synonyms") or [] for value in group.get("values") or []]
        for word in [*words, sub["listKey"]]:
            found.extend(
                _Match(entity["category"], a, b, {"list"}, [{"extraInformationKind": "ListKey", "key": sub["listKey"]}])
                for a, b in _word_matches(word, text)
            )
    return found


def _regex_matches(entity: dict[str, Any], text: str) -> list[_Match]:
    found: list[_Match] = []
    for expr in (entity.get("regex") or {}).get("expressions") or []:
        info = {"extraInformationKind": "RegexKey", "key": expr["regexKey"], "regexPattern": expr["regexPattern"]}
        found.extend(
            _Match(entity["category"], hit.start(), hit.end(), {"regex"}, [dict(info)])
            for hit in re.finditer(expr["regexPattern"], text)
            if hit.end() > hit.start()
        )
    return found


def _entity_json(text: str, match: _Match, index_type: str) -> dict[str, Any]:
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
    return item


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
