"""``hfx clu cleanup``: delete the ``hfx-`` model projects that no registry entry knows (a server killed
mid-training leaves its project behind; a CLU resource holds at most 500 projects)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hfx.backends.clu_registry import ModelRegistry
from hfx.backends.clu_settings import MODEL_PROJECT
from hfx.clu import errors as clu_errors
from hfx.errors import HfxError

log = logging.getLogger("hfx.backends.clu")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


@dataclass
class CleanupResult:
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # orphans younger than --older-than
    failed: list[str] = field(default_factory=list)


def cleanup_orphans(
    client: Any,
    data_dir: str | Path,
    *,
    older_than_hours: float | None = None,
    dry_run: bool = False,
    force: bool = False,
    now: datetime | None = None,
    on_delete: Callable[[str], None] | None = None,
) -> CleanupResult:
    """Delete ``hfx-`` model projects that no registry entry in ``data_dir`` knows.

    ``older_than_hours``: only projects created at least that long ago (protects trainings still running, e.g. of
    another server on the same resource). ``dry_run``: report, delete nothing. Without ``force``, a data dir that
    holds no registry is refused (a wrong ``--data-dir`` would otherwise delete every model's project).
    """
    registry = ModelRegistry(data_dir)
    if not registry.exists() and not force:
        raise HfxError(
            f"no model registry at {registry.path}: point --data-dir at the data dir of `hfx serve "
            "--backend clu` (or pass --force to treat every hfx- model project as orphaned)"
        )
    known = registry.projects()
    limit = None
    if older_than_hours is not None:
        limit = (now or datetime.now(timezone.utc)) - timedelta(hours=older_than_hours)
    result = CleanupResult()
    for p in list(client.list_projects()):
        name = p.get("projectName")
        if not isinstance(name, str) or not MODEL_PROJECT.match(name) or name in known:
            continue
        created = _parse_time(p.get("createdDateTime"))
        if limit is not None and (created is None or created > limit):
            result.kept.append(name)
            continue
        if dry_run:
            result.deleted.append(name)
            continue
        try:
            client.delete_project(name)
        except clu_errors.CluNotFound:
            pass
        except clu_errors.CluError as exc:
            log.warning("cleanup: could not delete %s (%s)", name, exc.code)
            result.failed.append(name)
            continue
        log.info("cleanup: deleted orphaned CLU project %s", name)
        result.deleted.append(name)
        if on_delete is not None:
            on_delete(name)
    return result
