"""Backups of CLU projects: the exported project file, saved before anything replaces the project.

Layout: ``<data-dir>/backups/<project>/<UTC timestamp>.json`` (e.g. ``20261126T103412.123456Z.json``), so the
names sort chronologically. A backup is a plain CLU project file: ``hfx clu import BACKUP --project NAME`` restores
it. Files are written atomically.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hfx.clu.errors import CluNotFound
from hfx.errors import HfxError
from hfx.fileio import atomic_write
from hfx.formats.clu_names import resource_name_problem
from hfx.formats.jsontext import dumps_json

STAMP = "%Y%m%dT%H%M%S.%fZ"


def _project_dir(data_dir: str | Path, project: str) -> Path:
    why = resource_name_problem(project)
    if why or project in (".", ".."):
        raise HfxError(f"cannot back up project {project!r}: the name {why or 'is not a valid folder name'}")
    return Path(data_dir) / "backups" / project


def project_bytes(project_file: dict[str, Any]) -> bytes:
    """How a project file is stored: UTF-8 JSON, indent 2, keys in the order CLU sent them, trailing newline."""
    return dumps_json(project_file)


def write_backup(
    data_dir: str | Path, project: str, project_file: dict[str, Any], *, now: datetime | None = None
) -> Path:
    """Store ``project_file`` as a new backup of ``project``; returns its path (never overwrites one)."""
    folder = _project_dir(data_dir, project)
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    data = project_bytes(project_file)
    while True:
        path = folder / f"{when.strftime(STAMP)}.json"
        if not path.exists():
            try:
                atomic_write(path, data)
            except OSError as exc:
                raise HfxError(f"cannot write the backup of {project!r} to {folder}: {exc.strerror or exc}") from None
            return path
        when += timedelta(microseconds=1)  # a name taken in the same microsecond: the next one (still sorted)


def backup_project(
    client: Any, project: str, data_dir: str | Path, *, now: datetime | None = None, **poll: Any
) -> tuple[Path, dict[str, Any]] | None:
    """Export ``project`` and store it as a backup. Returns ``(path, exported file)``, or None when the
    project does not exist (nothing to back up). ``poll`` goes to the export (deadline, cancel, on_progress)."""
    try:
        exported = client.export_project(project, **poll)
    except CluNotFound:
        return None
    return write_backup(data_dir, project, exported, now=now), exported


def list_backups(data_dir: str | Path, project: str) -> list[Path]:
    """The backups of ``project``, oldest first."""
    folder = _project_dir(data_dir, project)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if p.is_file())


def load_backup(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
