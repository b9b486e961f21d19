from hfx.proto.tags import tags_pb2 as _tags_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IntentsDataFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTENTS_FORMAT_INVALID: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_CSV_SIMPLE_INTENTS: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_RASA_MARKDOWN: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_BOTPRESS_JSON: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_RASA_YAML: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_DIALOGFLOW_ES_AGENT: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_TXT_PHRASES: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_HF_JSON: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_COGNIGY_JSON: _ClassVar[IntentsDataFormat]
    INTENTS_FORMAT_DIALOGFLOW_CX_AGENT: _ClassVar[IntentsDataFormat]
INTENTS_FORMAT_INVALID: IntentsDataFormat
INTENTS_FORMAT_CSV_SIMPLE_INTENTS: IntentsDataFormat
INTENTS_FORMAT_RASA_MARKDOWN: IntentsDataFormat
INTENTS_FORMAT_BOTPRESS_JSON: IntentsDataFormat
INTENTS_FORMAT_RASA_YAML: IntentsDataFormat
INTENTS_FORMAT_DIALOGFLOW_ES_AGENT: IntentsDataFormat
INTENTS_FORMAT_TXT_PHRASES: IntentsDataFormat
INTENTS_FORMAT_HF_JSON: IntentsDataFormat
INTENTS_FORMAT_COGNIGY_JSON: IntentsDataFormat
INTENTS_FORMAT_DIALOGFLOW_CX_AGENT: IntentsDataFormat

class IntentsDataOptions(_message.Message):
    __slots__ = ("hierarchical_intent_name_disabled", "hierarchical_delimiter", "zip_encoding", "hierarchical_follow_up", "include_negative_phrases", "gzip_encoding", "intent_tag_predicate", "phrase_tag_predicate", "skip_empty_intents")
    HIERARCHICAL_INTENT_NAME_DISABLED_FIELD_NUMBER: _ClassVar[int]
    HIERARCHICAL_DELIMITER_FIELD_NUMBER: _ClassVar[int]
    ZIP_ENCODING_FIELD_NUMBER: _ClassVar[int]
    HIERARCHICAL_FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_NEGATIVE_PHRASES_FIELD_NUMBER: _ClassVar[int]
    GZIP_ENCODING_FIELD_NUMBER: _ClassVar[int]
    INTENT_TAG_PREDICATE_FIELD_NUMBER: _ClassVar[int]
    PHRASE_TAG_PREDICATE_FIELD_NUMBER: _ClassVar[int]
    SKIP_EMPTY_INTENTS_FIELD_NUMBER: _ClassVar[int]
    hierarchical_intent_name_disabled: bool
    hierarchical_delimiter: str
    zip_encoding: bool
    hierarchical_follow_up: bool
    include_negative_phrases: bool
    gzip_encoding: bool
    intent_tag_predicate: _tags_pb2.TagPredicate
    phrase_tag_predicate: _tags_pb2.TagPredicate
    skip_empty_intents: bool
    def __init__(self, hierarchical_intent_name_disabled: _Optional[bool] = ..., hierarchical_delimiter: _Optional[str] = ..., zip_encoding: _Optional[bool] = ..., hierarchical_follow_up: _Optional[bool] = ..., include_negative_phrases: _Optional[bool] = ..., gzip_encoding: _Optional[bool] = ..., intent_tag_predicate: _Optional[_Union[_tags_pb2.TagPredicate, _Mapping]] = ..., phrase_tag_predicate: _Optional[_Union[_tags_pb2.TagPredicate, _Mapping]] = ..., skip_empty_intents: _Optional[bool] = ...) -> None: ...

class ImportOptions(_message.Message):
    __slots__ = ("clear_intents", "clear_entities", "clear_tags", "merge_intents", "merge_entities", "merge_tags", "extra_intent_tags", "extra_phrase_tags", "override_metadata", "override_name")
    CLEAR_INTENTS_FIELD_NUMBER: _ClassVar[int]
    CLEAR_ENTITIES_FIELD_NUMBER: _ClassVar[int]
    CLEAR_TAGS_FIELD_NUMBER: _ClassVar[int]
    MERGE_INTENTS_FIELD_NUMBER: _ClassVar[int]
    MERGE_ENTITIES_FIELD_NUMBER: _ClassVar[int]
    MERGE_TAGS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_INTENT_TAGS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_PHRASE_TAGS_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_METADATA_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_NAME_FIELD_NUMBER: _ClassVar[int]
    clear_intents: bool
    clear_entities: bool
    clear_tags: bool
    merge_intents: bool
    merge_entities: bool
    merge_tags: bool
    extra_intent_tags: _containers.RepeatedCompositeFieldContainer[_tags_pb2.TagReference]
    extra_phrase_tags: _containers.RepeatedCompositeFieldContainer[_tags_pb2.TagReference]
    override_metadata: bool
    override_name: bool
    def __init__(self, clear_intents: _Optional[bool] = ..., clear_entities: _Optional[bool] = ..., clear_tags: _Optional[bool] = ..., merge_intents: _Optional[bool] = ..., merge_entities: _Optional[bool] = ..., merge_tags: _Optional[bool] = ..., extra_intent_tags: _Optional[_Iterable[_Union[_tags_pb2.TagReference, _Mapping]]] = ..., extra_phrase_tags: _Optional[_Iterable[_Union[_tags_pb2.TagReference, _Mapping]]] = ..., override_metadata: _Optional[bool] = ..., override_name: _Optional[bool] = ...) -> None: ...
