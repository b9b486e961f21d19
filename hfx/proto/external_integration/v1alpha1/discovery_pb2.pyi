from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetCapabilitiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCapabilitiesResponse(_message.Message):
    __slots__ = ("supports_models", "supports_workspaces", "max_concurrent_models", "model_classification_batch_size")
    SUPPORTS_MODELS_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_MODELS_FIELD_NUMBER: _ClassVar[int]
    MODEL_CLASSIFICATION_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    supports_models: bool
    supports_workspaces: bool
    max_concurrent_models: int
    model_classification_batch_size: int
    def __init__(self, supports_models: _Optional[bool] = ..., supports_workspaces: _Optional[bool] = ..., max_concurrent_models: _Optional[int] = ..., model_classification_batch_size: _Optional[int] = ...) -> None: ...
