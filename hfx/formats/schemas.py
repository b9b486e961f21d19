"""Structural checks of HF JSON and CLU project files against the shipped JSON Schemas (draft 2020-12).

The schemas live in ``hfx/schemas/`` (package data; the repository's top-level ``schemas/`` points there).
They describe structure only and allow unknown keys everywhere; meaning (references, spans inside the
text, CLU naming rules) is checked by the readers.

A document is first checked by a compiled validator (``jsonschema-rs``, some 200 times faster); only a document
it rejects goes through ``jsonschema``, which explains every error (the findings and pointers users see). Both
are imported lazily so that importing this module (and CLI start-up) stays cheap.
"""

from __future__ import annotations

import json
import pkgutil
from functools import cache
from typing import Any, Literal

from hfx.errors import InputError, pointer

Kind = Literal["hf", "clu"]

SCHEMA_FILES: dict[str, str] = {
    "hf": "hf-workspace.schema.json",
    "clu": "clu-project.schema.json",
}

_REPR_LIMIT = 60


def _schema_file(kind: str) -> str:
    try:
        return SCHEMA_FILES[kind]
    except KeyError:
        raise ValueError(f"unknown schema kind {kind!r} (expected one of {sorted(SCHEMA_FILES)})") from None


@cache
def _schema_text(kind: str) -> str:
    # package data through the package's loader (importlib.resources would import zipfile: 5 ms of start-up)
    data = pkgutil.get_data("hfx", f"schemas/{_schema_file(kind)}")
    if data is None:  # a loader that cannot read package data (no way pip installs hfx)
        raise RuntimeError(f"cannot read hfx/schemas/{_schema_file(kind)}")
    return data.decode("utf-8")


def load_schema(kind: Kind) -> dict[str, Any]:
    """The schema of ``kind`` (``"hf"`` or ``"clu"``) as shipped in the package (a fresh copy each call)."""
    return json.loads(_schema_text(kind))


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace local ``#/$defs/...`` references by their targets (about 2x faster validation).

    Error locations do not change: they are paths into the instance, not into the schema. Cyclic references
    are left as ``$ref`` (``$defs`` is kept so they still resolve).
    """
    defs = schema.get("$defs", {})

    def inline(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs and ref[8:] not in stack:
            name = ref[8:]
            target = inline(defs[name], (*stack, name))
            rest = {k: inline(v, stack) for k, v in node.items() if k != "$ref"}
            return {**rest, "allOf": [target]} if rest else target
        return {k: inline(v, stack) if k != "$defs" else v for k, v in node.items()}

    return inline(schema, ())


@cache
def _validator(kind: Kind) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inline_refs(load_schema(kind)))


@cache
def _fast_validator(kind: Kind) -> Any:
    from jsonschema_rs import Draft202012Validator

    # ``format`` is an annotation here, as in jsonschema's default validator
    return Draft202012Validator(load_schema(kind), validate_formats=False)


def _passes(obj: Any, kind: str, definition: str | None = None) -> bool:
    """Whether the compiled validator (of the whole ``kind`` schema, or of one ``definition``) accepts ``obj``;
    anything it cannot take (an integer beyond 64 bits, say) counts as a rejection, so that ``jsonschema``
    decides."""
    try:
        validator = _fast_validator(kind) if definition is None else _fast_part_validator(kind, definition)
        return bool(validator.is_valid(obj))
    except Exception:  # any trouble in the fast path only means "ask jsonschema"
        return False


def _short(value: Any) -> str:
    """A short JSON rendering of a value; objects and arrays are named, never dumped."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (dict, "object"),
    (list, "array"),
    (type(None), "null"),
)


def _json_type(value: Any) -> str:
    for py, name in _JSON_TYPES:
        if isinstance(value, py):
            return name
    return type(value).__name__


def _describe(error: Any) -> tuple[list[str | int], str]:
    """Location (instance path parts) and a short message that never dumps a whole object."""
    path: list[str | int] = list(error.absolute_path)
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        missing = [name for name in expected if isinstance(instance, dict) and name not in instance]
        name = next((m for m in missing if error.message.startswith(repr(m))), missing[0] if missing else "?")
        return [*path, name], "required key is missing"
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        got = _json_type(instance)
        if got not in ("object", "array", "null"):
            got += " " + _short(instance)
        return path, f"expected {wanted}, got {got}"
    if keyword == "enum":
        return path, f"{_short(instance)} is not one of {', '.join(_short(v) for v in expected)}"
    if keyword == "anyOf" and all(set(sub) == {"required"} for sub in expected):
        keys = [key for sub in expected for key in sub["required"]]
        return path, "needs one of the keys " + ", ".join(repr(k) for k in keys)
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "less than the minimum",
            "maximum": "greater than the maximum",
            "exclusiveMinimum": "not greater than",
            "exclusiveMaximum": "not less than",
        }
        return path, f"{_short(instance)} is {words[keyword]} {expected}"
    if keyword in ("anyOf", "oneOf", "allOf"):
        return path, f"{_json_type(instance)} does not match the expected shape"
    message = error.message
    return path, message if len(message) <= 200 else message[:197] + "..."


def _document_order(obj: Any, parts: list[str | int]) -> tuple[tuple[int, str], ...]:
    """Sort key placing a location where it appears in the document (missing keys after their siblings)."""
    key: list[tuple[int, str]] = []
    node = obj
    for part in parts:
        if isinstance(node, dict):
            keys = list(node)
            key.append((keys.index(part), "") if part in node else (len(keys), str(part)))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            key.append((part, ""))
            node = node[part]
        else:
            key.append((0, str(part)))
            node = None
    return tuple(key)


def _all_errors(obj: Any, kind: str) -> list[tuple[str, str]]:
    _schema_file(kind)  # an unknown kind is a ValueError in both paths
    if _passes(obj, kind):
        return []
    described = [_describe(e) for e in _validator(kind).iter_errors(obj)]
    described.sort(key=lambda item: (_document_order(obj, item[0]), item[1]))
    seen: set[tuple[str, str]] = set()
    result: list[tuple[str, str]] = []
    for parts, message in described:
        item = (pointer(*parts), message)
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


def schema_errors(obj: Any, kind: Kind, *, limit: int | None = 100) -> list[tuple[str, str]]:
    """Structural errors of ``obj`` against the ``kind`` schema as (RFC 6901 JSON pointer, message).

    Sorted in document order (a missing key after its present siblings), then by message; at most ``limit`` items
    (``None`` = all). An empty list means the structure is valid.
    """
    errors = _all_errors(obj, kind)
    return errors if limit is None else errors[:limit]


def _part_schema(kind: Kind, definition: str) -> dict[str, Any]:
    schema = load_schema(kind)
    part = dict(schema["$defs"][definition])
    part.pop("required", None)  # a part is checked for the shape of what it has, not for completeness
    return {"$defs": schema["$defs"], **part}


@cache
def _part_validator(kind: Kind, definition: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inline_refs(_part_schema(kind, definition)))


@cache
def _fast_part_validator(kind: Kind, definition: str) -> Any:
    from jsonschema_rs import Draft202012Validator

    return Draft202012Validator(_part_schema(kind, definition), validate_formats=False)


def part_errors(obj: Any, kind: Kind, definition: str) -> list[tuple[str, str]]:
    """Structural errors of ``obj`` against one definition (``$defs/<definition>``) of the ``kind`` schema,
    without its required keys: a cheap check of the parts a reader keeps verbatim. Like :func:`schema_errors`,
    the compiled validator clears a part that passes; ``jsonschema`` (slow to import) only explains one that
    does not."""
    if _passes(obj, kind, definition):
        return []
    return [
        (pointer(*parts), message)
        for parts, message in map(_describe, _part_validator(kind, definition).iter_errors(obj))
    ]


def check_schema(obj: Any, kind: Kind, source: str = "<input>") -> None:
    """Raise :class:`InputError` (naming ``source`` and the JSON pointer) for the first structural error."""
    errors = _all_errors(obj, kind)
    if not errors:
        return
    where, message = errors[0]
    what = "HF JSON workspace" if kind == "hf" else "CLU project"
    text = f"not a valid {what}: {message}"
    if len(errors) > 1:
        more = len(errors) - 1
        text += f" (and {more} more schema error{'s' if more > 1 else ''})"
    raise InputError(text, source=source, pointer=where)
