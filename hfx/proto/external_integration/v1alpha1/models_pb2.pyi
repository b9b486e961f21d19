from hfx.proto.external_nlu.v1alpha1 import service_pb2 as _service_pb2
from hfx.proto.playbook.data.config.v1alpha1 import config_pb2 as _config_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Model(_message.Message):
    __slots__ = ("id", "display_name", "embeddings", "classification")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    embeddings: EmbedConfig
    classification: ClassificationConfig
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., embeddings: _Optional[_Union[EmbedConfig, _Mapping]] = ..., classification: _Optional[_Union[ClassificationConfig, _Mapping]] = ...) -> None: ...

class ClassificationConfig(_message.Message):
    __slots__ = ("max_batch_size",)
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    max_batch_size: int
    def __init__(self, max_batch_size: _Optional[int] = ...) -> None: ...

class EmbedConfig(_message.Message):
    __slots__ = ("dimensionality", "max_batch_size", "max_token_size", "max_token_count")
    DIMENSIONALITY_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKEN_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    dimensionality: int
    max_batch_size: int
    max_token_size: int
    max_token_count: int
    def __init__(self, dimensionality: _Optional[int] = ..., max_batch_size: _Optional[int] = ..., max_token_size: _Optional[int] = ..., max_token_count: _Optional[int] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("namespace", "integration_id")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    def __init__(self, models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ("namespace", "integration_id", "model_id")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    model_id: str
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ..., model_id: _Optional[str] = ...) -> None: ...

class GetTrainParametersRequest(_message.Message):
    __slots__ = ("namespace", "integration_id")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ...) -> None: ...

class GetTrainParametersResponse(_message.Message):
    __slots__ = ("data_format", "format_options")
    DATA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    data_format: _config_pb2.IntentsDataFormat
    format_options: _config_pb2.IntentsDataOptions
    def __init__(self, data_format: _Optional[_Union[_config_pb2.IntentsDataFormat, str]] = ..., format_options: _Optional[_Union[_config_pb2.IntentsDataOptions, _Mapping]] = ...) -> None: ...

class TrainModelRequest(_message.Message):
    __slots__ = ("namespace", "integration_id", "data_format", "format_options", "data")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    data_format: _config_pb2.IntentsDataFormat
    format_options: _config_pb2.IntentsDataOptions
    data: bytes
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ..., data_format: _Optional[_Union[_config_pb2.IntentsDataFormat, str]] = ..., format_options: _Optional[_Union[_config_pb2.IntentsDataOptions, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class TrainModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: Model
    def __init__(self, model: _Optional[_Union[Model, _Mapping]] = ...) -> None: ...

class DeleteModelRequest(_message.Message):
    __slots__ = ("namespace", "integration_id", "model_id")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    model_id: str
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ..., model_id: _Optional[str] = ...) -> None: ...

class DeleteModelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UnloadModelRequest(_message.Message):
    __slots__ = ("namespace", "integration_id", "model_id")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    model_id: str
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ..., model_id: _Optional[str] = ...) -> None: ...

class UnloadModelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ClassifyRequest(_message.Message):
    __slots__ = ("namespace", "integration_id", "model_id", "examples")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    model_id: str
    examples: _containers.RepeatedCompositeFieldContainer[_service_pb2.Example]
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ..., model_id: _Optional[str] = ..., examples: _Optional[_Iterable[_Union[_service_pb2.Example, _Mapping]]] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("predictions",)
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    predictions: _containers.RepeatedCompositeFieldContainer[_service_pb2.Predictions]
    def __init__(self, predictions: _Optional[_Iterable[_Union[_service_pb2.Predictions, _Mapping]]] = ...) -> None: ...

class EmbedRequest(_message.Message):
    __slots__ = ("namespace", "integration_id", "model_id", "examples")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    integration_id: str
    model_id: str
    examples: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, namespace: _Optional[str] = ..., integration_id: _Optional[str] = ..., model_id: _Optional[str] = ..., examples: _Optional[_Iterable[str]] = ...) -> None: ...

class EmbedResponse(_message.Message):
    __slots__ = ("data", "shape")
    DATA_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedScalarFieldContainer[float]
    shape: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, data: _Optional[_Iterable[float]] = ..., shape: _Optional[_Iterable[int]] = ...) -> None: ...
