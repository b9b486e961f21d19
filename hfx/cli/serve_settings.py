"""``hfx serve``'s settings: one typed record (:class:`ServeSettings`) built once from the command line, the
``HFX_*`` environment (Typer reads both) and the original integration's ``--config`` string, and checked once.

Backend factories take a :class:`~hfx.backends.base.BackendSettings`; :meth:`ServeSettings.backend_options`
passes the validated ``--clu-*`` and model options on as typed values, next to the strings of
``--backend-option KEY=VALUE``, and each backend reads them in one place
(:func:`hfx.backends.clu_settings.settings_from_options`, :func:`hfx.backends.directory.model_limits_from_options`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from hfx.backends.base import BackendSettings, OptionValue
from hfx.cli.options import TextJson
from hfx.errors import HfxError

BackendName = Enum("BackendName", [("directory", "directory"), ("clu", "clu")], type=str)
LogLevel = Enum(
    "LogLevel", [("debug", "debug"), ("info", "info"), ("warning", "warning"), ("error", "error")], type=str
)


#: ``--config`` keys of the original integration -> (hfx setting, note). ``clu_key`` is refused.
CONFIG_KEYS: dict[str, str] = {
    "delimiter": "delimiter",
    "workspace_delimiter": "delimiter",
    "training_delimiter": "option:training_delimiter",
    "project_path": "data_dir",
    "log_level": "log_level",
    "clu_endpoint": "option:clu_endpoint",
    "clu_language": "option:clu_language",
    "clu_multilingual": "option:clu_multilingual",
    "clu_training_mode": "option:clu_training_mode",
    "max_batch_size": "option:max_batch_size",
}
SECRET_CONFIG_KEYS = {"clu_key": "HFX_CLU_KEY (or a file: --clu-key-file / HFX_CLU_KEY_FILE)"}
#: Settings of the local models, which ``--backend clu`` ignores (CLU trains and runs its models).
LOCAL_MODEL_OPTIONS = ("max_models", "max_trainings", "top_k", "models")


def parse_config(text: str) -> dict[str, str]:
    """Map the original integration's ``"key::value,key::value"`` string onto hfx settings.

    Returns ``{"delimiter": ..., "data_dir": ..., "log_level": ..., "option:<name>": ...}``. Refuses secrets.
    """
    out: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("::")
        key = key.strip()
        if key in SECRET_CONFIG_KEYS:
            # never echo the value
            raise HfxError(
                f"--config: '{key}' is a secret and is not accepted on the command line; "
                f"set {SECRET_CONFIG_KEYS[key]} instead"
            )
        if not sep:
            raise HfxError(f"--config: expected key::value, found {key!r}")
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise HfxError(f"--config: unknown key {key!r} (known: {known}, and clu_key via the environment)")
        out[CONFIG_KEYS[key]] = value.strip()
    return out


@dataclass(frozen=True)
class ModelOptions:
    """``--no-models``, ``--max-models`` ...: the local models' settings (None = the backend's default)."""

    enabled: bool = True
    max_models: int | None = None
    max_trainings: int | None = None
    max_batch_size: int | None = None
    top_k: int | None = None


@dataclass(frozen=True)
class CluOptions:
    """``--clu-*``: the CLU backend's settings (None = the backend's default)."""

    endpoint: str | None = None
    key_file: Path | None = None
    language: str | None = None
    multilingual: bool | None = None
    confidence_threshold: float | None = None
    training_mode: str | None = None
    concurrency: int | None = None
    evaluation: str | None = None
    cleanup: bool = False


@dataclass(frozen=True)
class ServeSettings:
    """Everything ``hfx serve`` runs with, after ``--config`` is merged in (see module docs)."""

    backend: BackendName = BackendName.directory
    address: str = "127.0.0.1:8443"
    creds: Path | None = None
    data_dir: Path = Path("hfx-data")
    delimiter: str = "---"
    dev: bool = False
    insecure: bool = False
    reflection: bool = False
    health_address: str | None = None
    log_format: TextJson = TextJson.text
    log_level: str = "info"
    max_message_mb: int = 256
    max_decompressed_mb: int = 1024
    workers: int = 8
    history_limit: int = 10
    export_gzip: bool = False
    grace_period: float = 10.0
    drain_period: float = 0.0
    models: ModelOptions = field(default_factory=ModelOptions)
    clu: CluOptions = field(default_factory=CluOptions)
    #: ``--backend-option KEY=VALUE`` and the backend keys of ``--config``, as given.
    extra_options: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.log_level.lower() not in {lv.value for lv in LogLevel}:
            raise HfxError(f"--config: log_level must be one of {', '.join(lv.value for lv in LogLevel)}")
        if not self.delimiter:
            raise HfxError("--delimiter must not be empty")

    def backend_options(self) -> dict[str, OptionValue]:
        """The backend options: ``extra_options`` (strings) overridden by the typed options that were given."""
        given: dict[str, OptionValue | None] = {
            "clu_endpoint": self.clu.endpoint,
            "clu_key_file": None if self.clu.key_file is None else str(self.clu.key_file),
            "clu_language": self.clu.language,
            "clu_multilingual": self.clu.multilingual,
            "clu_confidence_threshold": self.clu.confidence_threshold,
            "clu_training_mode": self.clu.training_mode,
            "clu_concurrency": self.clu.concurrency,
            "clu_cleanup": True if self.clu.cleanup else None,
            "clu_evaluation": self.clu.evaluation,
            "max_batch_size": self.models.max_batch_size,
            "max_models": self.models.max_models,
            "max_trainings": self.models.max_trainings,
            "top_k": self.models.top_k,
            "models": None if self.models.enabled else False,
        }
        return {**self.extra_options, **{name: value for name, value in given.items() if value is not None}}

    def backend_settings(self, options: dict[str, OptionValue]) -> BackendSettings:
        """What the backend factory gets."""
        return BackendSettings(
            data_dir=str(self.data_dir),
            delimiter=self.delimiter,
            history_limit=self.history_limit,
            max_decompressed_bytes=self.max_decompressed_mb << 20,
            export_gzip=self.export_gzip,
            options=options,
        )


def extra_options(mapped: dict[str, str], backend_option: list[str] | None) -> dict[str, str]:
    """The backend keys of a parsed ``--config`` (:func:`parse_config`) overridden by ``--backend-option``s."""
    options = {k.removeprefix("option:"): v for k, v in mapped.items() if k.startswith("option:")}
    for item in backend_option or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise HfxError(f"--backend-option: expected KEY=VALUE, found {item!r}")
        options[key.strip()] = value
    return options
