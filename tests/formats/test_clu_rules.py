"""CLU's project-file rules have one implementation: ``hfx validate`` and the CLU emulator find the same defects
at the same places."""

from __future__ import annotations

import copy
from typing import Any

from hfx.clu.emulator_model import content_problems
from hfx.formats.clu_rules import check_assets, over_limits
from hfx.ops.validate import validate_obj


def project() -> dict[str, Any]:
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": "P", "language": "en-us"},
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": "Greet"}, {"category": "Book"}],
            "entities": [{"category": "City"}],
            "utterances": [
                {"text": "hi", "intent": "Greet", "language": "en-us", "dataset": "Train"},
                {
                    "text": "😀 to Paris",
                    "intent": "Book",
                    "language": "en-us",
                    "dataset": "Train",
                    "entities": [{"category": "City", "offset": 6, "length": 5}],
                },
            ],
        },
    }


def defective() -> dict[str, Any]:
    obj = project()
    assets = obj["assets"]
    assets["intents"] += [{"category": "a/b"}, {"category": "x" * 51}, {"category": "Greet"}]
    assets["entities"].append({"category": "Many", "prebuilts": [{"category": "DateTime"}] * 8})
    utterances = assets["utterances"]
    utterances[0]["intent"] = "Nope"
    utterances[1]["entities"] += [
        {"category": "Town", "offset": 0, "length": 2},
        {"category": "City", "offset": 1, "length": 2},
        {"category": "City", "offset": 9, "length": 5},
    ]
    utterances.append({"text": "z" * 501, "intent": "Book", "dataset": "Dev"})
    return obj


def validate_errors(obj: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f.code, f.pointer) for f in validate_obj(copy.deepcopy(obj))[1] if f.severity == "error"}


def test_a_clean_project_is_clean_for_both() -> None:
    obj = project()
    assert validate_errors(obj) == set()
    assert content_problems(obj["assets"]) == []


def test_validate_and_the_emulator_find_the_same_defects_at_the_same_places() -> None:
    obj = defective()
    found = validate_errors(obj)
    assert {code for code, _ in found} == {
        "CLU001",
        "CLU002",
        "CLU003",
        "CLU004",
        "CLU006",
        "CLU007",
        "CLU008",
        "CLU010",
    }
    problems = content_problems(obj["assets"])
    assert {p.target for p in problems} == {"#" + ptr for _, ptr in found}
    quota = {p.target for p in problems if p.code == "QuotaExceeded"}
    assert quota == {"#/assets/entities/1/prebuilts"}  # the per-entity limit; a long text is InvalidArgument
    assert ("CLU006", "/assets/utterances/2/text") in found


def test_stricter_checks_are_validate_only() -> None:
    obj = project()
    utterances = obj["assets"]["utterances"]
    utterances.append(dict(utterances[0]))  # a duplicate utterance: CLU005
    utterances[1]["language"] = "xx-yy"  # CLU009 (a warning)
    obj["assets"]["entities"][0]["list"] = {
        "sublists": [{"listKey": "k", "synonyms": []}, {"listKey": "k", "synonyms": []}]  # CLU011
    }
    codes = {v.code for v in check_assets(obj["assets"], "en-us")}
    assert {"CLU005", "CLU009", "CLU011"} <= codes
    assert content_problems(obj["assets"]) == []


def test_shape_problems_are_the_emulators_and_the_schemas() -> None:
    obj = project()
    obj["assets"]["utterances"][1]["entities"][0]["length"] = 0
    obj["assets"]["entities"][0]["regex"] = {"expressions": [{"regexKey": "k", "regexPattern": "("}]}
    shapes = [v for v in check_assets(obj["assets"]) if v.code == "CLU000"]
    assert [v.pointer for v in shapes] == [
        "/assets/entities/0/regex/expressions/0/regexPattern",
        "/assets/utterances/1/entities/0/length",
    ]
    assert [p.target for p in content_problems(obj["assets"])] == ["#" + v.pointer for v in shapes]


def test_limits_are_counted_against_each_documented_limit() -> None:
    counts = [("intents", 500, "/i"), ("entities", 351, "/e"), ("regex", 21, "/r"), ("utterances", 50_000, "/u")]
    assert [(v.pointer, v.message) for v in over_limits(counts)] == [
        ("/e", "351 entities; CLU allows at most 350 per project"),
        ("/r", "21 regular expressions; CLU allows at most 20 per project"),
    ]
