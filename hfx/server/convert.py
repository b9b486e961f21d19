"""Protobuf <-> backend types. The only place that knows both sides."""

from __future__ import annotations

from hfx.backends.base import DataOptions, ModelInfo, Predictions, WorkspaceInfo
from hfx.proto.external_integration.v1alpha1 import models_pb2, workspace_pb2
from hfx.proto.external_nlu.v1alpha1 import service_pb2
from hfx.proto.playbook.data.config.v1alpha1 import config_pb2

_PREFIX = "INTENTS_FORMAT_"


#: :class:`DataOptions` fields and the ``IntentsDataOptions`` fields they travel in.
_OPTION_FIELDS = (
    ("gzip", "gzip_encoding"),
    ("zip", "zip_encoding"),
    ("delimiter", "hierarchical_delimiter"),
    ("hierarchical_intent_name_disabled", "hierarchical_intent_name_disabled"),
    ("hierarchical_follow_up", "hierarchical_follow_up"),
    ("include_negative_phrases", "include_negative_phrases"),
    ("skip_empty_intents", "skip_empty_intents"),
)


def options_from_proto(data_format: config_pb2.IntentsDataFormat, opts: config_pb2.IntentsDataOptions) -> DataOptions:
    try:
        name = config_pb2.IntentsDataFormat.Name(data_format).removeprefix(_PREFIX)
    except ValueError:
        name = f"UNKNOWN_{data_format}"
    return DataOptions(format=name, **{ours: getattr(opts, theirs) for ours, theirs in _OPTION_FIELDS})


def options_to_proto(options: DataOptions) -> tuple[str, config_pb2.IntentsDataOptions]:
    """The ``data_format`` (an ``IntentsDataFormat`` name: message constructors take names) and the options."""
    fmt = _PREFIX + options.format
    if fmt not in config_pb2.IntentsDataFormat.keys():
        raise ValueError(f"{options.format!r} is not an IntentsDataFormat")
    return fmt, config_pb2.IntentsDataOptions(**{theirs: getattr(options, ours) for ours, theirs in _OPTION_FIELDS})


def workspace_to_proto(info: WorkspaceInfo) -> workspace_pb2.Workspace:
    return workspace_pb2.Workspace(id=info.id, name=info.name, description=info.description)


def model_to_proto(info: ModelInfo) -> models_pb2.Model:
    model = models_pb2.Model(id=info.id, display_name=info.display_name)
    if info.classification_batch_size is not None:
        model.classification.max_batch_size = info.classification_batch_size
    if info.embeddings is not None:
        e = info.embeddings
        model.embeddings.CopyFrom(
            models_pb2.EmbedConfig(
                dimensionality=e.dimensionality,
                max_batch_size=e.max_batch_size,
                max_token_size=e.max_token_size,
                max_token_count=e.max_token_count,
            )
        )
    return model


def prediction_to_proto(p: Predictions) -> service_pb2.Predictions:
    out = service_pb2.Predictions()
    for i in p.intents:
        out.matches.add(id=i.id, name=i.name, score=i.score)
    for e in p.entities:
        out.entity_matches.add(
            entity=service_pb2.EntityReference(
                text=e.text,
                key=e.key,
                value=e.value,
                role=e.role,
                entity_id=e.entity_id,
                entity_value_id=e.entity_value_id,
            ),
            score=e.score,
            span=service_pb2.Span(start=e.start, end=e.end),
            extractor=e.extractor,
        )
    return out
