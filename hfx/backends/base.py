"""What a server backend implements, independent of gRPC.

A backend is a workspace store (required) and may have a model store that trains and runs models (optional):
:class:`WorkspaceStore` and :class:`ModelStore` are the two interfaces, :class:`Backend` puts them together.
The gRPC layer (``hfx/server``) converts protobuf messages into the plain types below, calls the backend and
maps the typed errors to status codes:

===================  ==================  ====================================================
error                gRPC status         when
===================  ==================  ====================================================
``NotFound``         NOT_FOUND           unknown workspace/model id
``InvalidInput``     INVALID_ARGUMENT    bad id or payload (``pointer`` = JSON pointer in it)
``AlreadyExists``    ALREADY_EXISTS      CreateWorkspace with an id that is taken
``TooLarge``         RESOURCE_EXHAUSTED  payload over a configured limit (e.g. gzip bomb)
``Unsupported``      UNIMPLEMENTED       the backend does not offer this operation
``Cancelled``        CANCELLED           the client cancelled (e.g. a long TrainModel)
``Unavailable``      UNAVAILABLE         the platform behind the backend failed (retryable)
``BackendError``     INTERNAL            anything else the backend raises on purpose
===================  ==================  ====================================================

Every one is an :class:`hfx.errors.HfxError`. Messages of these errors go to the client: keep them short and free
of secrets and payload content.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from hfx.errors import HfxError
from hfx.nlu.scores import IntentScore

# ------------------------------------------------------------------------------------------------ errors


class BackendError(HfxError):
    """A backend failure; its message is sent to the client (short, no secrets, no payload)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(BackendError):
    """Unknown workspace or model id."""


class AlreadyExists(BackendError):
    """The requested id is already taken."""


class InvalidInput(BackendError):
    """An invalid id or payload; ``pointer`` locates the problem inside the payload (JSON pointer)."""

    def __init__(self, message: str, *, pointer: str | None = None) -> None:
        super().__init__(message)
        self.pointer = pointer

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}" if self.pointer is not None else self.message


class TooLarge(BackendError):
    """A payload (after decompression) exceeds a configured limit."""


class Unsupported(BackendError):
    """The backend does not implement this operation."""


class Cancelled(BackendError):
    """The caller cancelled the operation."""


class Unavailable(BackendError):
    """The platform behind the backend is unreachable or failing; the caller may retry."""


# ------------------------------------------------------------------------------------------------ types

#: Format names are ``IntentsDataFormat`` enum names without the ``INTENTS_FORMAT_`` prefix.
HF_JSON = "HF_JSON"


@dataclass(frozen=True)
class CallContext:
    """Who is calling: every HumanFirst request carries these (empty when unknown)."""

    namespace: str = ""
    integration_id: str = ""


@dataclass(frozen=True)
class DataOptions:
    """Neutral form of ``data_format`` + ``IntentsDataOptions`` (tag predicates are not carried)."""

    format: str = HF_JSON
    gzip: bool = False
    zip: bool = False
    delimiter: str = ""
    hierarchical_intent_name_disabled: bool = False
    hierarchical_follow_up: bool = False
    include_negative_phrases: bool = False
    skip_empty_intents: bool = False


@dataclass(frozen=True)
class WorkspaceInfo:
    id: str
    name: str = ""
    description: str = ""


@dataclass(frozen=True)
class ExportedData:
    """Workspace data plus how it is encoded (``options.gzip`` true = ``data`` is gzip)."""

    data: bytes
    options: DataOptions


@dataclass(frozen=True)
class EmbeddingSpec:
    dimensionality: int
    max_batch_size: int = 0
    max_token_size: int = 0
    max_token_count: int = 0


@dataclass(frozen=True)
class ModelInfo:
    id: str
    display_name: str = ""
    #: Largest Classify batch; ``None`` = the model does not classify.
    classification_batch_size: int | None = 0
    embeddings: EmbeddingSpec | None = None


@dataclass(frozen=True)
class EntityScore:
    """An entity found in the example; ``start``/``end`` are UTF-8 byte offsets, half-open."""

    key: str
    text: str
    start: int
    end: int
    score: float = 1.0
    value: str = ""
    role: str = ""
    entity_id: str = ""
    entity_value_id: str = ""
    extractor: str = ""


@dataclass(frozen=True)
class Predictions:
    """Predictions for one example: intents best first."""

    intents: list[IntentScore] = field(default_factory=list)
    entities: list[EntityScore] = field(default_factory=list)


@dataclass(frozen=True)
class Capabilities:
    max_concurrent_models: int = 0
    classification_batch_size: int = 0


#: A backend option's value: typed when ``hfx serve`` validated it, a string as ``--backend-option`` gave it.
OptionValue = str | int | float | bool


@dataclass(frozen=True)
class BackendSettings:
    """What ``hfx serve`` hands to a backend factory.

    A backend module other than ``directory`` exposes ``create_backend(settings: BackendSettings) -> Backend``
    (``hfx serve --backend clu`` imports ``hfx.backends.clu`` lazily and calls it). Backend-specific settings
    arrive in ``options``: typed values from ``hfx serve``'s validated ``--clu-*`` and model options, strings
    from ``--backend-option KEY=VALUE`` and the mapped ``--config`` keys (each backend parses those in one
    place); secrets are never among them (read them from the environment or a file).
    """

    data_dir: str = "hfx-data"
    delimiter: str = "---"
    history_limit: int = 10
    max_decompressed_bytes: int = 1 << 30
    export_gzip: bool = False
    options: dict[str, OptionValue] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ stores


class WorkspaceStore(Protocol):
    """Where workspaces live (every backend has one)."""

    def list_workspaces(self, ctx: CallContext) -> list[WorkspaceInfo]:
        """Every workspace, sorted by id."""
        ...

    def get_workspace(self, ctx: CallContext, workspace_id: str) -> WorkspaceInfo:
        """One workspace; ``NotFound`` for an unknown id."""
        ...

    def create_workspace(
        self, ctx: CallContext, name: str, description: str = "", workspace_id: str = ""
    ) -> WorkspaceInfo:
        """Make an empty workspace and return it with its (new) id."""
        ...

    def import_parameters(self, ctx: CallContext, workspace_id: str) -> DataOptions:
        """The format and options HumanFirst must use for the next ``import_data``."""
        ...

    def import_data(self, ctx: CallContext, workspace_id: str, data: bytes, options: DataOptions) -> None:
        """Store workspace data HumanFirst sends (``options`` as declared by the request)."""
        ...

    def export_data(self, ctx: CallContext, workspace_id: str) -> ExportedData:
        """Workspace data for HumanFirst, with the encoding it is in."""
        ...


class ModelStore(Protocol):
    """Where models are trained and run (a backend may have none)."""

    def capabilities(self) -> Capabilities:
        """How many models may be loaded at once and the largest ``classify`` batch."""
        ...

    def list_models(self, ctx: CallContext) -> list[ModelInfo]: ...

    def get_model(self, ctx: CallContext, model_id: str) -> ModelInfo:
        """One model; ``NotFound`` for an unknown id."""
        ...

    def train_parameters(self, ctx: CallContext) -> DataOptions:
        """The format and options HumanFirst must use for ``train_model``."""
        ...

    def train_model(self, ctx: CallContext, data: bytes, options: DataOptions, cancelled: threading.Event) -> ModelInfo:
        """Train synchronously on ``data`` exactly as the request carried it (may be gzip whatever ``options``
        say: decode with :func:`hfx.backends.payload.decode_payload`). ``cancelled`` is this call's own event,
        set when the RPC ends early (client cancel, deadline): check it between steps, clean up, raise
        ``Cancelled``."""
        ...

    def classify(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[Predictions]:
        """Exactly one :class:`Predictions` per text, same order."""
        ...

    def embed(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[list[float]]:
        """One vector per text, same order (``Unsupported`` when the model has no embeddings)."""
        ...

    def delete_model(self, ctx: CallContext, model_id: str) -> None: ...

    def unload_model(self, ctx: CallContext, model_id: str) -> None: ...


# ------------------------------------------------------------------------------------------------ backend


class Backend:
    """What the gRPC layer calls: a :class:`WorkspaceStore` (``workspace_store``) and, when the backend serves
    models, a :class:`ModelStore` (``model_store``; ``None`` = no Models service). A backend sets both in its
    ``__init__``; each call below goes to the store that answers it."""

    workspace_store: WorkspaceStore
    model_store: ModelStore | None = None

    @property
    def supports_models(self) -> bool:
        """True when the backend has a model store (the gRPC Models service is then registered)."""
        return self.model_store is not None

    def _models(self) -> ModelStore:
        if self.model_store is None:
            raise Unsupported("models are not supported by this backend")
        return self.model_store

    # -- workspaces ---------------------------------------------------------------------------------
    def list_workspaces(self, ctx: CallContext) -> list[WorkspaceInfo]:
        return self.workspace_store.list_workspaces(ctx)

    def get_workspace(self, ctx: CallContext, workspace_id: str) -> WorkspaceInfo:
        return self.workspace_store.get_workspace(ctx, workspace_id)

    def create_workspace(
        self, ctx: CallContext, name: str, description: str = "", workspace_id: str = ""
    ) -> WorkspaceInfo:
        return self.workspace_store.create_workspace(ctx, name, description, workspace_id)

    def import_parameters(self, ctx: CallContext, workspace_id: str) -> DataOptions:
        return self.workspace_store.import_parameters(ctx, workspace_id)

    def import_data(self, ctx: CallContext, workspace_id: str, data: bytes, options: DataOptions) -> None:
        self.workspace_store.import_data(ctx, workspace_id, data, options)

    def export_data(self, ctx: CallContext, workspace_id: str) -> ExportedData:
        return self.workspace_store.export_data(ctx, workspace_id)

    # -- models -------------------------------------------------------------------------------------
    def capabilities(self) -> Capabilities:
        return Capabilities() if self.model_store is None else self.model_store.capabilities()

    def list_models(self, ctx: CallContext) -> list[ModelInfo]:
        return self._models().list_models(ctx)

    def get_model(self, ctx: CallContext, model_id: str) -> ModelInfo:
        return self._models().get_model(ctx, model_id)

    def train_parameters(self, ctx: CallContext) -> DataOptions:
        return self._models().train_parameters(ctx)

    def train_model(self, ctx: CallContext, data: bytes, options: DataOptions, cancelled: threading.Event) -> ModelInfo:
        return self._models().train_model(ctx, data, options, cancelled)

    def classify(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[Predictions]:
        return self._models().classify(ctx, model_id, texts)

    def embed(self, ctx: CallContext, model_id: str, texts: list[str]) -> list[list[float]]:
        return self._models().embed(ctx, model_id, texts)

    def delete_model(self, ctx: CallContext, model_id: str) -> None:
        self._models().delete_model(ctx, model_id)

    def unload_model(self, ctx: CallContext, model_id: str) -> None:
        self._models().unload_model(ctx, model_id)

    def close(self) -> None:
        """Release resources at shutdown (default: nothing)."""
        return None
