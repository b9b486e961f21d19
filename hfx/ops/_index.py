"""Identity of workspace objects, shared by diff and merge.

Identity rules (the same for every format, so HF and CLU workspaces can be compared):

* intents by full path (tuple of leaf names),
* examples by normalized text (NFC, whitespace collapsed) + language (``None`` = workspace default),
  plus an occurrence number when the same text appears more than once,
* entities by name, entity values by key (+ language), tags by name,
* annotations by entity name + code-point span.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from hfx.errors import shorten
from hfx.model import Annotation, Example, Intent, Workspace

IntentPath = tuple[str, ...]
ExampleKey = tuple[str, "str | None", int]
AnnotationKey = tuple[str, int, int]


#: First element of the pseudo path of a reference to an unknown intent id.
DANGLING = "\x00dangling"


def norm_text(text: str) -> str:
    return " ".join((text if text.isascii() else unicodedata.normalize("NFC", text)).split())  # ASCII is NFC


#: An annotation's identity: ``(entity, start, end)``.
ann_key: Callable[[Annotation], AnnotationKey] = attrgetter("entity", "start", "end")


def path_json(path: IntentPath) -> list[str]:
    """A path as a JSON array (a reference to an unknown intent id becomes ``["<unknown intent ID>"]``)."""
    if path and path[0] == DANGLING:
        return [f"<unknown intent {path[1]}>"]
    return list(path)


def show_path(path: IntentPath) -> str:
    """An intent path for people: long names shortened, a deep path shown by its ends."""
    if path and path[0] == DANGLING:
        return f"<unknown intent {shorten(str(path[1]))}>"
    shown = [shorten(p, 60) for p in (path if len(path) <= 8 else (*path[:3], *path[-3:]))]
    if len(path) > 8:
        shown[3:3] = [f"… {len(path) - 6} more …"]
    return " / ".join(shown)


@dataclass
class Index:
    """Lookups of one workspace by identity."""

    ws: Workspace
    paths: dict[str, IntentPath] = field(default_factory=dict)
    intents: dict[IntentPath, str] = field(default_factory=dict)  # path -> intent id (first wins)
    tag_names: dict[str, str] = field(default_factory=dict)  # tag id -> name
    examples: dict[ExampleKey, Example] = field(default_factory=dict)
    by_id: dict[str, Intent] = field(default_factory=dict)

    @classmethod
    def build(
        cls, ws: Workspace, path_map: dict[IntentPath, IntentPath] | None = None, texts: dict[str, str] | None = None
    ) -> Index:
        """Index ``ws``; ``path_map`` renames intent paths (e.g. CLU-rewritten names back to full ones); ``texts``
        memoises :func:`norm_text` (one dict shared by the indexes of one comparison: their texts mostly repeat)."""
        idx = cls(ws)
        idx.paths = ws.intent_paths()
        if path_map:
            idx.paths = {iid: path_map.get(p, p) for iid, p in idx.paths.items()}
        idx.by_id = ws.intents_by_id()
        for intent in ws.intents:
            path = idx.paths.get(intent.id)
            if path is not None:
                idx.intents.setdefault(path, intent.id)
        idx.tag_names = {t.id: t.name for t in ws.tags}
        idx.examples = _examples_by_key(ws, {} if texts is None else texts)
        return idx

    def lang(self, ex: Example) -> str | None:
        """The example's language, ``None`` when it is the workspace default."""
        if ex.language is None or ex.language == self.ws.language:
            return None
        return ex.language

    def intent(self, path: IntentPath) -> Intent:
        return self.by_id[self.intents[path]]

    def path_of(self, intent_id: str) -> IntentPath:
        """The full path, or ``(DANGLING, id)`` for an unknown id / an intent in a cycle."""
        return self.paths.get(intent_id, (DANGLING, intent_id))

    def intent_refs(self, ex: Example) -> frozenset[tuple[IntentPath, bool]]:
        return frozenset((self.path_of(r.intent_id), r.negative) for r in ex.intents)

    def tag_set(self, tag_ids: list[str]) -> frozenset[str]:
        return frozenset(self.tag_names.get(t, t) for t in tag_ids)

    def examples_of_intent(self) -> dict[IntentPath, frozenset[ExampleKey]]:
        out: dict[IntentPath, set[ExampleKey]] = {}
        for key, ex in self.examples.items():
            for r in ex.intents:
                if not r.negative:
                    out.setdefault(self.path_of(r.intent_id), set()).add(key)
        return {p: frozenset(v) for p, v in out.items()}


def _examples_by_key(ws: Workspace, texts: dict[str, str]) -> dict[ExampleKey, Example]:
    """The examples by identity, in file order: the same text twice is numbered in file order (CLU keeps the first
    one). ``texts`` memoises :func:`norm_text`."""
    out: dict[ExampleKey, Example] = {}
    repeats: dict[tuple[str, str | None], int] = {}  # the next occurrence number of a text seen more than once
    default = ws.language
    for ex in ws.examples:
        lang = None if ex.language == default else ex.language  # as Index.lang()
        text = texts.get(ex.text)
        if text is None:
            text = texts[ex.text] = norm_text(ex.text)
        key = (text, lang, 0)
        if key in out:
            occ = repeats.get((text, lang), 1)
            repeats[(text, lang)] = occ + 1
            key = (text, lang, occ)
        out[key] = ex
    return out
