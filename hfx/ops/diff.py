"""Semantic diff of two workspaces (any formats, compared on the neutral model).

Identity rules are those of :mod:`hfx.ops._index`. Ids, timestamps and other bookkeeping kept in
``extra`` are not compared: two workspaces that say the same thing are identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hfx.extensions import as_json
from hfx.model import Entity, Example, Workspace
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
    used = {r.intent_id for ex in ws.examples for r in ex.intents} | {i.parent_id for i in ws.intents}
    drop = {
        i.id
        for i in ws.intents
        if i.parent_id is None and i.name in names and i.name not in theirs and i.id not in used
    }
    if not drop:
        return ws
    out = copy.copy(ws)
    out.intents = [i for i in ws.intents if i.id not in drop]
    return out


def diff(old: Workspace, new: Workspace) -> Diff:
    """What changed from ``old`` to ``new``."""
    a, b = Index.build(old), Index.build(new)
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
    # 2. intents without own examples: renamed when all their renamed children moved under one new path
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
    return renames


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
        changes = _fields(
            {
                "description": (ia.description, ib.description),
                "metadata": (ia.metadata, ib.metadata),
                "implicit": (ia.implicit, ib.implicit),
                "clu": (as_json(ia.clu), as_json(ib.clu)),
                "tags": (a.tag_set(ia.tags), b.tag_set(ib.tags)),
            }
        )
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
    for key, ex in b.examples.items():
        if key not in a.examples:
            d.examples_added.append(_ex_json(b, key, ex))
    for key, ex in a.examples.items():
        if key not in b.examples:
            d.examples_removed.append(_ex_json(a, key, ex))
    for key, ea in a.examples.items():
        eb = b.examples.get(key)
        if eb is None:
            continue
        base: dict[str, Any] | None = None  # built only for an example that changed
        if not _same_refs(a, b, ea, eb, renames):
            ra = frozenset((renames.get(p, p), neg) for p, neg in a.intent_refs(ea))
            rb = b.intent_refs(eb)
            if ra != rb:
                d.examples_moved.append(
                    {
                        "text": eb.text,
                        **({"language": key[1]} if key[1] else {}),
                        "from": _refs_json(ra),
                        "to": _refs_json(rb),
                    }
                )
        if ea.tags or eb.tags:
            ta, tb = a.tag_set(ea.tags), b.tag_set(eb.tags)
            if ta != tb:
                base = base or _ex_json(b, key, eb)
                d.examples_retagged.append({**base, "added": sorted(tb - ta), "removed": sorted(ta - tb)})
        if ea.annotations or eb.annotations:
            ann = _diff_annotations(ea, eb)
            if ann:
                base = base or _ex_json(b, key, eb)
                d.examples_annotations.append({**base, **ann})
        if ea.text != eb.text or ea.metadata != eb.metadata or ea.clu != eb.clu:
            changes = _fields(
                {
                    "text": (ea.text, eb.text),
                    "metadata": (ea.metadata, eb.metadata),
                    "clu": (as_json(ea.clu), as_json(eb.clu)),
                }
            )
            if changes:
                base = base or _ex_json(b, key, eb)
                d.examples_changed.append({**base, "fields": changes})


def _same_refs(a: Index, b: Index, ea: Example, eb: Example, renames: dict[IntentPath, IntentPath]) -> bool:
    """The common case at once: both examples carry one positive intent, at the same path."""
    if len(ea.intents) != 1 or len(eb.intents) != 1 or ea.intents[0].negative or eb.intents[0].negative:
        return False
    pa = a.path_of(ea.intents[0].intent_id)
    return renames.get(pa, pa) == b.path_of(eb.intents[0].intent_id)


def _ann_json(a: Any) -> dict[str, Any]:
    out = {"entity": a.entity, "start": a.start, "end": a.end, "text": a.text}
    if a.value is not None:
        out["value"] = a.value
    if a.role is not None:
        out["role"] = a.role
    return out


def _diff_annotations(ea: Example, eb: Example) -> dict[str, Any]:
    if len(ea.annotations) == len(eb.annotations) and all(
        (x.entity, x.start, x.end, x.value, x.role) == (y.entity, y.start, y.end, y.value, y.role)
        for x, y in zip(ea.annotations, eb.annotations, strict=True)
    ):
        return {}  # the same annotations in the same order (the common case)
    ka = {ann_key(x): x for x in ea.annotations}
    kb = {ann_key(x): x for x in eb.annotations}
    out: dict[str, Any] = {}
    added = [_ann_json(kb[k]) for k in sorted(kb.keys() - ka.keys())]
    removed = [_ann_json(ka[k]) for k in sorted(ka.keys() - kb.keys())]
    changed = [
        {"old": _ann_json(ka[k]), "new": _ann_json(kb[k])}
        for k in sorted(ka.keys() & kb.keys())
        if (ka[k].value, ka[k].role) != (kb[k].value, kb[k].role)
    ]
    if added:
        out["added"] = added
    if removed:
        out["removed"] = removed
    if changed:
        out["changed"] = changed
    return out


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
        change: dict[str, Any] = {}
        fields = _fields(
            {
                "kind": (x.kind, y.kind),
                "system_type": (x.system_type, y.system_type),
                "metadata": (x.metadata, y.metadata),
                "clu": (as_json(x.clu), as_json(y.clu)),
                "tags": (a.tag_set(x.tags), b.tag_set(y.tags)),
            }
        )
        if fields:
            change["fields"] = fields
        va, vb = _values(x), _values(y)
        added = [_value_label(k) for k in vb if k not in va]
        removed = [_value_label(k) for k in va if k not in vb]
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
        if added:
            change["values_added"] = added
        if removed:
            change["values_removed"] = removed
        if changed:
            change["values_changed"] = changed
        if change:
            d.entities_changed.append({"entity": name, **change})


def _value_label(key: tuple[str, str | None]) -> str:
    return key[0] if key[1] is None else f"{key[0]} ({key[1]})"


# -- markdown --------------------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _intents_label(paths: list[list[str]]) -> str:
    return ", ".join(show_path(tuple(p)) for p in paths) or "(none)"


def to_markdown(d: Diff, *, old: str = "old", new: str = "new", limit: int = 50) -> str:
    """A pull-request comment: summary table, then one section per kind of change (``limit`` rows each)."""
    lines = [f"### hfx diff: `{_md_escape(old)}` → `{_md_escape(new)}`", ""]
    if d.identical:
        lines.append("No semantic differences.")
        return "\n".join(lines) + "\n"
    lines += ["| change | count |", "|---|---:|"]
    for k, v in d.summary().items():
        if v:
            lines.append(f"| {k.replace('_', ' ')} | {v} |")
    lines.append("")

    def section(title: str, rows: list[str]) -> None:
        if not rows:
            return
        lines.append(f"<details><summary>{title} ({len(rows)})</summary>")
        lines.append("")
        for row in rows[:limit]:
            lines.append(f"- {row}")
        if len(rows) > limit:
            lines.append(f"- … and {len(rows) - limit} more")
        lines.extend(["", "</details>", ""])

    j = d.to_json()
    section(
        "Workspace changes",
        [f"{k}: `{_md_escape(str(v['old']))}` → `{_md_escape(str(v['new']))}`" for k, v in j["workspace"].items()],
    )
    section("Intents added", [f"`{_md_escape(show_path(p))}`" for p in d.intents_added])
    section("Intents removed", [f"`{_md_escape(show_path(p))}`" for p in d.intents_removed])
    section(
        "Intents renamed",
        [f"`{_md_escape(show_path(x))}` → `{_md_escape(show_path(y))}`" for x, y in d.intents_renamed],
    )
    section(
        "Intents changed",
        [f"`{_md_escape(show_path(tuple(c['intent'])))}`: {', '.join(c['fields'])}" for c in d.intents_changed],
    )
    section(
        "Examples added",
        [f'"{_md_escape(e["text"])}" in {_md_escape(_intents_label(e["intents"]))}' for e in d.examples_added],
    )
    section(
        "Examples removed",
        [f'"{_md_escape(e["text"])}" from {_md_escape(_intents_label(e["intents"]))}' for e in d.examples_removed],
    )
    section(
        "Examples moved",
        [
            f'"{_md_escape(e["text"])}": {_md_escape(_intents_label(e["from"]))} → '
            f"{_md_escape(_intents_label(e['to']))}"
            for e in d.examples_moved
        ],
    )
    section(
        "Examples retagged", [f'"{_md_escape(e["text"])}": +{e["added"]} -{e["removed"]}' for e in d.examples_retagged]
    )
    section(
        "Annotations changed",
        [
            f'"{_md_escape(e["text"])}": '
            f"+{len(e.get('added', []))} -{len(e.get('removed', []))} "
            f"~{len(e.get('changed', []))}"
            for e in d.examples_annotations
        ],
    )
    section("Examples changed", [f'"{_md_escape(e["text"])}": {", ".join(e["fields"])}' for e in d.examples_changed])
    section("Entities added", [f"`{_md_escape(n)}`" for n in d.entities_added])
    section("Entities removed", [f"`{_md_escape(n)}`" for n in d.entities_removed])
    section(
        "Entities changed",
        [f"`{_md_escape(c['entity'])}`: " + ", ".join(k for k in c if k != "entity") for c in d.entities_changed],
    )
    section("Tags added", [f"`{_md_escape(n)}`" for n in d.tags_added])
    section("Tags removed", [f"`{_md_escape(n)}`" for n in d.tags_removed])
    section("Tags changed", [f"`{_md_escape(c['tag'])}`: {', '.join(c['fields'])}" for c in d.tags_changed])
    return "\n".join(lines).rstrip() + "\n"
