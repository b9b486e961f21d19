"""An import is checked a part of its examples at a time: the same verdict, the same errors (message and JSON
pointer) and the same workspace name as reading it whole."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hfx.backends import payload
from hfx.backends.base import DataOptions, InvalidInput
from hfx.backends.payload import check_hf_payload, read_hf_payload


def _workspace(n: int = 60) -> dict[str, Any]:
    return {
        "name": "parts",
        "description": "checked in parts",
        "intents": [{"id": "i1", "name": "billing"}],
        "entities": [{"id": "e1", "name": "city", "values": [{"id": "v1", "key_value": "Paris"}]}],
        "examples": [
            {
                "id": f"x{i}",
                "text": f"to Paris {i} é😀",
                "intents": [{"intent_id": "i1"}],
                "entities": [
                    {
                        "entity_id": "e1",
                        "name": "city",
                        "text": "Paris",
                        "span": {"from_character": 3, "to_character": 8},
                    },
                ],
            }
            for i in range(n)
        ],
    }


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload, "PART_BYTES", 300)


def _both(doc: Any, indent: int | None = 2) -> tuple[Any, Any]:
    data = json.dumps(doc, indent=indent, ensure_ascii=False).encode()
    results = []
    for read in (check_hf_payload, read_hf_payload):
        try:
            got, ws = read(data, DataOptions())
            assert got == data
            results.append((ws.name, ws.description, [i.id for i in ws.intents]))
        except InvalidInput as exc:
            results.append((str(exc), exc.pointer))
    return results[0], results[1]


@pytest.mark.parametrize("indent", [2, None])
def test_a_good_workspace_gives_its_name(indent: int | None) -> None:
    parts, whole = _both(_workspace(), indent)
    assert parts == whole == ("parts", "checked in parts", ["i1"])
    data = json.dumps(_workspace(), indent=indent).encode()
    assert payload.parse_in_parts(data, "examples", payload.PART_BYTES)[1][5:]  # read in many parts, not whole
    _, ws = check_hf_payload(data, DataOptions())
    assert ws.examples == []  # a store that keeps the bytes needs no model of the examples


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["examples"][45].pop("id"),  # deep in the file, in a later part
        lambda d: d["examples"][50].update(id="x3"),  # the same id as an example of an earlier part
        lambda d: d["examples"][40]["entities"][0]["span"].update(to_character=99),
        lambda d: d["examples"][55]["intents"].append({"intent_id": 7}),
        lambda d: d.update(intents=[{"name": "no id"}]),
    ],
)
def test_a_bad_example_gives_the_same_error_and_pointer(spoil: Any) -> None:
    doc = _workspace()
    spoil(doc)
    parts, whole = _both(doc)
    assert parts == whole
    assert len(parts) == 2  # refused


def test_invalid_json_in_a_later_part_gives_the_same_error() -> None:
    data = json.dumps(_workspace(), indent=2).encode().replace(b'"x50"', b'"x50" x')
    errors = []
    for read in (check_hf_payload, read_hf_payload):
        with pytest.raises(InvalidInput) as info:
            read(data, DataOptions())
        errors.append(str(info.value))
    assert errors[0] == errors[1]
