"""CLU details HF JSON cannot express, carried in HF metadata under ``clu.*`` (one home for their shapes).

The CLU reader stores them as compact JSON strings (HF metadata is ``str -> str``); the HF reader checks
them once, at the boundary (:func:`check_metadata`), so a hand-edited ``"clu.list": "{not json"`` is an
:class:`~hfx.errors.InputError` naming the file and its JSON pointer rather than a traceback in the CLU
writer, which reads them back only through :func:`extension`.
"""

from __future__ import annotations

from typing import Any

from hfx.errors import InputError, json_kind, pointer, show
from hfx.formats.jsontext import parse_json

#: Metadata keys holding JSON, and the JSON type each must have (``None`` = any JSON value).
#: Keys whose value is merged into a CLU object (``extra*``) must hold an object.
JSON_KEYS: dict[str, type | None] = {
    "clu.multilingual": None,  # metadata.multilingual
    "clu.settings": None,  # metadata.settings (confidenceThreshold, ...)
    "clu.extra.metadata": dict,  # unknown keys of the project metadata, verbatim
    "clu.extra.assets": dict,  # unknown keys of assets, verbatim
    "clu.extra.root": dict,  # unknown top-level keys, verbatim
    "clu.extra": dict,  # unknown keys of an intent, entity or utterance, verbatim
    "clu.list": None,  # an entity's list component when HF values cannot carry it
    "clu.prebuilts": None,  # an entity's prebuilt components
    "clu.regex": None,  # an entity's regex component when HF values cannot carry it
    "clu.requiredComponents": None,  # an entity's required components
}


def _parse(text: str, kind: type | None) -> tuple[Any, str | None]:
    """The JSON value of ``text`` and ``None``, or ``None`` and what is wrong with it (hfx's JSON rules: no
    ``NaN``, no integer beyond 64 bits, bounded nesting)."""
    try:
        value = parse_json(text)
    except InputError as exc:
        return None, f"expected JSON text (a CLU detail kept by hfx), found {show(text, 40)}: {exc.message}"
    if kind is not None and not isinstance(value, kind):
        found = json_kind(value)
        return None, f"expected JSON text holding {json_kind(kind())} (a CLU detail kept by hfx), found {found}"
    return value, None


def check_metadata(metadata: dict[str, str], source: str, *path: str | int) -> None:
    """Raise :class:`InputError` at ``<path>/metadata/<key>`` for a ``clu.*`` value that is not its JSON shape."""
    for key, kind in JSON_KEYS.items():
        text = metadata.get(key)
        if text is None:
            continue
        _, problem = _parse(text, kind)
        if problem is not None:
            raise InputError(problem, source=source, pointer=pointer(*path, "metadata", key))


def extension(metadata: dict[str, str], key: str, ptr: str = "") -> Any:
    """The parsed value of the ``clu.*`` JSON metadata ``key`` (checked: a workspace built in memory may
    hold a bad one too; the error then names ``ptr``)."""
    value, problem = _parse(metadata[key], JSON_KEYS[key])
    if problem is not None:
        raise InputError(problem, pointer=f"{ptr}/metadata/{key}")
    return value
