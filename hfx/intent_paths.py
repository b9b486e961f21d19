"""Intent paths: splitting flat names on a delimiter and building the parent/child hierarchy."""

from __future__ import annotations

from hfx.ids import intent_id
from hfx.model import Intent, Workspace

#: The intent metadata key that marked an implied parent (``Intent.implicit``) in files of the previous release.
IMPLICIT_PARENT_KEY = "hfx.implicit_parent"


def split_name(name: str, delimiter: str) -> tuple[str, ...]:
    """``"billing---refund"`` → ``("billing", "refund")``; an empty delimiter means no hierarchy.

    Empty segments (``"a------b"``, leading/trailing delimiters) are kept inside the neighbouring
    segment rather than creating nameless intents.
    """
    if not delimiter or delimiter not in name:
        return (name,)
    pieces = name.split(delimiter)
    segments: list[str] = []
    current = pieces[0]
    for piece in pieces[1:]:
        if current == "" or piece == "":
            current = current + delimiter + piece
        else:
            segments.append(current)
            current = piece
    segments.append(current)
    return tuple(segments)


def join_path(path: tuple[str, ...] | list[str], delimiter: str) -> str:
    return delimiter.join(path)


class PathIndex:
    """Finds or creates intents by full path in a workspace, creating each parent once."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.by_path: dict[tuple[str, ...], Intent] = {}
        index = ws.intents_by_id()
        for iid, path in ws.intent_paths().items():
            self.by_path.setdefault(path, index[iid])

    def ensure(self, path: tuple[str, ...], *, implicit: bool = False) -> Intent:
        """The intent at ``path``; missing ancestors are created (outermost first) marked implicit.

        Without recursion: a name with thousands of delimiters is a hierarchy thousands deep."""
        found = self.by_path.get(path)
        if found is not None:
            if not implicit:
                found.implicit = False
            return found
        missing = [path]
        while len(missing[-1]) > 1 and missing[-1][:-1] not in self.by_path:
            missing.append(missing[-1][:-1])
        parent = self.by_path.get(missing[-1][:-1]) if len(missing[-1]) > 1 else None
        for level in reversed(missing):
            intent = Intent(id=intent_id(level), name=level[-1], parent_id=parent.id if parent else None)
            if level is not path or implicit:
                intent.implicit = True
            self.ws.intents.append(intent)
            self.by_path[level] = intent
            parent = intent
        return self.by_path[path]
