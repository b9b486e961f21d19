"""Settings of the CLU backend: :class:`CluBackendConfig`, the names it uses in CLU, and the parsing of
``hfx serve --clu-*`` / ``--backend-option`` values."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hfx.backends.base import BackendSettings, InvalidInput, OptionValue
from hfx.backends.payload import DEFAULT_MAX_DECOMPRESSED
from hfx.errors import HfxError
from hfx.formats.clu_json import CluWriteOptions, write_clu
from hfx.formats.clu_names import delimiter_problem
from hfx.model import Workspace
from hfx.report import Report

#: Temporary model projects: ``hfx-`` + 12 hex digits.
MODEL_PREFIX = "hfx-"
MODEL_PROJECT = re.compile(r"^hfx-[0-9a-f]{12}$")
MODEL_LABEL = "hfx"
DEPLOYMENT = "hfx"
TRAINING_MODES = ("standard", "advanced")
EVALUATIONS = ("percentage", "manual")
#: CLU's limit on one analyze-conversations query (characters).
MAX_QUERY = 1000


@dataclass(frozen=True)
class CluBackendConfig:
    """Settings of the CLU backend (from ``hfx serve --clu-*`` options)."""

    data_dir: Path = Path("hfx-data")
    delimiter: str = "---"
    #: Delimiter for TrainModel data when the request names none (None = ``delimiter``).
    training_delimiter: str | None = None
    #: Language of new projects and model projects; None = the workspace's own language, else en-us.
    language: str | None = None
    multilingual: bool = False
    confidence_threshold: float = 0.0
    training_mode: str = "standard"
    #: "percentage" = train on 100 % of the Train utterances; "manual" = use each utterance's dataset.
    evaluation: str = "percentage"
    concurrency: int = 8
    max_batch_size: int = 100
    test_tags: tuple[str, ...] = ("Test",)
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED
    export_gzip: bool = False

    def __post_init__(self) -> None:
        if self.training_mode not in TRAINING_MODES:
            raise HfxError(
                f"--clu-training-mode must be one of {', '.join(TRAINING_MODES)}, not {self.training_mode!r}"
            )
        if self.evaluation not in EVALUATIONS:
            raise HfxError(f"--clu-evaluation must be one of {', '.join(EVALUATIONS)}, not {self.evaluation!r}")
        if not 0 <= self.confidence_threshold <= 1:
            raise HfxError("--clu-confidence-threshold must be between 0 and 1")
        if self.concurrency < 1:
            raise HfxError("--clu-concurrency must be at least 1")
        if self.max_batch_size < 1:
            raise HfxError("max_batch_size must be at least 1")
        if not self.delimiter:
            raise HfxError("the CLU backend needs a non-empty delimiter")


def new_project_metadata(config: CluBackendConfig, description: str, language: str | None = None) -> dict[str, Any]:
    """The metadata of a project the backend creates (a workspace, or a model's temporary project)."""
    meta: dict[str, Any] = {
        "projectKind": "Conversation",
        "language": config.language or language or "en-us",
        "multilingual": config.multilingual,
        "settings": {"confidenceThreshold": config.confidence_threshold},
    }
    if description:
        meta["description"] = description
    return meta


def project_file_for(
    ws: Workspace,
    config: CluBackendConfig,
    delimiter: str,
    project: str,
    base: dict[str, Any],
    language: str | None = None,
) -> tuple[dict[str, Any], Report, dict[str, str]]:
    """``ws`` as the CLU project file this backend sends (names rewritten to fit, the configured test tags),
    with its report and renames; a conversion error is INVALID_ARGUMENT naming the first and how many more."""
    project_file, report, renames = write_clu(
        ws,
        CluWriteOptions(
            delimiter=delimiter,
            test_tags=config.test_tags,
            invalid_names="rewrite",
            project_name=project,
            language=language,
            base=base,
        ),
    )
    if report.errors:
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        raise InvalidInput(f"{first.message}{more}", pointer=first.pointer)
    return project_file, report, renames


def check_delimiter(delimiter: str) -> str:
    """Refuse, before anything is changed in CLU, a delimiter CLU forbids in intent names."""
    problem = delimiter_problem(delimiter)
    if problem:
        raise InvalidInput(problem)
    return delimiter


@dataclass(frozen=True)
class CluStartup:
    """How ``hfx serve --backend clu`` reaches CLU and what it does at start (see :func:`settings_from_options`)."""

    #: None = :mod:`hfx.clu.config`'s environment variables.
    endpoint: str | None = None
    key_file: str | None = None
    timeout: float = 30.0
    poll_interval: float = 1.0
    max_attempts: int = 8
    max_rps: float | None = None
    #: Delete orphaned ``hfx-`` model projects at start (only those at least this many hours old, when set).
    cleanup: bool = False
    cleanup_older_than: float | None = None


def parse_bool(name: str, value: OptionValue) -> bool:
    if isinstance(value, bool):
        return value
    low = str(value).strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise HfxError(f"{name}: expected true or false, not {value!r}")


def parse_number(name: str, value: OptionValue, kind: type = float) -> Any:
    """A number of ``kind``: typed as ``hfx serve`` validated it, or parsed from an option string."""
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            raise HfxError(f"{name}: expected a number, not {value!r}") from None
    if isinstance(value, bool) or (kind is int and not isinstance(value, int)):
        raise HfxError(f"{name}: expected a number, not {value!r}")
    return kind(value)


def _text(name: str, value: OptionValue) -> str:
    return str(value)


def _lower(name: str, value: OptionValue) -> str:
    return str(value).strip().lower()


def _whole(name: str, value: OptionValue) -> int:
    return int(parse_number(name, value, int))


_Parse = Callable[[str, OptionValue], Any]

#: ``--backend-option`` key -> (record, field, name in messages, parser). The one place options are read (typed
#: values from ``hfx serve`` as they are, strings parsed); an empty string (but for the booleans) leaves the default.
_OPTIONS: dict[str, tuple[str, str, str, _Parse]] = {
    "clu_endpoint": ("startup", "endpoint", "clu_endpoint", _text),
    "clu_key_file": ("startup", "key_file", "clu_key_file", _text),
    "clu_language": ("config", "language", "clu_language", _text),
    "clu_multilingual": ("config", "multilingual", "--clu-multilingual", parse_bool),
    "clu_confidence_threshold": ("config", "confidence_threshold", "--clu-confidence-threshold", parse_number),
    "clu_training_mode": ("config", "training_mode", "--clu-training-mode", _lower),
    "clu_evaluation": ("config", "evaluation", "--clu-evaluation", _lower),
    "clu_concurrency": ("config", "concurrency", "--clu-concurrency", _whole),
    "clu_cleanup": ("startup", "cleanup", "--clu-cleanup-on-start", parse_bool),
    "clu_cleanup_older_than": ("startup", "cleanup_older_than", "clu_cleanup_older_than", parse_number),
    "clu_timeout": ("startup", "timeout", "clu_timeout", parse_number),
    "clu_poll_interval": ("startup", "poll_interval", "clu_poll_interval", parse_number),
    "clu_max_attempts": ("startup", "max_attempts", "clu_max_attempts", _whole),
    "clu_max_rps": ("startup", "max_rps", "clu_max_rps", parse_number),
    "max_batch_size": ("config", "max_batch_size", "max_batch_size", _whole),
    "training_delimiter": ("config", "training_delimiter", "training_delimiter", _text),
}
KNOWN_OPTIONS = set(_OPTIONS)
_ALWAYS_READ = {"clu_multilingual", "clu_cleanup"}  # booleans: an empty value means false


def settings_from_options(settings: BackendSettings) -> tuple[CluBackendConfig, CluStartup]:
    """The typed settings of the CLU backend from ``hfx serve``'s backend options."""
    opts = settings.options
    unknown = sorted(k for k in opts if k not in _OPTIONS)
    if unknown:
        raise HfxError(
            f"--backend-option: the CLU backend knows no option {unknown[0]!r} "
            f"(known: {', '.join(sorted(KNOWN_OPTIONS))})"
        )
    fields: dict[str, dict[str, Any]] = {
        "config": {
            "data_dir": Path(settings.data_dir),
            "delimiter": settings.delimiter,
            "max_decompressed_bytes": settings.max_decompressed_bytes,
            "export_gzip": settings.export_gzip,
        },
        "startup": {},
    }
    for key, value in opts.items():
        record, field, name, parse = _OPTIONS[key]
        if value != "" or key in _ALWAYS_READ:
            fields[record][field] = parse(name, value)
    return CluBackendConfig(**fields["config"]), CluStartup(**fields["startup"])


def config_from_settings(settings: BackendSettings) -> CluBackendConfig:
    """The :class:`CluBackendConfig` part of :func:`settings_from_options`."""
    return settings_from_options(settings)[0]
