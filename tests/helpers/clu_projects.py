"""CLU project files shared by the round-trip and robustness tests: a rich project and the documented
normalizations a round trip may apply."""

from __future__ import annotations

import copy
from typing import Any

from hfx.formats.clu_names import project_name
from hfx.offsets import span_to_utf16


def normalized(project: dict[str, Any]) -> dict[str, Any]:
    """The documented normalizations: missing ``dataset`` -> Train, missing utterance ``language`` ->
    the project language, missing ``stringIndexType`` -> Utf16CodeUnit, missing file version ->
    ``projectFileVersion`` 2023-04-01, missing ``projectKind`` -> Conversation, a
    ``projectName`` CLU would reject -> a valid one (``hfx_project`` when missing), missing asset and label
    lists (or ``assets: null``) -> []."""
    out = copy.deepcopy(project)
    out.setdefault("stringIndexType", "Utf16CodeUnit")
    if "projectFileVersion" not in out and "api-version" not in out:
        out["projectFileVersion"] = "2023-04-01"
    out["metadata"].setdefault("projectKind", "Conversation")
    out["metadata"]["projectName"] = project_name(out["metadata"].get("projectName") or "hfx_project")
    if out.get("assets") is None:
        out["assets"] = {}
    for key in ("intents", "entities", "utterances"):
        out["assets"].setdefault(key, [])
    language = out["metadata"]["language"]
    for utt in out["assets"].get("utterances", []):
        if utt.get("dataset") is None:
            utt["dataset"] = "Train"
        if utt.get("language") is None:
            utt["language"] = language
        if utt.get("entities") is None:
            utt["entities"] = []
    return out


def labelled(text: str, intent: str, labels: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    """An utterance whose labels are given as (entity, surface text); offsets computed in UTF-16 units."""
    entities = []
    for category, surface in labels:
        start = text.index(surface)
        offset, length = span_to_utf16(text, start, start + len(surface))
        entities.append({"category": category, "offset": offset, "length": length})
    return {"text": text, "intent": intent, **extra, "entities": entities}


def rich_project() -> dict[str, Any]:
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {
            "projectKind": "Conversation",
            "projectName": "Rich",
            "description": "every construct",
            "language": "en-us",
            "multilingual": True,
            "settings": {"confidenceThreshold": 0.4, "normalizeCasing": True},
            "futureMetadataKey": {"nested": [1, 2]},
        },
        "assets": {
            "projectKind": "Conversation",
            "intents": [
                {"category": "travel---book---flight"},  # child declared before its parents
                {"category": "travel"},
                {"category": "travel---book"},
                {"category": "Empty"},  # no utterances
                {"category": "None", "description": "unknown intent key kept"},
                {"category": "greet"},
            ],
            "entities": [
                {
                    "category": "City",
                    "compositionSetting": "combineComponents",
                    "list": {
                        "sublists": [
                            {
                                "listKey": "Beijing",
                                "synonyms": [
                                    {"language": "en-us", "values": ["Beijing", "Peking"]},
                                    {"language": "zh-hans", "values": ["北京"]},
                                    {"language": "fr-fr", "values": ["Pékin"]},
                                ],
                            },
                            {
                                "listKey": "Zürich",
                                "synonyms": [
                                    {"language": "en-us", "values": ["Zurich", "Zürich"]},
                                    {"language": "de-de", "values": ["Zürich", "ZH"]},
                                ],
                            },
                            {"listKey": "Nowhere", "synonyms": []},
                        ]
                    },
                    "requiredComponents": ["list"],
                },
                {
                    "category": "Code",
                    "compositionSetting": "separateComponents",
                    "list": {"sublists": [{"listKey": "vip", "synonyms": [{"language": "en-us", "values": ["VIP1"]}]}]},
                    "regex": {
                        "expressions": [
                            {"regexKey": "ticket", "language": "en-us", "regexPattern": "[A-Z]{3}\\d{4}"},
                            {"regexKey": "ticket", "language": "de-de", "regexPattern": "T-\\d+"},
                        ]
                    },
                    "prebuilts": [{"category": "Quantity.Number"}],
                    "requiredComponents": ["regex", "learned"],
                },
                {
                    "category": "Ticket",
                    "compositionSetting": "returnLongestOverlap",
                    "regex": {"expressions": [{"regexKey": "k", "language": "en-us", "regexPattern": "\\d{6}"}]},
                },
                {
                    "category": "Who",
                    "compositionSetting": "requireExactOverlap",
                    "prebuilts": [{"category": "Person.Name"}],
                },
                {"category": "When", "compositionSetting": "returnUnion", "prebuilts": [{"category": "DateTime"}]},
                {"category": "Amount", "prebuilts": [{"category": "Quantity.Number"}]},
                {"category": "Mail", "compositionSetting": "combineComponents", "prebuilts": [{"category": "Email"}]},
                {
                    "category": "Phone",
                    "compositionSetting": "combineComponents",
                    "prebuilts": [{"category": "Phone Number"}],
                },
                {"category": "Link", "compositionSetting": "combineComponents", "prebuilts": [{"category": "URL"}]},
                {
                    "category": "Dates",
                    "compositionSetting": "combineComponents",
                    "prebuilts": [{"category": "DateTime"}, {"category": "General.Event"}],
                },
                {
                    "category": "Airline",
                    "compositionSetting": "combineComponents",
                    "list": {
                        "sublists": [{"listKey": "LH", "synonyms": [{"language": "en-us", "values": ["Lufthansa"]}]}]
                    },
                    "prebuilts": [{"category": "General.Organization"}],
                },
                {
                    "category": "Size",
                    "compositionSetting": "combineComponents",
                    "list": {"sublists": [{"listKey": "big", "synonyms": [{"language": "en-us", "values": ["big"]}]}]},
                    "prebuilts": [{"category": "Quantity.Number"}],
                },
                {"category": "free.text", "compositionSetting": "combineComponents", "futureEntityKey": True},
                {"category": "bare"},
            ],
            "utterances": [
                labelled(
                    "😀😀 fly to 北京 on Monday",
                    "travel---book---flight",
                    [("City", "北京"), ("When", "Monday")],
                    language="en-us",
                    dataset="Train",
                ),
                labelled(
                    "我想去北京 😀 with Lufthansa",
                    "travel---book---flight",
                    [("City", "北京"), ("Airline", "Lufthansa")],
                    language="zh-hans",
                    dataset="Test",
                ),
                labelled(
                    "👩‍👩‍👧 nach Zürich, Ticket T-99",
                    "travel---book",
                    [("City", "Zürich"), ("Code", "T-99")],
                    language="de-de",
                    dataset="Train",
                ),
                labelled("réserver pour Pékin 🇫🇷", "travel", [("City", "Pékin")], language="fr-fr"),
                labelled(
                    "mail a@b.c or call +1 555 0100 at https://x.y",
                    "greet",
                    [("Mail", "a@b.c"), ("Phone", "+1 555 0100"), ("Link", "https://x.y")],
                    dataset="Test",
                ),
                labelled(
                    "Ask 𝄞 Alice about 3 big VIP1 ABC1234 123456",
                    "None",
                    [
                        ("Who", "Alice"),
                        ("Amount", "3"),
                        ("Size", "big"),
                        ("Code", "VIP1"),
                        ("Code", "ABC1234"),
                        ("Ticket", "123456"),
                        ("free.text", "about"),
                    ],
                    language="en-us",
                    dataset="Train",
                    futureUtteranceKey="kept",
                ),
                labelled(
                    "e\u0301te\u0301 fe\u0302te on Christmas", "None", [("Dates", "Christmas"), ("bare", "fe\u0302te")]
                ),
                {"text": "hello", "intent": "greet", "language": "en-us", "dataset": "Train", "entities": []},
                {"text": "hello", "intent": "greet", "language": "de-de", "dataset": "Train", "entities": []},
            ],
            "futureAssetsKey": [],
        },
        "futureRootKey": "x",
    }
