"""Intent hierarchy operations on the neutral model: flatten, unflatten, tree.

All functions are pure: they never modify the workspace they are given and return a new one plus a
list of :class:`HierarchyIssue` describing what could not be done cleanly (name collisions, names that
contain the delimiter, empty path segments, cycles).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from hfx import ids
from hfx.errors import show
from hfx.intent_paths import split_name
from hfx.model import Intent, Workspace

IssueKind = Literal["collision", "delimiter_in_name", "empty_segment", "cycle_or_dangling"]


@dataclass(frozen=True)
class HierarchyIssue:
    kind: IssueKind
    intent_id: str
    name: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "intent_id": self.intent_id, "name": self.name, "message": self.message}


def _check_delimiter(delimiter: str) -> None:
    if not delimiter:
        raise ValueError("the hierarchy delimiter must not be empty")


def full_names(ws: Workspace, delimiter: str) -> dict[str, str]:
    """Intent id -> full path joined by ``delimiter`` (intents in a cycle or under a dangling parent are skipped)."""
    _check_delimiter(delimiter)
    return {iid: delimiter.join(path) for iid, path in ws.intent_paths().items()}


def _unplaced(intent: Intent) -> HierarchyIssue:
    return HierarchyIssue(
        "cycle_or_dangling",
        intent.id,
        intent.name,
        f"intent {show(intent.name)} is in a cycle or under an unknown parent; left unchanged",
    )


def flatten(ws: Workspace, delimiter: str) -> tuple[Workspace, list[HierarchyIssue]]:
    """Every intent becomes a root intent named by its full path joined by ``delimiter``.

    Ids, examples and every other field are kept. Reported: leaf names that already contain the
    delimiter (the flat name could not be split back unambiguously), two intents whose flat names
    coincide, and intents whose path cannot be built (cycle / dangling parent; kept unchanged).
    """
    _check_delimiter(delimiter)
    out = copy.deepcopy(ws)
    issues: list[HierarchyIssue] = []
    paths = ws.intent_paths()
    seen: dict[str, str] = {}
    for intent in out.intents:
        if delimiter in intent.name:
            issues.append(
                HierarchyIssue(
                    "delimiter_in_name",
                    intent.id,
                    intent.name,
                    f"intent name {show(intent.name)} contains the delimiter {show(delimiter)}",
                )
            )
        path = paths.get(intent.id)
        if path is None:
            issues.append(_unplaced(intent))
            continue
        flat = delimiter.join(path)
        if flat in seen:
            issues.append(
                HierarchyIssue(
                    "collision",
                    intent.id,
                    flat,
                    f"flat name {show(flat)} of intent {intent.id} is also the name of intent {seen[flat]}",
                )
            )
        else:
            seen[flat] = intent.id
        intent.name = flat
        intent.parent_id = None
    return out, issues


def unflatten_names(
    ws: Workspace,
    delimiter: str,
    *,
    ids_from: Literal["keep", "path"] = "keep",
    mark_implicit: bool = False,
) -> tuple[Workspace, list[HierarchyIssue]]:
    """Split intent names on ``delimiter`` into a hierarchy, creating each parent once.

    An intent ``a---b---c`` (with any existing parent ``p``) becomes ``c`` under ``b`` under ``a``
    under ``p``. Parents are reused when an intent with that path already exists, otherwise created
    once with the deterministic id :func:`hfx.ids.intent_id` of their full path. Names are split with
    :func:`hfx.intent_paths.split_name` (the CLU reader's rule): an empty segment (``a------b``, a leading or
    trailing delimiter) keeps the delimiter inside the neighbouring name and is reported. Two intents that
    end up with the same full path are reported as a collision (both are kept).

    ``ids_from="keep"`` keeps the ids of existing intents; ``"path"`` gives every intent the id
    derived from its full path (references in examples are rewritten), which is what a reader of a
    flat format wants. ``mark_implicit`` marks created parents implicit (``Intent.implicit``)
    (as the CLU reader does) so a CLU writer can leave them out again.
    """
    _check_delimiter(delimiter)
    out = copy.deepcopy(ws)
    issues: list[HierarchyIssue] = []
    new_paths = _new_paths(ws, delimiter, issues)
    owner = _owners(ws, new_paths, delimiter, issues)
    rename = _path_ids(ws, new_paths) if ids_from == "path" else {}

    def id_of_path(path: tuple[str, ...]) -> str:
        iid = owner[path]
        return rename.get(iid, iid)

    created = _create_parents(ws, new_paths, owner, mark_implicit)
    for parent, parent_path in created:
        parent.parent_id = id_of_path(parent_path[:-1]) if len(parent_path) > 1 else None

    # rewrite intents
    for intent in out.intents:
        path = new_paths.get(intent.id)
        if path is None:
            continue
        intent.name = path[-1]
        intent.parent_id = id_of_path(path[:-1]) if len(path) > 1 else None
        intent.id = rename.get(intent.id, intent.id)
    out.intents.extend(parent for parent, _ in created)

    if rename:
        for example in out.examples:
            for ref in example.intents:
                ref.intent_id = rename.get(ref.intent_id, ref.intent_id)
    return out, issues


def _new_paths(ws: Workspace, delimiter: str, issues: list[HierarchyIssue]) -> dict[str, tuple[str, ...]]:
    """1. The new path of every intent (an intent in a cycle or under a dangling parent is reported)."""
    index = ws.intents_by_id()
    old_paths = ws.intent_paths()
    new_paths: dict[str, tuple[str, ...]] = {}
    for intent in ws.intents:
        if intent.id not in old_paths:
            issues.append(_unplaced(intent))
            continue
        new_paths[intent.id] = _split_path(ws, intent.id, index, delimiter, new_paths, issues)
    return new_paths


def _owners(
    ws: Workspace, new_paths: dict[str, tuple[str, ...]], delimiter: str, issues: list[HierarchyIssue]
) -> dict[tuple[str, ...], str]:
    """2. Path -> id of the intent that owns it (first one wins, later ones collide)."""
    owner: dict[tuple[str, ...], str] = {}
    for intent in ws.intents:
        path = new_paths.get(intent.id)
        if path is None:
            continue
        if path in owner:
            issues.append(
                HierarchyIssue(
                    "collision",
                    intent.id,
                    delimiter.join(path),
                    f"intent {intent.id} has the same full path as intent {owner[path]}",
                )
            )
        else:
            owner[path] = intent.id
    return owner


def _path_ids(ws: Workspace, new_paths: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """3. Old id -> the id derived from the intent's full path (``ids_from="path"``)."""
    rename: dict[str, str] = {}
    taken: set[str] = set()
    for intent in ws.intents:
        path = new_paths.get(intent.id)
        if path is None:
            continue
        new_id = ids.intent_id(path)
        if new_id in taken:  # a collision: keep it distinct but deterministic
            new_id = ids.stable_id("intent", *path, intent.id)
        taken.add(new_id)
        rename[intent.id] = new_id
    return rename


def _create_parents(
    ws: Workspace,
    new_paths: dict[str, tuple[str, ...]],
    owner: dict[tuple[str, ...], str],
    mark_implicit: bool,
) -> list[tuple[Intent, tuple[str, ...]]]:
    """4. The missing parents (once each, in first-use order), added to ``owner``; their parent ids are set later."""
    created: list[tuple[Intent, tuple[str, ...]]] = []
    for intent in ws.intents:
        path = new_paths.get(intent.id)
        if path is None:
            continue
        missing: list[tuple[str, ...]] = []
        prefix = path[:-1]
        while prefix and prefix not in owner:  # walk up only to the first parent that exists
            missing.append(prefix)
            prefix = prefix[:-1]
        for prefix in reversed(missing):
            new_id = ids.intent_id(prefix)
            owner[prefix] = new_id
            parent = Intent(id=new_id, name=prefix[-1], implicit=mark_implicit)
            created.append((parent, prefix))
    return created


def _split_path(
    ws: Workspace,
    intent_id: str,
    index: dict[str, Intent],
    delimiter: str,
    memo: dict[str, tuple[str, ...]],
    issues: list[HierarchyIssue],
) -> tuple[str, ...]:
    """The split path of ``intent_id`` (its parents' first), without recursion: hierarchies can be deep."""
    chain: list[str] = []
    current: str | None = intent_id
    while current is not None and current not in memo:
        chain.append(current)
        current = index[current].parent_id
    prefix = memo[current] if current is not None else ()
    for iid in reversed(chain):
        intent = index[iid]
        parts = split_name(intent.name, delimiter)
        if delimiter in intent.name and "" in intent.name.split(delimiter):
            issues.append(
                HierarchyIssue(
                    "empty_segment",
                    intent.id,
                    intent.name,
                    f"intent name {show(intent.name)} has an empty segment around {show(delimiter)}; "
                    "the delimiter was kept inside the neighbouring name",
                )
            )
        prefix = prefix + parts
        memo[iid] = prefix
    return prefix


# -- tree ------------------------------------------------------------------------------------------


@dataclass
class TreeNode:
    id: str
    name: str
    path: tuple[str, ...]
    examples: int = 0
    negatives: int = 0
    children: list[TreeNode] = field(default_factory=list)

    #: Positive examples of this intent and all its descendants (set by :func:`intent_tree`).
    total: int = 0

    def to_json(self) -> dict[str, Any]:
        """The subtree as nested objects, built without recursion (a hierarchy can be thousands deep)."""
        built: dict[int, dict[str, Any]] = {}
        for node in reversed(_preorder([self])):
            built[id(node)] = {
                "id": node.id,
                "name": node.name,
                "path": list(node.path),
                "examples": node.examples,
                "negatives": node.negatives,
                "total": node.total,
                "children": [built.pop(id(c)) for c in node.children],
            }
        return built[id(self)]


def _preorder(roots: list[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def intent_tree(ws: Workspace) -> tuple[list[TreeNode], int]:
    """Root nodes (in workspace order, children in workspace order) and the count of unlabelled examples.

    Intents in a cycle or under a dangling parent are shown as roots.
    """
    paths = ws.intent_paths()
    nodes = {i.id: TreeNode(i.id, i.name, paths.get(i.id, (i.name,))) for i in ws.intents}
    unlabelled = 0
    for example in ws.examples:
        positives = [r for r in example.intents if not r.negative]
        if not positives:
            unlabelled += 1
        for ref in example.intents:
            node = nodes.get(ref.intent_id)
            if node is None:
                continue
            if ref.negative:
                node.negatives += 1
            else:
                node.examples += 1
    roots: list[TreeNode] = []
    for intent in ws.intents:
        node = nodes[intent.id]
        if intent.parent_id is not None and intent.id in paths and intent.parent_id in nodes:
            nodes[intent.parent_id].children.append(node)
        else:
            roots.append(node)
    for node in reversed(_preorder(roots)):  # children before their parent
        node.total = node.examples + sum(c.total for c in node.children)
    return roots, unlabelled
