"""The Workspaces half of the CLU backend: HumanFirst workspaces are CLU projects.

``ImportWorkspace`` backs the project up, converts and imports, then keeps what HumanFirst sent as the project's
*sync base*; ``ExportWorkspace`` 3-way merges what CLU holds now over that base (see :mod:`hfx.backends.clu`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
from pathlib import Path
from typing import Any

from hfx.backends.base import (
    HF_JSON,
    AlreadyExists,
    BackendError,
    CallContext,
    DataOptions,
    ExportedData,
    InvalidInput,
    NotFound,
    WorkspaceInfo,
)
from hfx.backends.clu_registry import ModelRegistry
from hfx.backends.clu_settings import (
    MODEL_PROJECT,
    CluBackendConfig,
    check_delimiter,
    new_project_metadata,
    project_file_for,
)
from hfx.backends.clu_status import clu_errors_mapped
from hfx.backends.locks import NamedLocks
from hfx.backends.payload import read_hf_payload
from hfx.clu.backup import write_backup
from hfx.clu.client import CluClient
from hfx.errors import InputError
from hfx.fileio import atomic_write
from hfx.formats.clu_fidelity import clu_fidelity
from hfx.formats.clu_json import CluReadOptions, read_clu
from hfx.formats.clu_names import RESOURCE_NAME, project_name
from hfx.formats.hf_json import dumps_hf, loads_hf
from hfx.formats.jsontext import dumps_json
from hfx.ops.merge import merge

log = logging.getLogger("hfx.backends.clu")


class SyncStore:
    """The last HF JSON imported into each project, plus the names rewritten for CLU (atomic writes)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "sync"

    def _paths(self, project: str) -> tuple[Path, Path]:
        if not RESOURCE_NAME.match(project) or project.startswith("."):
            raise InvalidInput(f"invalid CLU project name {project!r}")
        return self.folder / f"{project}.json", self.folder / f"{project}.renames.json"

    def save(
        self,
        project: str,
        hf_json: bytes | bytearray,
        *,
        renames: dict[str, str],
        delimiter: str,
        test_tags: tuple[str, ...],
    ) -> None:
        base, side = self._paths(project)
        meta = {"delimiter": delimiter, "test_tags": list(test_tags), "renames": dict(sorted(renames.items()))}
        # The side file first: a base is only ever read together with the renames it was written with.
        atomic_write(side, dumps_json(meta))
        atomic_write(base, hf_json)

    def load(self, project: str) -> tuple[bytes, dict[str, Any]] | None:
        base, side = self._paths(project)
        try:
            data = base.read_bytes()
        except FileNotFoundError:
            return None
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except FileNotFoundError:
            meta = {}
        except ValueError as exc:
            raise BackendError(f"sync base of {project!r} is damaged ({exc}); delete {side}") from None
        return data, meta

    def delete(self, project: str) -> None:
        for path in self._paths(project):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


class CluWorkspaces:
    """The workspace store of :class:`hfx.backends.clu.CluBackend`: workspaces are the resource's CLU projects
    (its model projects, named in ``registry``, excepted)."""

    def __init__(
        self, client: CluClient, config: CluBackendConfig, registry: ModelRegistry, sync: SyncStore, locks: NamedLocks
    ) -> None:
        self.client = client
        self.config = config
        self.data_dir = Path(config.data_dir)
        self.registry = registry
        self.sync = sync
        self._lock = locks

    def _check_project(self, workspace_id: str) -> str:
        if not RESOURCE_NAME.match(workspace_id):
            raise NotFound(
                f"unknown workspace {workspace_id!r} (CLU project names are 1-50 letters, digits, '_', '.' or '-')"
            )
        if self._hidden(workspace_id):
            raise NotFound(f"{workspace_id!r} is a model project of hfx, not a workspace")
        return workspace_id

    def _hidden(self, name: str) -> bool:
        """Model projects are not workspaces."""
        return bool(MODEL_PROJECT.match(name)) or name in self.registry.projects()

    def list_workspaces(self, ctx: CallContext) -> list[WorkspaceInfo]:
        with clu_errors_mapped("list projects"):
            projects = list(self.client.list_projects())
        out = [
            WorkspaceInfo(id=p["projectName"], name=p["projectName"], description=p.get("description") or "")
            for p in projects
            if isinstance(p.get("projectName"), str) and not self._hidden(p["projectName"])
        ]
        return sorted(out, key=lambda w: w.id)

    def get_workspace(self, ctx: CallContext, workspace_id: str) -> WorkspaceInfo:
        project = self._check_project(workspace_id)
        with clu_errors_mapped(f"project {project!r}"):
            p = self.client.get_project(project)
        return WorkspaceInfo(id=project, name=project, description=p.get("description") or "")

    def create_workspace(
        self, ctx: CallContext, name: str, description: str = "", workspace_id: str = ""
    ) -> WorkspaceInfo:
        with self._lock("\x00create"):
            if workspace_id:
                if not RESOURCE_NAME.match(workspace_id):
                    raise InvalidInput(
                        f"invalid CLU project name {workspace_id!r}: use 1-50 letters, digits, '_', '.' or '-'"
                    )
                project = workspace_id
                if self._hidden(project):
                    raise InvalidInput(f"project names like {project!r} are reserved for hfx model projects")
                with clu_errors_mapped("check project"):
                    if self.client.project_exists(project):
                        raise AlreadyExists(f"project {project!r} already exists")
            else:
                base = project_name(name or "hfx_project")
                project, n = base, 1
                with clu_errors_mapped("check project"):
                    while self._hidden(project) or self.client.project_exists(project):
                        n += 1
                        suffix = f"-{n}"
                        project = base[: 50 - len(suffix)] + suffix
            with clu_errors_mapped(f"create project {project!r}"):
                self.client.create_or_update_project(project, new_project_metadata(self.config, description))
            self.sync.delete(project)  # a sync base left from an earlier project of that name does not apply
        log.info("created CLU project %s", project)
        return WorkspaceInfo(id=project, name=project, description=description)

    def import_parameters(self, ctx: CallContext, workspace_id: str) -> DataOptions:
        self.get_workspace(ctx, workspace_id)
        return DataOptions(format=HF_JSON, gzip=True, delimiter=self.config.delimiter)

    def import_data(self, ctx: CallContext, workspace_id: str, data: bytes, options: DataOptions) -> None:
        project = self._check_project(workspace_id)
        payload, ws = read_hf_payload(data, options, max_bytes=self.config.max_decompressed_bytes)
        delimiter = check_delimiter(options.delimiter or self.config.delimiter)
        with self._lock(project):
            # 1. back up what is there now, before anything is replaced
            with clu_errors_mapped(f"export project {project!r} for the backup"):
                current = self.client.export_project(project)
            backup = write_backup(self.data_dir, project, current)
            log.info("backed up CLU project %s to %s", project, backup)
            # 2. convert, keeping the project's metadata and settings
            project_file, report, renames = project_file_for(ws, self.config, delimiter, project, current)
            if renames:
                log.info("import into %s: %d names rewritten for CLU", project, len(renames))
            # 3. replace the project data; a failure leaves the project (and the backup) as they were
            with clu_errors_mapped(f"import into project {project!r}"):
                self.client.import_project(project, project_file)
            # 4. remember what HumanFirst sent: the base of the next export's merge
            self.sync.save(project, payload, renames=renames, delimiter=delimiter, test_tags=self.config.test_tags)
        log.info(
            "imported %d examples into CLU project %s (%d losses reported)",
            len(ws.examples),
            project,
            len(report.losses),
        )

    def export_data(self, ctx: CallContext, workspace_id: str) -> ExportedData:
        project = self._check_project(workspace_id)
        with self._lock(project):
            with clu_errors_mapped(f"export project {project!r}"):
                exported = self.client.export_project(project)
            stored = self.sync.load(project)
        delimiter = self.config.delimiter
        test_tags = self.config.test_tags
        renames: dict[str, str] = {}
        base = None
        if stored is not None:
            data, meta = stored
            delimiter = meta.get("delimiter") or delimiter
            test_tags = tuple(meta.get("test_tags") or test_tags)
            renames = dict(meta.get("renames") or {})
            try:
                base = loads_hf(data, source=f"sync base of {project}")
            except InputError as exc:
                log.warning("ignoring the damaged sync base of %s: %s", project, exc)
                base = None
        try:
            theirs, _report = read_clu(
                exported,
                source=f"CLU project {project}",
                options=CluReadOptions(delimiter=delimiter, test_tags=test_tags),
            )
        except InputError as exc:
            raise BackendError(f"cannot convert CLU project {project!r}: {exc.message}") from None
        if base is not None:
            ws, conflicts = merge(
                base,
                theirs,
                base,
                prefer="theirs",
                theirs_fidelity=clu_fidelity(test_tags),
                renames=renames,
                delimiter=delimiter,
            )
            log.info("export of %s merged over its sync base (%d conflicts resolved for CLU)", project, len(conflicts))
        else:
            ws = theirs
        body = dumps_hf(ws)
        if self.config.export_gzip:
            return ExportedData(gzip.compress(body, mtime=0), DataOptions(HF_JSON, gzip=True, delimiter=delimiter))
        return ExportedData(body, DataOptions(HF_JSON, gzip=False, delimiter=delimiter))
