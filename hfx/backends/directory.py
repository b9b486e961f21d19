"""The embedded default backend: one HF JSON file per workspace in a folder.

Layout under the data dir::

    workspaces/<safe-id>.json        the workspace exactly as HumanFirst sent it (decompressed)
    history/<safe-id>/000001.json    previous versions, oldest first, at most ``history_limit``
    locks/<safe-id>.lock             advisory locks (serializes writers across processes too)
    models/                          local models (see :mod:`hfx.backends.local_models`)

``<safe-id>`` is the id with every byte outside ``[A-Za-z0-9_.-]`` (and a leading ``.``) written as ``%XX``,
so ids such as ``../x`` or ``/etc/passwd`` always name a file inside ``workspaces/``.
Writes are atomic (temp file, fsync, rename); imports to one workspace are serialized by a per-workspace
lock, so concurrent imports never interleave and each one leaves a whole file (the earlier ones in history).

Models (train, classify, embed) are local :mod:`hfx.nlu` models kept by :class:`~hfx.backends.local_models.LocalModels`
(pass ``models=False`` for a workspaces-only server).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hfx.backends.base import (
    HF_JSON,
    AlreadyExists,
    Backend,
    BackendError,
    BackendSettings,
    CallContext,
    DataOptions,
    ExportedData,
    InvalidInput,
    NotFound,
    OptionValue,
    WorkspaceInfo,
)
from hfx.backends.local_models import LocalModels, ModelLimits
from hfx.backends.locks import NamedLocks
from hfx.backends.payload import DEFAULT_MAX_DECOMPRESSED, check_hf_payload
from hfx.errors import HfxError, InputError
from hfx.fileio import atomic_write, remove_stale_temps
from hfx.formats.hf_json import dumps_hf
from hfx.formats.jsontext import parse_json
from hfx.model import Workspace

MAX_ID_BYTES = 200  # encoded file names stay well under the usual 255-byte limit
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_ENCODED = re.compile(r"(?:[A-Za-z0-9_.-]|%[0-9A-F]{2})+")

try:  # POSIX advisory locks; on other systems the in-process lock alone serializes writers
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def safe_name(workspace_id: str) -> str:
    """File-name form of an id (reversible, never a path separator, never ``.``/``..``/hidden)."""
    if not workspace_id:
        raise InvalidInput("empty workspace id")
    raw = workspace_id.encode("utf-8", errors="surrogatepass")
    out = []
    for i, byte in enumerate(raw):
        if byte in _SAFE and not (i == 0 and byte == ord(".")):
            out.append(chr(byte))
        else:
            out.append(f"%{byte:02X}")
    name = "".join(out)
    if len(name) > MAX_ID_BYTES:
        raise InvalidInput(f"workspace id too long (max {MAX_ID_BYTES} bytes once encoded)")
    return name


def id_from_name(name: str) -> str | None:
    """Inverse of :func:`safe_name`; ``None`` for names we did not write."""
    if not _ENCODED.fullmatch(name):
        return None
    raw = bytearray()
    i = 0
    while i < len(name):
        if name[i] == "%":
            raw.append(int(name[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.append(ord(name[i]))
            i += 1
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if safe_name(text) == name else None


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:60].rstrip("-") or "workspace"


class DirectoryWorkspaces:
    """The directory backend's workspace store: workspaces as HF JSON files in ``data_dir`` (see module docs)."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        delimiter: str = "---",
        history_limit: int = 10,
        max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED,
        export_gzip: bool = False,
    ) -> None:
        if history_limit < 0:
            raise ValueError("history_limit must be >= 0")
        self.root = Path(data_dir)
        self.workspaces_dir = self.root / "workspaces"
        self.history_dir = self.root / "history"
        self.locks_dir = self.root / "locks"
        for folder in (self.workspaces_dir, self.history_dir, self.locks_dir):
            folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(self.root)  # what writes interrupted by a crash or kill -9 left behind
        self.delimiter = delimiter
        self.history_limit = history_limit
        self.max_decompressed_bytes = max_decompressed_bytes
        self.export_gzip = export_gzip
        self._locks = NamedLocks()
        self._create_guard = threading.Lock()
        self._info_cache: dict[str, tuple[tuple[int, int, int], WorkspaceInfo]] = {}

    # -- paths and locks -----------------------------------------------------------------------------
    def _path(self, workspace_id: str) -> Path:
        path = self.workspaces_dir / f"{safe_name(workspace_id)}.json"
        # belt and braces: the encoding cannot produce a separator, but never trust a path blindly
        if path.parent != self.workspaces_dir:
            raise InvalidInput("invalid workspace id")
        return path

    @contextlib.contextmanager
    def _locked(self, workspace_id: str) -> Iterator[None]:
        name = safe_name(workspace_id)
        lock = self._locks(name)
        with lock:
            if fcntl is None:
                yield
                return
            fd = os.open(self.locks_dir / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    # -- reading -------------------------------------------------------------------------------------
    def _info(self, workspace_id: str, path: Path) -> WorkspaceInfo:
        try:
            st = path.stat()
        except FileNotFoundError:
            raise NotFound(f"unknown workspace {workspace_id!r}") from None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._info_cache.get(workspace_id)
        if cached and cached[0] == key:
            return cached[1]
        name = description = ""
        try:
            obj = parse_json(path.read_bytes(), str(path))
        except FileNotFoundError:
            raise NotFound(f"unknown workspace {workspace_id!r}") from None
        except (InputError, OSError):
            obj = None  # stored files are validated on import; a hand-edited broken file still lists
        if isinstance(obj, dict):
            found_name, found_description = obj.get("name"), obj.get("description")
            name = found_name if isinstance(found_name, str) else ""
            description = found_description if isinstance(found_description, str) else ""
        # HumanFirst shows the name in its pickers: fall back to the id for nameless workspaces
        info = WorkspaceInfo(id=workspace_id, name=name or workspace_id, description=description or "")
        self._info_cache[workspace_id] = (key, info)
        return info

    def list_workspaces(self, ctx: CallContext) -> list[WorkspaceInfo]:
        out = []
        for path in sorted(self.workspaces_dir.glob("*.json")):
            workspace_id = id_from_name(path.name[: -len(".json")])
            if workspace_id is None:
                continue
            with contextlib.suppress(NotFound):
                out.append(self._info(workspace_id, path))
        return sorted(out, key=lambda w: w.id)

    def get_workspace(self, ctx: CallContext, workspace_id: str) -> WorkspaceInfo:
        return self._info(workspace_id, self._path(workspace_id))

    def import_parameters(self, ctx: CallContext, workspace_id: str) -> DataOptions:
        self.get_workspace(ctx, workspace_id)
        return DataOptions(format=HF_JSON, gzip=True, delimiter=self.delimiter)

    def export_data(self, ctx: CallContext, workspace_id: str) -> ExportedData:
        path = self._path(workspace_id)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"unknown workspace {workspace_id!r}") from None
        if self.export_gzip:
            import gzip

            return ExportedData(gzip.compress(data, mtime=0), DataOptions(HF_JSON, gzip=True, delimiter=self.delimiter))
        return ExportedData(data, DataOptions(HF_JSON, gzip=False, delimiter=self.delimiter))

    # -- writing -------------------------------------------------------------------------------------
    def create_workspace(
        self, ctx: CallContext, name: str, description: str = "", workspace_id: str = ""
    ) -> WorkspaceInfo:
        data = dumps_hf(Workspace(name=name or None, description=description or None))
        with self._create_guard:
            if workspace_id:
                path = self._path(workspace_id)
                if path.exists():
                    raise AlreadyExists(f"workspace {workspace_id!r} already exists")
            else:
                base = _slug(name)
                workspace_id, n = base, 1
                while (path := self._path(workspace_id)).exists():
                    n += 1
                    workspace_id = f"{base}-{n}"
            with self._locked(workspace_id):
                atomic_write(path, data)
        return WorkspaceInfo(id=workspace_id, name=name, description=description)

    def import_data(self, ctx: CallContext, workspace_id: str, data: bytes, options: DataOptions) -> None:

        path = self._path(workspace_id)
        if not path.exists():
            raise NotFound(f"unknown workspace {workspace_id!r}")
        payload, ws = check_hf_payload(data, options, max_bytes=self.max_decompressed_bytes)
        info = WorkspaceInfo(id=workspace_id, name=ws.name or workspace_id, description=ws.description or "")
        del ws
        with self._locked(workspace_id):
            if not path.exists():
                raise NotFound(f"unknown workspace {workspace_id!r}")
            self._keep_history(workspace_id, path)
            atomic_write(path, payload)
            st = path.stat()
            self._info_cache[workspace_id] = ((st.st_ino, st.st_mtime_ns, st.st_size), info)

    def _keep_history(self, workspace_id: str, path: Path) -> None:
        if self.history_limit == 0:
            return
        folder = self.history_dir / safe_name(workspace_id)
        folder.mkdir(parents=True, exist_ok=True)
        versions = sorted(p for p in folder.glob("*.json") if p.stem.isdigit())
        number = int(versions[-1].stem) + 1 if versions else 1
        target = folder / f"{number:06d}.json"
        try:
            os.link(path, target)  # the current file is never rewritten in place, so a hard link is a copy
        except OSError:
            try:
                atomic_write(target, path.read_bytes())
            except OSError as exc:
                raise BackendError(f"cannot keep history: {exc.strerror or exc}") from None
        versions.append(target)
        for old in versions[: max(0, len(versions) - self.history_limit)]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()

    def history(self, workspace_id: str) -> list[Path]:
        """Stored previous versions of a workspace, oldest first."""
        folder = self.history_dir / safe_name(workspace_id)
        return sorted(p for p in folder.glob("*.json") if p.stem.isdigit()) if folder.is_dir() else []


class DirectoryBackend(Backend):
    """The embedded default backend: workspaces as files (:class:`DirectoryWorkspaces`) and, unless ``models`` is
    false, local models (:class:`~hfx.backends.local_models.LocalModels`) in the same data dir."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        models: bool = True,
        model_limits: ModelLimits | None = None,
        **store_options: Any,
    ) -> None:
        """``store_options``: the keywords of :class:`DirectoryWorkspaces` (``delimiter``, ``history_limit``,
        ``max_decompressed_bytes``, ``export_gzip``); the local models share its delimiter and size limit."""
        self.workspace_store: DirectoryWorkspaces = DirectoryWorkspaces(data_dir, **store_options)
        self.local_models: LocalModels | None = None
        if models:
            self.local_models = LocalModels(
                data_dir,
                model_limits or ModelLimits(),
                delimiter=self.workspace_store.delimiter,
                max_decompressed_bytes=self.workspace_store.max_decompressed_bytes,
            )
        self.model_store = self.local_models

    def history(self, workspace_id: str) -> list[Path]:
        """Stored previous versions of a workspace, oldest first."""
        return self.workspace_store.history(workspace_id)

    def close(self) -> None:
        if self.local_models is not None:
            self.local_models.close()


MODEL_OPTIONS = ("max_models", "max_trainings", "max_batch_size", "top_k", "training_delimiter", "models")


def model_limits_from_options(options: Mapping[str, OptionValue]) -> tuple[bool, ModelLimits]:
    """``hfx serve``'s typed model options and ``--backend-option`` strings -> (models on?, limits); HfxError naming
    a bad value."""

    def number(key: str) -> int | None:
        raw = options.get(key, "")
        raw = raw.strip() if isinstance(raw, str) else raw
        if raw == "":
            return None
        try:
            if isinstance(raw, bool | float):
                raise ValueError
            value = int(raw)
        except ValueError:
            raise HfxError(f"{key}: expected a whole number, not {raw!r}") from None
        if value < 1:
            raise HfxError(f"{key}: must be at least 1, not {value}")
        return value

    def number_or(key: str, default: int) -> int:
        value = number(key)
        return default if value is None else value

    defaults = ModelLimits()
    limits = ModelLimits(
        max_loaded=number_or("max_models", defaults.max_loaded),
        max_trainings=number_or("max_trainings", defaults.max_trainings),
        max_batch_size=number_or("max_batch_size", defaults.max_batch_size),
        top_k=number("top_k") or defaults.top_k,
        training_delimiter=str(options.get("training_delimiter") or "") or defaults.training_delimiter,
    )
    models = options.get("models", True)
    enabled = models if isinstance(models, bool) else str(models).strip().lower() not in ("0", "false", "no", "off")
    return enabled, limits


def create_backend(settings: BackendSettings) -> DirectoryBackend:
    """Factory used by ``hfx serve`` (same signature as every backend module's)."""
    enabled, limits = model_limits_from_options(settings.options)
    return DirectoryBackend(
        settings.data_dir,
        delimiter=settings.delimiter,
        history_limit=settings.history_limit,
        max_decompressed_bytes=settings.max_decompressed_bytes,
        export_gzip=settings.export_gzip,
        models=enabled,
        model_limits=limits,
    )
