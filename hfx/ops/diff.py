"""Semantic diff of two workspaces (any formats, compared on the neutral model).

Identity rules are those of :mod:`hfx.ops._index`. Ids, timestamps and other bookkeeping kept in
``extra`` are not compared: two workspaces that say the same thing are identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from hfx.extensions import as_json
from hfx.model import Entity, Example, Intent, Workspace
from hfx.ops._index import ExampleKey, Index, IntentPath, ann_key, path_json, show_path

_SECTIONS = ("workspace", "intents", "examples", "entities", "tags")


@dataclass
class Diff:
    intents_added: list[IntentPath] = field(default_factory=list)
    intents_removed: list[IntentPath] = field(default_factory=list)
    intents_renamed: list[tuple[IntentPath, IntentPath]] = field(default_factory=list)
    intents_changed: list[dict[str, Any]] = field(default_factory=list)
    examples_added: list[dict[str, Any]] = field(default_factory=list)
    examples_removed: list[dict[str, Any]] = field(default_factory=list)
    examples_moved: list[dict[str, Any]] = field(default_factory=list)
    examples_retagged: list[dict[str, Any]] = field(default_factory=list)
    examples_annotations: list[dict[str, Any]] = field(default_factory=list)
    examples_changed: list[dict[str, Any]] = field(default_factory=list)
    entities_added: list[str] = field(default_factory=list)
    entities_removed: list[str] = field(default_factory=list)
    entities_changed: list[dict[str, Any]] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)
    tags_changed: list[dict[str, Any]] = field(default_factory=list)
    workspace_changed: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        return {
            "intents_added": len(self.intents_added),
            "intents_removed": len(self.intents_removed),
            "intents_renamed": len(self.intents_renamed),
            "intents_changed": len(self.intents_changed),
            "examples_added": len(self.examples_added),
            "examples_removed": len(self.examples_removed),
            "examples_moved": len(self.examples_moved),
            "examples_retagged": len(self.examples_retagged),
            "examples_annotations_changed": len(self.examples_annotations),
            "examples_changed": len(self.examples_changed),
            "entities_added": len(self.entities_added),
            "entities_removed": len(self.entities_removed),
            "entities_changed": len(self.entities_changed),
            "tags_added": len(self.tags_added),
            "tags_removed": len(self.tags_removed),
            "tags_changed": len(self.tags_changed),
            "workspace_changed": len(self.workspace_changed),
        }

    @property
    def identical(self) -> bool:
        return not any(self.summary().values())

    def to_json(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "summary": self.summary(),
            "workspace": self.workspace_changed,
            "intents": {
                "added": [list(p) for p in self.intents_added],
                "removed": [list(p) for p in self.intents_removed],
                "renamed": [{"from": list(a), "to": list(b)} for a, b in self.intents_renamed],
                "changed": self.intents_changed,
            },
            "examples": {
                "added": self.examples_added,
                "removed": self.examples_removed,
                "moved": self.examples_moved,
                "retagged": self.examples_retagged,
                "annotations": self.examples_annotations,
                "changed": self.examples_changed,
            },
            "entities": {
                "added": self.entities_added,
                "removed": self.entities_removed,
                "changed": self.entities_changed,
            },
            "tags": {"added": self.tags_added, "removed": self.tags_removed, "changed": self.tags_changed},
        }


#: Root intents CLU adds to every project by itself.
CLU_SERVICE_INTENTS = frozenset({"None"})


def without_service_intents(ws: Workspace, other: Workspace, names: frozenset[str] = CLU_SERVICE_INTENTS) -> Workspace:
    """``ws`` without the root intents a service adds by itself (CLU's ``None``) when they hold no examples and no
    children and ``other`` has no root intent of that name: they are the service's, not a change. ``ws`` is not
    modified."""
    import copy

    theirs = {i.name for i in other.intents if i.parent_id is None}
    drop = {i.id for i in ws.intents if i.parent_id is None and i.name in names and i.name not in theirs}
    if drop:  # the references are gathered only when there is a service intent to drop
        used = {r.intent_id for ex in ws.examples for r in ex.intents} | {i.parent_id for i in ws.intents}
        drop -= used
    if not drop:
        return ws
    out = copy.copy(ws)
    out.intents = [i for i in ws.intents if i.id not in drop]
    return out


def diff(old: Workspace, new: Workspace) -> Diff:
    """What changed from ``old`` to ``new``."""
    texts: dict[str, str] = {}  # the normalised texts, shared: most texts of ``new`` are those of ``old``
    a, b = Index.build(old, texts=texts), Index.build(new, texts=texts)
    d = Diff()
    _diff_workspace(old, new, d)
    renames = _diff_intents(a, b, d)
    _diff_examples(a, b, renames, d)
    _diff_entities(a, b, d)
    _diff_tags(old, new, d)
    return d


# -- workspace / tags --------------------------------------------------------------------------------


def _fields(pairs: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    return {k: {"old": _plain(o), "new": _plain(n)} for k, (o, n) in pairs.items() if o != n}


def _fields_of(
    a: Index, b: Index, x: Intent | Entity, y: Intent | Entity, own: dict[str, tuple[Any, Any]]
) -> dict[str, Any]:
    """The changed fields of an intent or entity: ``own`` ones first, then its CLU details and tags."""
    return _fields({**own, "clu": (as_json(x.clu), as_json(y.clu)), "tags": (a.tag_set(x.tags), b.tag_set(y.tags))})


def _plain(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _diff_workspace(old: Workspace, new: Workspace, d: Diff) -> None:
    d.workspace_changed = _fields(
        {
            "name": (old.name, new.name),
            "description": (old.description, new.description),
            "language": (old.language, new.language),
            "metadata": (old.metadata, new.metadata),
            "source": (old.source, new.source),
            "clu": (as_json(old.clu), as_json(new.clu)),
        }
    )


def _diff_tags(old: Workspace, new: Workspace, d: Diff) -> None:
    a = {t.name: t for t in old.tags}
    b = {t.name: t for t in new.tags}
    d.tags_added = [n for n in b if n not in a]
    d.tags_removed = [n for n in a if n not in b]
    for name in a.keys() & b.keys():
        changes = _fields(
            {"color": (a[name].color, b[name].color), "description": (a[name].description, b[name].description)}
        )
        if changes:
            d.tags_changed.append({"tag": name, "fields": changes})
    d.tags_changed.sort(key=lambda c: c["tag"])


# -- intents -------------------------------------------------------------------------------------------


def infer_renames(a: Index, b: Index) -> dict[IntentPath, IntentPath]:
    """Intent paths of ``a`` renamed in ``b``: same (non-empty) example set; a parent without examples of
    its own is renamed when all its children were renamed under one new path."""
    removed = [p for p in a.intents if p not in b.intents]
    added = [p for p in b.intents if p not in a.intents]
    if not removed or not added:
        return {}  # a rename removes a path and adds one
    ex_a, ex_b = a.examples_of_intent(), b.examples_of_intent()

    renames: dict[IntentPath, IntentPath] = {}
    # 1. same non-empty example set -> rename
    by_set: dict[frozenset[ExampleKey], list[IntentPath]] = {}
    for p in added:
        s = ex_b.get(p)
        if s:
            by_set.setdefault(s, []).append(p)
    for p in removed:
        s = ex_a.get(p)
        if s and len(by_set.get(s, [])) == 1:
            renames[p] = by_set.pop(s)[0]
    _rename_parents(a, removed, added, ex_a, ex_b, renames)
    return renames


def _rename_parents(
    a: Index,
    removed: list[IntentPath],
    added: list[IntentPath],
    ex_a: dict[IntentPath, frozenset[ExampleKey]],
    ex_b: dict[IntentPath, frozenset[ExampleKey]],
    renames: dict[IntentPath, IntentPath],
) -> None:
    """2. Intents without own examples: renamed when all their renamed children moved under one new path."""
    changed = True
    while changed:
        changed = False
        for p in removed:
            if p in renames or ex_a.get(p):
                continue
            children = [c for c in a.intents if len(c) == len(p) + 1 and c[: len(p)] == p]
            targets = {renames[c][:-1] for c in children if c in renames}
            if children and all(c in renames for c in children) and len(targets) == 1:
                target = targets.pop()
                if target in added and target not in renames.values() and not ex_b.get(target):
                    renames[p] = target
                    changed = True


def _diff_intents(a: Index, b: Index, d: Diff) -> dict[IntentPath, IntentPath]:
    removed = [p for p in a.intents if p not in b.intents]
    added = [p for p in b.intents if p not in a.intents]
    renames = infer_renames(a, b)
    d.intents_renamed = sorted(renames.items())
    d.intents_removed = [p for p in removed if p not in renames]
    taken = set(renames.values())
    d.intents_added = [p for p in added if p not in taken]

    pairs = [(p, p) for p in a.intents if p in b.intents] + sorted(renames.items())
    for pa, pb in pairs:
        ia, ib = a.intent(pa), b.intent(pb)
        own = {
            "description": (ia.description, ib.description),
            "metadata": (ia.metadata, ib.metadata),
            "implicit": (ia.implicit, ib.implicit),
        }
        changes = _fields_of(a, b, ia, ib, own)
        if changes:
            d.intents_changed.append({"intent": list(pb), "fields": changes})
    return renames


# -- examples ------------------------------------------------------------------------------------------


def _ex_json(idx: Index, key: ExampleKey, ex: Example) -> dict[str, Any]:
    out: dict[str, Any] = {"text": ex.text}
    if key[1] is not None:
        out["language"] = key[1]
    out["intents"] = _refs_json(idx.intent_refs(ex))
    return out


def _refs_json(refs: frozenset[tuple[IntentPath, bool]]) -> list[list[str]]:
    """Intent paths of an example; a negative label ends with ``"(negative)"``."""
    return sorted([*path_json(p), "(negative)"] if neg else path_json(p) for p, neg in refs)


def _diff_examples(a: Index, b: Index, renames: dict[IntentPath, IntentPath], d: Diff) -> None:
    d.examples_added.extend(_ex_json(b, key, ex) for key, ex in b.examples.items() if key not in a.examples)
    for key, ea in a.examples.items():
        eb = b.examples.get(key)
        if eb is None:
            d.examples_removed.append(_ex_json(a, key, ea))
            continue
        if not _same_refs(a, b, ea, eb, renames):
            _diff_moved(a, b, key, ea, eb, renames, d)
        changes = _example_changes(a, b, ea, eb, d)
        if changes:
            base = _ex_json(b, key, eb)  # built only for an example that changed
            for target, change in changes:
                target.append({**base, **change})


def _diff_moved(
    a: Index, b: Index, key: ExampleKey, ea: Example, eb: Example, renames: dict[IntentPath, IntentPath], d: Diff
) -> None:
    ra = frozenset((renames.get(p, p), neg) for p, neg in a.intent_refs(ea))
    rb = b.intent_refs(eb)
    if ra != rb:
        d.examples_moved.append(
            {"text": eb.text, **({"language": key[1]} if key[1] else {}), "from": _refs_json(ra), "to": _refs_json(rb)}
        )


def _example_changes(
    a: Index, b: Index, ea: Example, eb: Example, d: Diff
) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """What changed on an example (tags, annotations, text, metadata, CLU details), each with its report list."""
    out: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []
    if ea.tags or eb.tags:
        ta, tb = a.tag_set(ea.tags), b.tag_set(eb.tags)
        if ta != tb:
            out.append((d.examples_retagged, {"added": sorted(tb - ta), "removed": sorted(ta - tb)}))
    if ea.annotations or eb.annotations:
        ann = _diff_annotations(ea, eb)
        if ann:
            out.append((d.examples_annotations, ann))
    changes = _changed_fields(ea, eb)
    if changes:
        out.append((d.examples_changed, {"fields": changes}))
    return out


def _changed_fields(ea: Example, eb: Example) -> dict[str, Any]:
    if ea.text == eb.text and ea.metadata == eb.metadata and ea.clu == eb.clu:
        return {}  # the common case, without building the comparison
    return _fields(
        {"text": (ea.text, eb.text), "metadata": (ea.metadata, eb.metadata), "clu": (as_json(ea.clu), as_json(eb.clu))}
    )


def _same_refs(a: Index, b: Index, ea: Example, eb: Example, renames: dict[IntentPath, IntentPath]) -> bool:
    """The common case at once: both examples carry one positive intent, at the same path."""
    ra, rb = ea.intents, eb.intents
    if len(ra) != 1 or len(rb) != 1 or ra[0].negative or rb[0].negative:
        return False
    pa = a.path_of(ra[0].intent_id)
    return renames.get(pa, pa) == b.path_of(rb[0].intent_id)


def _ann_json(a: Any) -> dict[str, Any]:
    out = {"entity": a.entity, "start": a.start, "end": a.end, "text": a.text}
    if a.value is not None:
        out["value"] = a.value
    if a.role is not None:
        out["role"] = a.role
    return out


#: What an annotation's diff compares: its identity (:func:`ann_key`), value and role.
_compared = attrgetter("entity", "start", "end", "value", "role")


def _diff_annotations(ea: Example, eb: Example) -> dict[str, Any]:
    if ea.annotations == eb.annotations:
        return {}  # equal in every field, in the same order (the common case, compared at once)
    if len(ea.annotations) == len(eb.annotations) and list(map(_compared, ea.annotations)) == list(
        map(_compared, eb.annotations)
    ):
        return {}  # the same annotations in the same order
    ka = {ann_key(x): x for x in ea.annotations}
    kb = {ann_key(x): x for x in eb.annotations}
    return _nonempty(
        added=[_ann_json(kb[k]) for k in sorted(kb.keys() - ka.keys())],
        removed=[_ann_json(ka[k]) for k in sorted(ka.keys() - kb.keys())],
        changed=[
            {"old": _ann_json(ka[k]), "new": _ann_json(kb[k])}
            for k in sorted(ka.keys() & kb.keys())
            if (ka[k].value, ka[k].role) != (kb[k].value, kb[k].role)
        ],
    )


def _nonempty(**parts: Any) -> dict[str, Any]:
    """The non-empty parts (lists, dicts), by name, in the order given."""
    return {name: items for name, items in parts.items() if items}


# -- entities ------------------------------------------------------------------------------------------


def _values(e: Entity) -> dict[tuple[str, str | None], Any]:
    return {(v.key, v.language): v for v in e.values}


def _diff_entities(a: Index, b: Index, d: Diff) -> None:
    ea = a.ws.entities_by_name()
    eb = b.ws.entities_by_name()
    d.entities_added = [n for n in eb if n not in ea]
    d.entities_removed = [n for n in ea if n not in eb]
    for name in ea:
        if name not in eb:
            continue
        x, y = ea[name], eb[name]
        own: dict[str, tuple[Any, Any]] = {"kind": (x.kind, y.kind), "system_type": (x.system_type, y.system_type)}
        own["metadata"] = (x.metadata, y.metadata)
        change = _nonempty(fields=_fields_of(a, b, x, y, own)) | _diff_values(x, y)
        if change:
            d.entities_changed.append({"entity": name, **change})


def _diff_values(x: Entity, y: Entity) -> dict[str, Any]:
    va, vb = _values(x), _values(y)
    changed = []
    for k in va:
        if k in vb:
            sa = [s.value for s in va[k].synonyms]
            sb = [s.value for s in vb[k].synonyms]
            if sa != sb:
                changed.append(
                    {
                        "value": _value_label(k),
                        "synonyms_added": [s for s in sb if s not in sa],
                        "synonyms_removed": [s for s in sa if s not in sb],
                    }
                )
    return _nonempty(
        values_added=[_value_label(k) for k in vb if k not in va],
        values_removed=[_value_label(k) for k in va if k not in vb],
        values_changed=changed,
    )


def _value_label(key: tuple[str, str | None]) -> str:
    return key[0] if key[1] is None else f"{key[0]} ({key[1]})"


# -- renderings ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffStyle:
    """How one rendering of a diff (terminal markup, Markdown) shows the parts of a row."""

    #: A name or value: an intent path, entity, tag, workspace field value.
    name: Callable[[str], str]
    #: An example's text.
    text: Callable[[str], str]
    #: Other text (a list of intent paths, of tags).
    plain: Callable[[str], str]
    #: Marks the object of an ``added`` / ``removed`` row.
    added: Callable[[str], str]
    removed: Callable[[str], str]
    arrow: str


def summary_rows(d: Diff) -> list[tuple[str, int]]:
    """The non-zero counts of the summary, as ``(examples added, 3)``."""
    return [(k.replace("_", " "), v) for k, v in d.summary().items() if v]


def sections(d: Diff, st: DiffStyle) -> list[tuple[str, list[str]]]:
    """Every kind of change as ``(title, rows)``, in the order people read them (empty ones too)."""

    def ex(e: dict[str, Any]) -> str:
        return st.text(e["text"])

    def paths(ps: list[list[str]]) -> str:
        return st.plain(_intents_label(ps))

    def path(p: IntentPath | list[str]) -> str:
        return st.name(show_path(tuple(p)))

    return [
        (
            "workspace",
            [
                f"{k}: {st.name(str(v['old']))}{st.arrow}{st.name(str(v['new']))}"
                for k, v in d.workspace_changed.items()
            ],
        ),
        ("intents added", [st.added(path(p)) for p in d.intents_added]),
        ("intents removed", [st.removed(path(p)) for p in d.intents_removed]),
        ("intents renamed", [f"{path(x)}{st.arrow}{path(y)}" for x, y in d.intents_renamed]),
        ("intents changed", [f"{path(c['intent'])}: {', '.join(c['fields'])}" for c in d.intents_changed]),
        ("examples added", [f"{st.added(ex(e))} in {paths(e['intents'])}" for e in d.examples_added]),
        ("examples removed", [f"{st.removed(ex(e))} from {paths(e['intents'])}" for e in d.examples_removed]),
        ("examples moved", [f"{ex(e)}: {paths(e['from'])}{st.arrow}{paths(e['to'])}" for e in d.examples_moved]),
        (
            "examples retagged",
            [f"{ex(e)}: +{st.plain(str(e['added']))} -{st.plain(str(e['removed']))}" for e in d.examples_retagged],
        ),
        (
            "annotations changed",
            [
                f"{ex(e)}: +{len(e.get('added', []))} -{len(e.get('removed', []))} ~{len(e.get('changed', []))}"
                for e in d.examples_annotations
            ],
        ),
        ("examples changed", [f"{ex(e)}: {', '.join(e['fields'])}" for e in d.examples_changed]),
        ("entities added", [st.added(st.name(n)) for n in d.entities_added]),
        ("entities removed", [st.removed(st.name(n)) for n in d.entities_removed]),
        (
            "entities changed",
            [f"{st.name(c['entity'])}: " + ", ".join(k for k in c if k != "entity") for c in d.entities_changed],
        ),
        ("tags added", [st.added(st.name(n)) for n in d.tags_added]),
        ("tags removed", [st.removed(st.name(n)) for n in d.tags_removed]),
        ("tags changed", [f"{st.name(c['tag'])}: {', '.join(c['fields'])}" for c in d.tags_changed]),
    ]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _intents_label(paths: list[list[str]]) -> str:
    return ", ".join(show_path(tuple(p)) for p in paths) or "(none)"


def _unmarked(text: str) -> str:
    return text


MARKDOWN = DiffStyle(
    name=lambda s: f"`{_md_escape(s)}`",
    text=lambda s: f'"{_md_escape(s)}"',
    plain=_md_escape,
    added=_unmarked,
    removed=_unmarked,
    arrow=" → ",
)
#: Markdown section titles that are not the capitalised kind of change.
_MD_TITLES = {"workspace": "Workspace changes"}


def to_markdown(d: Diff, *, old: str = "old", new: str = "new", limit: int = 50) -> str:
    """A pull-request comment: summary table, then one section per kind of change (``limit`` rows each)."""
    lines = [f"### hfx diff: `{_md_escape(old)}` → `{_md_escape(new)}`", ""]
    if d.identical:
        lines.append("No semantic differences.")
        return "\n".join(lines) + "\n"
    lines += ["| change | count |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(d)]
    lines.append("")
    for title, rows in sections(d, MARKDOWN):
        if not rows:
            continue
        lines.append(f"<details><summary>{_MD_TITLES.get(title, title.capitalize())} ({len(rows)})</summary>")
        lines.append("")
        lines += [f"- {row}" for row in rows[:limit]]
        if len(rows) > limit:
            lines.append(f"- … and {len(rows) - limit} more")
        lines.extend(["", "</details>", ""])
    return "\n".join(lines).rstrip() + "\n"
