"""The neutral workspace model that every format, command and backend works on.

Formats are readers and writers around these dataclasses (like pandoc); the model knows no format.

Conventions
-----------
* **Spans** (``Annotation.start``/``end``) are half-open ``[start, end)`` offsets in **Unicode code
  points** into ``Example.text``, i.e. plain Python ``str`` indices: ``text[start:end] == annotation.text``.
  Readers convert from their unit (HF: UTF-8 bytes, CLU: UTF-16 code units) with :mod:`hfx.offsets`.
* **Ids** are opaque strings. Objects refer to each other by id (``Intent.parent_id``,
  ``IntentRef.intent_id``, ``Annotation.entity_id``/``value_id``, tag ids in ``tags``).
* **Intent names** are leaf names; the hierarchy lives in ``parent_id``. ``Workspace.intent_path``
  gives the full path.
* **metadata** is ``str -> str`` everywhere (HF's rule). ``extra`` keeps format-specific keys the
  model has no field for (HF ``source``, timestamps, ``context``, unknown keys) verbatim, so a
  writer of the same format can put them back.
* **Format extensions** (:mod:`hfx.extensions`) are typed fields: what CLU needs and HF cannot express
  (``clu``), hfx's own marks (``Intent.implicit``, ``Workspace.source``) and how an HF object was written
  (``shape``). ``None`` (or ``False``) means none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hfx.extensions import CluEntity, CluItem, CluProject, HfShape

EntityKind = Literal["list", "regex", "system", "learned"]

#: Languages are BCP-47-ish codes as the source wrote them (``en-us``); ``None`` = workspace default.
Language = str | None


@dataclass(slots=True)
class Tag:
    id: str
    name: str
    color: str | None = None
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Intent:
    id: str
    name: str
    parent_id: str | None = None
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: A parent that exists only because a child's flat name implied it (not declared in CLU without examples).
    implicit: bool = False
    clu: CluItem | None = None
    shape: HfShape | None = None


@dataclass(slots=True)
class IntentRef:
    intent_id: str
    negative: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Annotation:
    """An entity occurrence in an example; ``start``/``end`` are code-point offsets."""

    entity: str
    start: int
    end: int
    text: str
    entity_id: str | None = None
    value: str | None = None
    value_id: str | None = None
    role: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Example:
    id: str
    text: str
    intents: list[IntentRef] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    language: Language = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    clu: CluItem | None = None
    shape: HfShape | None = None

    @property
    def positive_intents(self) -> list[str]:
        return [r.intent_id for r in self.intents if not r.negative]


@dataclass(slots=True)
class Synonym:
    value: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class EntityValue:
    """A list value (``key`` + synonyms) or, for regex entities, one pattern (``key`` = regex key)."""

    id: str
    key: str
    synonyms: list[Synonym] = field(default_factory=list)
    language: Language = None
    extra: dict[str, Any] = field(default_factory=dict)
    shape: HfShape | None = None


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    kind: EntityKind = "list"
    #: HF system type (``SYS_DATE_TIME`` ...) when ``kind == "system"``.
    system_type: str | None = None
    values: list[EntityValue] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    clu: CluEntity | None = None
    shape: HfShape | None = None


@dataclass(slots=True)
class Workspace:
    name: str | None = None
    description: str | None = None
    #: Default language of examples whose ``language`` is ``None``.
    language: Language = None
    metadata: dict[str, str] = field(default_factory=dict)
    intents: list[Intent] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    clu: CluProject | None = None
    #: The format the workspace was converted from (``clu``; see :mod:`hfx.provenance`).
    source: str | None = None
    #: The source's own dates (a CLU project's), for the timestamps of the objects hfx creates; never written.
    created_at: str | None = None
    updated_at: str | None = None

    # -- lookups -------------------------------------------------------------------------------
    def intents_by_id(self) -> dict[str, Intent]:
        return {i.id: i for i in self.intents}

    def entities_by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def entities_by_name(self) -> dict[str, Entity]:
        return {e.name: e for e in self.entities}

    def tags_by_id(self) -> dict[str, Tag]:
        return {t.id: t for t in self.tags}

    def intent_path(self, intent_id: str, _index: dict[str, Intent] | None = None) -> tuple[str, ...]:
        """Leaf names from the root to ``intent_id``. Raises ``ValueError`` on a cycle or dangling id."""
        index = _index if _index is not None else self.intents_by_id()
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = intent_id
        while current is not None:
            if current in seen:
                raise ValueError(f"cycle in the intent hierarchy at {current!r}")
            seen.add(current)
            intent = index.get(current)
            if intent is None:
                raise ValueError(f"unknown intent id {current!r}")
            path.append(intent.name)
            current = intent.parent_id
        return tuple(reversed(path))

    def intent_paths(self) -> dict[str, tuple[str, ...]]:
        """Every intent id -> its full path (intents in a cycle or under a dangling parent are skipped).

        Each intent is visited once (a path extends its parent's), so a deep hierarchy costs no more than
        building its paths."""
        index = self.intents_by_id()
        found: dict[str, tuple[str, ...]] = {}
        broken: set[str] = set()
        for intent in self.intents:
            chain: list[str] = []
            on_chain: set[str] = set()
            current: str | None = intent.id
            while current is not None and current not in found:
                if current in on_chain or current in broken or current not in index:
                    broken.update(chain)
                    chain = []
                    break
                on_chain.add(current)
                chain.append(current)
                current = index[current].parent_id
            if not chain:
                continue
            prefix = found[current] if current is not None else ()
            for iid in reversed(chain):
                prefix = (*prefix, index[iid].name)
                found[iid] = prefix
        return {i.id: found[i.id] for i in self.intents if i.id in found}
