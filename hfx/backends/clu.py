"""``hfx serve --backend clu``: HumanFirst workspaces and models on Azure CLU (Conversational Language Understanding).

Workspaces are CLU projects (the workspace id is the real project name).

* ``ImportWorkspace`` (HumanFirst -> CLU) first exports the current project to
  ``<data-dir>/backups/<project>/<UTC timestamp>.json`` (restore one with ``hfx clu import``), converts the HF JSON
  (request delimiter, else the configured one; names CLU would reject are rewritten), keeps the project's metadata
  and settings, imports it, and then stores the HF JSON it received as the project's *sync base*
  (``<data-dir>/sync/<project>.json`` + ``<project>.renames.json``).
* ``ExportWorkspace`` (CLU -> HumanFirst) converts the exported project; when a sync base exists, the result is
  3-way merged over it (the CLU side is lossy, see :func:`hfx.formats.clu_fidelity.clu_fidelity`) so HumanFirst
  gets back its ids, tags, metadata and long names, plus every change made in CLU.

Models are temporary projects named ``hfx-<12 hex>`` (the model id is the project name). ``TrainModel`` imports,
trains, deploys and records the model in :mod:`hfx.backends.clu_registry`; a cancelled or failed training deletes
its project. ``UnloadModel`` deletes the deployment but keeps the project and trained model: the next ``Classify``
redeploys it. ``DeleteModel`` deletes the project and forgets the model. CLU has no embeddings: ``Embed`` is
answered by the local dense model (:mod:`hfx.backends.local_embed`), as each model's ``embeddings`` config says.

The backend is put together from a workspace store (:mod:`~hfx.backends.clu_workspaces`) and a model store
(:mod:`~hfx.backends.clu_models`, which classifies with :mod:`~hfx.backends.clu_classify`); settings are in
:mod:`~hfx.backends.clu_settings`, orphan clean-up in :mod:`~hfx.backends.clu_cleanup`.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hfx.backends.base import Backend, BackendSettings
from hfx.backends.clu_cleanup import CleanupResult, cleanup_orphans
from hfx.backends.clu_models import CluModels
from hfx.backends.clu_registry import ModelRegistry
from hfx.backends.clu_settings import (
    DEPLOYMENT,
    MODEL_LABEL,
    MODEL_PREFIX,
    MODEL_PROJECT,
    CluBackendConfig,
    CluStartup,
    config_from_settings,
    settings_from_options,
)
from hfx.backends.clu_status import clu_errors_mapped
from hfx.backends.clu_workspaces import CluWorkspaces, SyncStore
from hfx.backends.locks import NamedLocks
from hfx.clu import errors as clu_errors
from hfx.clu.client import CluClient
from hfx.clu.config import CluSettings
from hfx.errors import HfxError
from hfx.fileio import remove_stale_temps

__all__ = [
    "DEPLOYMENT",
    "MODEL_LABEL",
    "MODEL_PREFIX",
    "MODEL_PROJECT",
    "CleanupResult",
    "CluBackend",
    "CluBackendConfig",
    "CluStartup",
    "SyncStore",
    "cleanup_orphans",
    "clu_errors_mapped",
    "config_from_settings",
    "create_backend",
    "start_backend",
]

log = logging.getLogger("hfx.backends.clu")


class CluBackend(Backend):
    """Workspaces and models on one CLU resource (see module docs): a :attr:`workspace_store` and a
    :attr:`model_store` that share the client, the settings, the model registry and the locks."""

    def __init__(self, client: CluClient, config: CluBackendConfig) -> None:
        self.client = client
        self.config = config
        self.data_dir = Path(config.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(self.data_dir)  # what writes interrupted by a crash or kill -9 left behind
        self.registry = ModelRegistry(self.data_dir)
        self.registry.ensure_file()
        self._pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="hfx-clu")
        locks = NamedLocks()
        self.workspace_store: CluWorkspaces = CluWorkspaces(
            client, config, self.registry, SyncStore(self.data_dir), locks
        )
        self.model_store: CluModels = CluModels(client, config, self.registry, locks, self._pool)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(Exception):
            self.client.close()


def _check_access(endpoint: str, key: str, timeout: float) -> None:
    """One quick call at start: a refused key stops the server at once; a CLU that does not answer only warns
    (it may come back; every call retries)."""
    with CluClient(endpoint, key, timeout=min(timeout, 10.0), max_attempts=1) as probe:
        try:
            next(iter(probe.list_projects()), None)
        except clu_errors.AuthError as exc:
            raise HfxError(
                f"CLU refused the key for {endpoint} (HTTP {exc.status}): check HFX_CLU_KEY / "
                "--clu-key-file and --clu-endpoint"
            ) from None
        except clu_errors.CluError as exc:
            log.warning("CLU at %s did not answer at start (%s); calls fail until it does", endpoint, exc)


def create_backend(settings: BackendSettings) -> CluBackend:
    """Factory used by ``hfx serve --backend clu``: endpoint/key per :mod:`hfx.clu.config`, options as strings."""
    return start_backend(*settings_from_options(settings))


def start_backend(config: CluBackendConfig, startup: CluStartup) -> CluBackend:
    """A backend on the CLU resource ``startup`` names, its key checked, orphans cleaned up when asked."""
    clu = CluSettings.resolve(startup.endpoint or None, startup.key_file or None)
    client = CluClient(
        clu.endpoint,
        clu.key,
        timeout=startup.timeout,
        poll_interval=startup.poll_interval,
        max_attempts=startup.max_attempts,
        pool_size=config.concurrency + 4,
        max_rps=startup.max_rps,
    )
    _check_access(clu.endpoint, clu.key, client.timeout)
    backend = CluBackend(client, config)
    if startup.cleanup:
        try:
            result = cleanup_orphans(client, config.data_dir, older_than_hours=startup.cleanup_older_than)
        except clu_errors.CluError as exc:
            backend.close()
            raise HfxError(f"--clu-cleanup-on-start: {exc}") from None
        log.info(
            "cleanup at start: %d orphaned hfx- projects deleted, %d kept (too recent), %d failed",
            len(result.deleted),
            len(result.kept),
            len(result.failed),
        )
    return backend
