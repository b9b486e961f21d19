"""Typed format extensions: what one format needs and the model's neutral fields cannot express.

Model objects carry them as typed fields (``Workspace.clu``, ``Entity.clu``, ``Intent.clu``, ``Example.clu``,
``Intent.implicit``, the ``shape`` of HF objects); the readers build them (checked, at the boundary) and the writers
use them as they are. They are frozen: objects without extensions share ``None``, objects with the same HF shape
share one instance (:func:`hf_shape`).

* CLU details HF JSON cannot express (:class:`CluProject`, :class:`CluEntity`, :class:`CluItem`). The parts CLU
  documents but hfx does not interpret (``multilingual``, ``settings``, components of unusual shapes, unknown keys)
  are JSON values kept verbatim, so the way back gives CLU exactly what it gave.
* How an HF object was written (:class:`HfShape`), so the HF writer gives the same bytes back; never written.

HF JSON carries the CLU details and hfx's own marks under one metadata key, ``hfx`` (see docs/formats.md and
:mod:`hfx.formats.clu_extensions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

#: A JSON value as parsed (object, array, string, number, boolean or null).
Json = Any
JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CluProject:
    """A CLU project's details beyond name, description and language (``None``: not recorded)."""

    #: ``metadata.projectKind`` as written (older exports: ``conversation``); ``None``: not recorded (Conversation).
    project_kind: str | None = None
    #: The file version, and the key that held it: ``projectFileVersion`` or (older files) ``api-version``.
    file_version: str | None = None
    file_version_key: str = "projectFileVersion"
    #: ``assets.projectKind`` when it is a string (an explicit null travels in :attr:`assets`).
    assets_project_kind: str | None = None
    #: ``metadata`` keys kept verbatim, in their order: ``multilingual``, ``settings`` and unknown keys.
    metadata: JsonObject | None = None
    #: Unknown keys of ``assets`` and of the project file's root, verbatim.
    assets: JsonObject | None = None
    root: JsonObject | None = None


@dataclass(frozen=True, slots=True)
class CluEntity:
    """A CLU entity's details (the components are kept verbatim when the entity's HF kind cannot carry them)."""

    #: ``compositionSetting``; ``None``: the CLU entity had none (none is written back).
    composition_setting: str | None = None
    #: The ``list``, ``prebuilts``, ``regex`` and ``requiredComponents`` components, verbatim (``None``: absent or
    #: carried by the entity's values / system type).
    list: Json = None
    prebuilts: Json = None
    regex: Json = None
    required_components: Json = None
    #: Unknown keys of the CLU entity, verbatim.
    extra: JsonObject | None = None
    #: Labelled in utterances but not declared in the project (declared on the way back).
    undeclared: bool = False


@dataclass(frozen=True, slots=True)
class CluItem:
    """A CLU intent's or utterance's unknown keys, verbatim."""

    extra: JsonObject


@dataclass(frozen=True, slots=True)
class HfShape:
    """How an HF object was written, for the same bytes back (hfx's own bookkeeping: never written)."""

    #: Read without ``created_at``/``updated_at``: the writer adds none.
    untimed: bool = False
    #: An annotated example read without ``parts``: the writer adds none.
    no_parts: bool = False
    #: An entity value read without ``key_value``.
    no_key_value: bool = False
    #: An entity read with ``"is_regex": false``.
    is_regex_false: bool = False


@cache
def hf_shape(
    untimed: bool = False, no_parts: bool = False, no_key_value: bool = False, is_regex_false: bool = False
) -> HfShape | None:
    """The shared :class:`HfShape` with these flags (``None`` when none is set: the plain shape)."""
    if not (untimed or no_parts or no_key_value or is_regex_false):
        return None
    return HfShape(untimed, no_parts, no_key_value, is_regex_false)


def as_json(value: Any) -> Json:
    """A typed extension as plain JSON (the fields that are set, by name), for reports such as a diff."""
    if value is None or isinstance(value, (bool, str)):
        return value
    return {f: v for f in value.__slots__ if (v := getattr(value, f)) is not None and v is not False}
