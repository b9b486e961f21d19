from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class TagPredicate(_message.Message):
    __slots__ = ("require_ids", "exclude_ids", "include_ids")
    REQUIRE_IDS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_IDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_IDS_FIELD_NUMBER: _ClassVar[int]
    require_ids: _containers.RepeatedScalarFieldContainer[str]
    exclude_ids: _containers.RepeatedScalarFieldContainer[str]
    include_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, require_ids: _Optional[_Iterable[str]] = ..., exclude_ids: _Optional[_Iterable[str]] = ..., include_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class TagReference(_message.Message):
    __slots__ = ("id", "name", "protected")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    protected: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., protected: _Optional[bool] = ...) -> None: ...
