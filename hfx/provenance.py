"""Where a workspace came from: the provenance mark and the dates of the objects hfx creates.

* ``Workspace.source`` (written into HF JSON as ``"source"`` of the ``hfx`` metadata document; the previous
  release wrote the metadata key :data:`SOURCE_KEY`): ``clu`` on what ``clu-to-hf`` (or any CLU reader)
  produced. ``merge`` and ``diff`` treat a side so marked exactly as they treat the CLU file itself:
  what CLU cannot hold (HF ids, tags other than the test tag, metadata, colours, ...) is unknown there, not
  deleted.
* Timestamps: HumanFirst's exports and its SDK expect ``created_at``/``updated_at`` on examples, intents and
  entities. Objects hfx creates get, deterministically, the source's own dates where the reader found them (a
  CLU project's ``createdDateTime``/``lastModifiedDateTime``), else ``SOURCE_DATE_EPOCH`` (seconds since 1970,
  UTC, as in reproducible builds), else :data:`DEFAULT_TIMESTAMP`.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from hfx.model import Workspace

#: The workspace metadata key that named the source format in files of the previous release (still read).
SOURCE_KEY = "hfx.source"
SOURCE_CLU = "clu"
#: The timestamp of created objects when the source has no dates and ``SOURCE_DATE_EPOCH`` is not set.
DEFAULT_TIMESTAMP = "2020-01-01T00:00:00Z"


def timestamps(ws: Workspace) -> tuple[str, str]:
    """``(created_at, updated_at)`` for the objects hfx creates in ``ws`` (see the module docs)."""
    created, updated = _date(ws.created_at), _date(ws.updated_at)
    if created is not None:
        return created, updated or created
    if updated is not None:
        return updated, updated
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            when = datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return DEFAULT_TIMESTAMP, DEFAULT_TIMESTAMP
        return when, when
    return DEFAULT_TIMESTAMP, DEFAULT_TIMESTAMP


def _date(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def from_clu(ws: Workspace) -> bool:
    """Whether ``ws`` carries the mark of a CLU conversion."""
    return ws.source == SOURCE_CLU
