"""Entity extractors: list values and synonyms (gazetteer), regex entities, and a CRF for annotated entities
that have no values. Each works in code points; the model converts spans to UTF-8 bytes at the end."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hfx.model import Workspace
from hfx.nlu.text import fold, fold_with_map


@dataclass(frozen=True)
class Hit:
    """An entity found in a text, with a code-point span."""

    entity_id: str
    entity_value_id: str
    value: str
    start: int
    end: int
    score: float
    extractor: str


@dataclass(frozen=True)
class Phrase:
    """One surface form of a list value: ``folded`` is what is matched."""

    folded: str
    entity_id: str
    value_id: str
    value: str


class ListMatcher:
    """Case- and accent-insensitive, word-bounded, longest-leftmost matching of list values and synonyms."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = phrases
        self._by_form: dict[str, Phrase] = {}
        for phrase in phrases:
            self._by_form.setdefault(phrase.folded, phrase)
        forms = sorted(self._by_form, key=lambda f: (-len(f), f))
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)") if forms else None
        )

    @classmethod
    def from_workspace(cls, workspace: Workspace) -> ListMatcher:
        phrases: list[Phrase] = []
        values_by_id = {}
        for entity in workspace.entities:
            if entity.kind != "list":
                continue
            for value in entity.values:
                values_by_id[value.id] = (entity.id, value)
                for form in [value.key, *(s.value for s in value.synonyms)]:
                    folded = fold(form).strip()
                    if folded:
                        phrases.append(Phrase(folded, entity.id, value.id, value.key))
        # the annotated texts of a list value are more of its synonyms
        for example in workspace.examples:
            for ann in example.annotations:
                if ann.value_id in values_by_id:
                    entity_id, value = values_by_id[ann.value_id]
                    folded = fold(ann.text).strip()
                    if folded and entity_id == (ann.entity_id or entity_id):
                        phrases.append(Phrase(folded, entity_id, value.id, value.key))
        unique = sorted(set(phrases), key=lambda p: (p.folded, p.entity_id, p.value_id, p.value))
        return cls(unique)

    def find(self, text: str) -> list[Hit]:
        if self._pattern is None:
            return []
        folded, origin = fold_with_map(text)
        hits = []
        for match in self._pattern.finditer(folded):
            phrase = self._by_form[match.group()]
            start, last = origin[match.start()], origin[match.end() - 1]
            # take in what folded to nothing after the match (combining marks), never half a character
            end = origin[match.end()] if origin[match.end()] > last else last + 1
            hits.append(Hit(phrase.entity_id, phrase.value_id, phrase.value, start, end, 1.0, "list"))
        return hits

    def to_json(self) -> list[list[str]]:
        return [[p.folded, p.entity_id, p.value_id, p.value] for p in self.phrases]

    @classmethod
    def from_json(cls, rows: Iterable[Any]) -> ListMatcher:
        return cls([Phrase(*(str(x) for x in row)) for row in rows])


class RegexMatcher:
    """HF regex entities: each value's key is a pattern (Python ``re`` syntax); patterns that do not compile are
    left out at training time."""

    def __init__(self, patterns: list[tuple[str, str, str]]) -> None:
        self.patterns = patterns
        self._compiled = [(re.compile(p), e, v) for p, e, v in patterns]

    @classmethod
    def from_workspace(cls, workspace: Workspace) -> RegexMatcher:
        patterns = []
        for entity in workspace.entities:
            if entity.kind != "regex":
                continue
            for value in entity.values:
                try:
                    re.compile(value.key)
                except (re.error, OverflowError, RecursionError):
                    continue
                patterns.append((value.key, entity.id, value.id))
        return cls(patterns)

    def find(self, text: str) -> list[Hit]:
        hits = []
        for regex, entity_id, value_id in self._compiled:
            for match in regex.finditer(text):
                if match.end() > match.start():
                    hits.append(Hit(entity_id, value_id, match.group(), match.start(), match.end(), 1.0, "regex"))
        return hits

    def to_json(self) -> list[list[str]]:
        return [list(p) for p in self.patterns]

    @classmethod
    def from_json(cls, rows: Iterable[Any]) -> RegexMatcher:
        return cls([(str(a), str(b), str(c)) for a, b, c in rows])


def resolve(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits in text order: longer first, then by extractor priority (list, regex, crf)."""
    rank = {"list": 0, "regex": 1, "crf": 2}
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), rank.get(h.extractor, 9), h.start, h.entity_id)):
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: (h.start, h.end))
