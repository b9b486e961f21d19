"""CLU details HF JSON cannot express, carried in HF metadata under ``clu.*`` (one home for their shapes).

The CLU reader stores them as compact JSON strings (HF metadata is ``str -> str``); the HF reader checks
them once, at the boundary (:func:`check_metadata`), so a hand-edited ``"clu.list": "{not json"`` is an
:class:`~hfx.errors.InputError` naming the file and its JSON pointer rather than a traceback in the CLU
writer, which reads them back only through :func:`extension`.
"""

from __future__ import annotations

import json
from typing import Any

from hfx.errors import InputError, pointer

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

_TYPE_NAMES: dict[type, str] = {dict: "an object", list: "an array"}


def _problem(text: str, kind: type | None) -> str | None:
    try:
        value = json.loads(text)
    except ValueError as exc:
        return f"expected a JSON text (a CLU detail kept by hfx), found {text[:40]!r}: {exc}"
    if kind is not None and not isinstance(value, kind):
        return f"expected a JSON text holding {_TYPE_NAMES.get(kind, kind.__name__)} (a CLU detail kept by hfx)"
    return None


def check_metadata(metadata: dict[str, str], source: str, *path: str | int) -> None:
    """Raise :class:`InputError` at ``<path>/metadata/<key>`` for a ``clu.*`` value that is not its JSON shape."""
    for key, kind in JSON_KEYS.items():
        text = metadata.get(key)
        if text is None:
            continue
        problem = _problem(text, kind)
        if problem is not None:
            raise InputError(problem, source=source, pointer=pointer(*path, "metadata", key))


def extension(metadata: dict[str, str], key: str, ptr: str = "") -> Any:
    """The parsed value of the ``clu.*`` JSON metadata ``key`` (checked: a workspace built in memory may
    hold a bad one too; the error then names ``ptr``)."""
    text = metadata[key]
    problem = _problem(text, JSON_KEYS[key])
    if problem is not None:
        raise InputError(problem, pointer=f"{ptr}/metadata/{key}")
    return json.loads(text)
