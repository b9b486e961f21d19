"""CLU's documented rules (names, service limits) and the deterministic, collision-free rewrite of names
CLU would reject. The converter, ``hfx validate``, the CLU backend and the emulator all read them from here."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from hfx.errors import show
from hfx.intent_paths import split_name

#: Documented limit for intent and entity names (characters).
MAX_NAME = 50
#: Characters CLU forbids in intent and entity names.
FORBIDDEN = frozenset(":$&%*()+~#/?")
_PROJECT_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
#: Project, model label and deployment names: letters, digits, ``_ . -``; 1 to 50 characters.
RESOURCE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,50}$")

#: Documented CLU service limits (clu-rest-api.md §7).
LIMITS = {
    "utterances": 50_000,
    "utterance_length": 500,
    "intents": 500,
    "entities": 350,
    "regex": 20,
    "prebuilts_per_entity": 7,
    "synonyms_per_entity": 20_000,
    "query_length": 1000,
}


def resource_name_problem(name: Any) -> str | None:
    """Why a project / model label / deployment name is invalid, or ``None``."""
    if not isinstance(name, str) or not RESOURCE_NAME.match(name):
        return "must be 1-50 letters, digits, '_', '.' or '-'"
    return None


def delimiter_problem(delimiter: str) -> str | None:
    """Why a hierarchy delimiter cannot be used in CLU intent names, or ``None``."""
    bad = sorted({c for c in delimiter if c in FORBIDDEN})
    if bad:
        return (
            f"the delimiter {show(delimiter)} contains {' '.join(bad)}, which CLU forbids in intent names; "
            "choose another delimiter (e.g. ---)"
        )
    return None


def name_problems(name: str, delimiter: str = "") -> list[tuple[str, str]]:
    """``(code, message)`` for every CLU rule the flat intent/entity ``name`` breaks."""
    problems: list[tuple[str, str]] = []
    if not name.strip():
        problems.append(("CLU_NAME_EMPTY", "CLU names cannot be empty"))
    if len(name) > MAX_NAME:
        problems.append(("CLU_NAME_TOO_LONG", f"{len(name)} characters; CLU allows at most {MAX_NAME}"))
    bad = sorted({c for c in name if c in FORBIDDEN})
    if bad:
        problems.append(("CLU_NAME_FORBIDDEN_CHAR", f"contains {' '.join(bad)}, which CLU forbids"))
    return problems


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def sanitize_segment(segment: str, delimiter: str = "") -> str:
    out = "".join("_" if c in FORBIDDEN else c for c in segment)
    if delimiter:
        out = out.replace(delimiter, "_")
    return out if out.strip() else "_"


def shorten(name: str, original: str, delimiter: str = "", size: int = 8) -> str:
    """``name`` cut to fit CLU's limit with a hash of ``original`` appended (never cutting a delimiter)."""
    budget = MAX_NAME - 1 - size
    prefix = name[:budget]
    if delimiter and len(name) > budget:
        # Do not leave a partial delimiter (or a trailing full one) at the cut.
        for k in range(len(delimiter), 0, -1):
            if prefix.endswith(delimiter[:k]) and name[budget - k : budget - k + len(delimiter)] == delimiter:
                prefix = prefix[: budget - k]
                break
    return f"{prefix}_{_digest(original, size)}"


def rewrite_names(
    names: list[str], split: list[tuple[str, ...]] | None = None, delimiter: str = "", lost: set[str] | None = None
) -> dict[str, str]:
    """Map every invalid name to a valid, unique one; valid names are not touched (with ``split``: unless
    their parent was renamed).

    ``split`` gives each name's hierarchy segments (intents): each segment is rewritten on its own and
    shortened on its own (to a fair share of the room the levels below need), after its parent's new name,
    so children stay under their parent. A name that
    cannot keep its parent within :data:`MAX_NAME` characters becomes a root name and is added to ``lost``.
    The result depends only on the set of names, not on their order.
    """
    segments = split or [(n,) for n in names]
    if delimiter and split is not None and not delimiter_problem(delimiter):
        return _rewrite_paths(names, segments, delimiter, lost if lost is not None else set())
    valid = {n for n, segs in zip(names, segments, strict=True) if _is_valid(n, segs, delimiter)}
    candidates: dict[str, str] = {}
    for name, segs in zip(names, segments, strict=True):
        if name in valid or name in candidates:
            continue
        joined = delimiter.join(sanitize_segment(s, delimiter) for s in segs) if delimiter else sanitize_segment(name)
        candidates[name] = joined if len(joined) <= MAX_NAME else shorten(joined, name, delimiter)
    counts: dict[str, int] = {}
    for c in candidates.values():
        counts[c] = counts.get(c, 0) + 1
    out: dict[str, str] = {}
    taken = set(valid)
    for name in sorted(candidates):
        cand = candidates[name]
        if cand in taken or counts[cand] > 1:  # taken: valid names and the renames decided so far
            size = 8
            cand = shorten(cand, name, delimiter, size) if len(cand) + 9 > MAX_NAME else f"{cand}_{_digest(name, 8)}"
            while cand in taken:
                size += 4
                cand = shorten(candidates[name], name, delimiter, size)
        taken.add(cand)
        out[name] = cand
    return out


def _is_valid(name: str, segs: tuple[str, ...], delimiter: str) -> bool:
    if name_problems(name):
        return False
    return not (delimiter and split_name(name, delimiter) != segs)


def project_name(name: str) -> str:
    """A CLU project name (letters, digits, ``_ . -``; at most 50) derived from any workspace name."""
    out = "".join(c if c in _PROJECT_OK else "_" for c in name.strip()) or "hfx_project"
    return out if len(out) <= MAX_NAME else shorten(out, name)


def _rewrite_paths(names: list[str], segments: list[tuple[str, ...]], delimiter: str, lost: set[str]) -> dict[str, str]:
    """:func:`rewrite_names` for intent paths: parents first, each new name = its parent's new name, the
    delimiter, and its own rewritten leaf (cut, with a hash of the full name, when the leaf does not fit)."""
    rows = sorted(zip(segments, names, strict=True), key=lambda row: (len(row[0]), row[0]))
    valid = {n for segs, n in rows if _is_valid(n, segs, delimiter)}
    taken = set(valid)
    new: dict[tuple[str, ...], str] = {}  # path -> its name in CLU, for every path and parent path
    below = _levels_below([path for path, _ in rows])

    def place(path: tuple[str, ...], name: str) -> str:
        parent = new[path[:-1]] if len(path) > 1 else None
        parent_kept = parent is None or parent == delimiter.join(path[:-1])
        if parent_kept and (name in valid or (name not in taken and _is_valid(name, path, delimiter))):
            return name  # a valid name under its own parent is not touched
        base = f"{parent}{delimiter}" if parent is not None else ""
        leaf = _leaf(path[-1], delimiter)
        # a fair share of the room left, so that the levels below still fit
        levels = below.get(path, 0)
        share = max((MAX_NAME - len(base) - levels * len(delimiter)) // (levels + 1), 10)
        share = min(share, MAX_NAME - len(base))
        cand: str | None = base + leaf if len(leaf) <= share else None
        size = 8
        while (cand is None or cand in taken) and size <= 32 and share - 1 - size >= 1:
            cand = f"{base}{leaf[: share - 1 - size]}_{_digest(name, size)}"
            size += 4
        under = split_name(parent, delimiter) if parent is not None else ()
        if cand is None or cand in taken or split_name(cand, delimiter)[:-1] != under:
            lost.add(name)  # it cannot stay under its parent: a root name of the whole path
            joiner = next(c for c in "_.0" if c not in delimiter)
            cand = _unique_flat(joiner.join(sanitize_segment(seg, delimiter) for seg in path), name, taken)
        taken.add(cand)
        return cand

    for path, name in rows:
        for prefix in _missing_parents(path, new):
            new[prefix] = place(prefix, delimiter.join(prefix))
        if path not in new:
            new[path] = place(path, name)
    return {name: new[path] for path, name in rows if new[path] != name}


def _levels_below(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Path -> how many levels of descendants ``paths`` (sorted parents first) hold under it."""
    below: dict[tuple[str, ...], int] = {}
    for path in reversed(paths):
        for k in range(len(path) - 1, 0, -1):
            prefix = path[:k]
            levels = below.get(path[: k + 1], 0) + 1
            if below.get(prefix, 0) >= levels:
                break
            below[prefix] = levels
    return below


def _missing_parents(path: tuple[str, ...], placed: dict[tuple[str, ...], str]) -> list[tuple[str, ...]]:
    """The parents of ``path`` not placed yet (parents that are not intents themselves), outermost first."""
    missing, prefix = [], path[:-1]
    while prefix and prefix not in placed:
        missing.append(prefix)
        prefix = prefix[:-1]
    return missing[::-1]


def _unique_flat(flat: str, name: str, taken: set[str]) -> str:
    cand, size = (flat if len(flat) <= MAX_NAME else shorten(flat, name)), 8
    while cand in taken:
        size += 4
        cand = shorten(flat, name, "", size) if len(flat) + size + 1 > MAX_NAME else f"{flat}_{_digest(name, size)}"
    return cand


def _leaf(segment: str, delimiter: str) -> str:
    """A segment CLU accepts that cannot merge with the delimiter around it."""
    out = sanitize_segment(segment, delimiter)
    edge = set(delimiter)
    if out[0] in edge:
        out = "_" + out[1:]
    if out[-1] in edge:
        out = out[:-1] + "_"
    return out
