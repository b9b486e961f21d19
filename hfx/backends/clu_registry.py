"""The CLU backend's model registry: which CLU project and deployment serve each model id.

One JSON file, ``<data-dir>/clu-models.json``, rewritten atomically on every change, so a restarted server keeps
serving the models it trained. Each entry holds what ``Classify`` needs to answer in HumanFirst's terms:

* ``intents``: CLU intent name (the flat, possibly rewritten path) -> HF intent id,
* ``entities``: CLU entity name -> ``{"id", "name", "values": {list or regex key -> HF value id}}``.

Entries are plain JSON (``ModelEntry.to_json``); unknown keys are kept when the file is rewritten.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hfx.errors import HfxError
from hfx.fileio import atomic_write
from hfx.formats.jsontext import dumps_json

REGISTRY_FILE = "clu-models.json"
VERSION = 1


@dataclass
class EntityTable:
    id: str
    name: str
    #: CLU list key / regex key -> HF entity value id.
    values: dict[str, str] = field(default_factory=dict)
    #: CLU list key / regex key -> HF value key (differs for split regex values: ``key_2`` -> ``key``).
    keys: dict[str, str] = field(default_factory=dict)


@dataclass
class ModelEntry:
    model_id: str
    project: str
    deployment: str
    model_label: str
    display_name: str = ""
    created: str = ""
    language: str = ""
    delimiter: str = ""
    deployed: bool = True
    intents: dict[str, str] = field(default_factory=dict)
    intent_names: dict[str, str] = field(default_factory=dict)  # HF intent id -> leaf name (for logs/debug)
    entities: dict[str, EntityTable] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        out.update(
            {
                "model_id": self.model_id,
                "project": self.project,
                "deployment": self.deployment,
                "model_label": self.model_label,
                "display_name": self.display_name,
                "created": self.created,
                "language": self.language,
                "delimiter": self.delimiter,
                "deployed": self.deployed,
                "intents": dict(sorted(self.intents.items())),
                "intent_names": dict(sorted(self.intent_names.items())),
                "entities": {
                    name: {
                        "id": t.id,
                        "name": t.name,
                        "values": dict(sorted(t.values.items())),
                        "keys": dict(sorted(t.keys.items())),
                    }
                    for name, t in sorted(self.entities.items())
                },
            }
        )
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ModelEntry:
        known = {
            "model_id",
            "project",
            "deployment",
            "model_label",
            "display_name",
            "created",
            "language",
            "delimiter",
            "deployed",
            "intents",
            "intent_names",
            "entities",
        }
        entities = {
            name: EntityTable(
                str(t.get("id", "")), str(t.get("name", name)), dict(t.get("values") or {}), dict(t.get("keys") or {})
            )
            for name, t in (obj.get("entities") or {}).items()
        }
        return cls(
            model_id=str(obj["model_id"]),
            project=str(obj["project"]),
            deployment=str(obj["deployment"]),
            model_label=str(obj.get("model_label") or obj["deployment"]),
            display_name=str(obj.get("display_name") or ""),
            created=str(obj.get("created") or ""),
            language=str(obj.get("language") or ""),
            delimiter=str(obj.get("delimiter") or ""),
            deployed=bool(obj.get("deployed", True)),
            intents=dict(obj.get("intents") or {}),
            intent_names=dict(obj.get("intent_names") or {}),
            entities=entities,
            extra={k: v for k, v in obj.items() if k not in known},
        )


class ModelRegistry:
    """Thread-safe registry stored in ``<data_dir>/clu-models.json`` (atomic writes)."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / REGISTRY_FILE
        self._lock = threading.RLock()
        self._entries: dict[str, ModelEntry] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            obj = json.loads(self.path.read_text(encoding="utf-8"))
            models = obj["models"]
            self._entries = {mid: ModelEntry.from_json(e) for mid, e in models.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HfxError(
                f"{self.path}: cannot read the CLU model registry ({type(exc).__name__}: {exc}); fix or move the file"
            ) from None

    def _save(self) -> None:
        body = {"version": VERSION, "models": {mid: e.to_json() for mid, e in sorted(self._entries.items())}}
        atomic_write(self.path, dumps_json(body))

    def exists(self) -> bool:
        return self.path.exists()

    def ensure_file(self) -> None:
        """Write an empty registry when there is none (marks the folder as a CLU backend's data dir)."""
        with self._lock:
            if not self.path.exists():
                self._save()

    def get(self, model_id: str) -> ModelEntry | None:
        with self._lock:
            return self._entries.get(model_id)

    def all(self) -> list[ModelEntry]:
        with self._lock:
            return [self._entries[k] for k in sorted(self._entries)]

    def projects(self) -> set[str]:
        with self._lock:
            return {e.project for e in self._entries.values()}

    def put(self, entry: ModelEntry) -> None:
        with self._lock:
            self._entries[entry.model_id] = entry
            self._save()

    def remove(self, model_id: str) -> ModelEntry | None:
        with self._lock:
            entry = self._entries.pop(model_id, None)
            if entry is not None:
                self._save()
            return entry

    def set_deployed(self, model_id: str, deployed: bool) -> None:
        with self._lock:
            entry = self._entries.get(model_id)
            if entry is not None and entry.deployed != deployed:
                entry.deployed = deployed
                self._save()
