"""CLU -> HF JSON (as text) -> CLU loses nothing but the documented normalizations."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from clu_projects import normalized, rich_project
from corpora import corpus_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsondiff import json_diff

from hfx.formats.clu_json import (
    PREBUILT_TO_SYSTEM,
    CluReadOptions,
    CluWriteOptions,
    read_clu,
    write_clu,
)
from hfx.formats.hf_json import dumps_hf, loads_hf
from hfx.intent_paths import IMPLICIT_PARENT_KEY
from hfx.offsets import span_to_utf16

CLU_FILES = corpus_files("clu")


def via_hf(
    project: dict[str, Any], delimiter: str = "---", test_tags: tuple[str, ...] = ("Test",)
) -> tuple[dict[str, Any], bytes, Any]:
    """CLU -> model -> HF JSON bytes -> model -> CLU. Returns (project, hf bytes, read report)."""
    ws, read_report = read_clu(copy.deepcopy(project), options=CluReadOptions(delimiter, test_tags))
    assert not read_report.errors
    hf = dumps_hf(ws)
    back, report, renames = write_clu(loads_hf(hf), CluWriteOptions(delimiter=delimiter, test_tags=test_tags))
    assert not report.errors, report.errors
    assert not report.losses, report.losses
    assert renames == {}
    return back, hf, read_report


@pytest.mark.parametrize("path", CLU_FILES, ids=lambda p: p.name)
def test_corpus_round_trip_loses_nothing(path: Path) -> None:
    original = json.loads(path.read_bytes())
    back, _, read_report = via_hf(original)
    assert not (diff := json_diff(normalized(original), back)), "\n".join(diff)
    # Only the two documented normalizations may be reported.
    assert {i.code for i in read_report} <= {"CLU_DATASET_MISSING", "CLU_LANGUAGE_MISSING"}
    assert all(i.severity == "normalized" for i in read_report)


def test_rich_project_round_trip_loses_nothing() -> None:
    project = rich_project()
    back, hf, _ = via_hf(project)
    assert not (diff := json_diff(normalized(project), back)), "\n".join(diff)
    # The HF side carries the hierarchy, the test tag and the UTF-8 spans.
    doc = json.loads(hf)
    names = {i["id"]: i for i in doc["intents"]}
    flight = next(i for i in doc["intents"] if i["name"] == "flight")
    assert names[names[flight["parent_intent_id"]]["parent_intent_id"]]["name"] == "travel"
    assert "parent_intent_id" not in names[names[flight["parent_intent_id"]]["parent_intent_id"]]
    assert any(i["name"] == "Empty" for i in doc["intents"])
    (tag,) = doc["tags"]
    assert tag["name"] == "Test"
    tagged = [e["text"] for e in doc["examples"] if e.get("tags")]
    assert tagged == ["我想去北京 😀 with Lufthansa", "mail a@b.c or call +1 555 0100 at https://x.y"]
    first = doc["examples"][0]
    spans = {a["text"]: a["span"] for a in first["entities"]}
    assert spans["北京"] == {
        "from_character": len("😀😀 fly to ".encode()),
        "to_character": len("😀😀 fly to 北京".encode()),
    }
    systems = {e["name"]: e.get("system_type") for e in doc["entities"]}
    assert systems["When"] == "SYS_DATE_TIME" and systems["Mail"] == "SYS_EMAIL"
    assert systems["Phone"] == "SYS_PHONE_NUMBER" and systems["Link"] == "SYS_URL"
    assert systems["Amount"] == "SYS_NUMBER" and systems["Who"] is None


def test_round_trip_is_deterministic() -> None:
    project = rich_project()
    _, hf1, _ = via_hf(project)
    _, hf2, _ = via_hf(project)
    assert hf1 == hf2


def test_multilingual_list_values_keep_their_language_and_labels_their_value() -> None:
    ws, _ = read_clu(rich_project())
    city = next(e for e in ws.entities if e.name == "City")
    assert city.kind == "list"
    by_lang = {(v.key, v.language): [s.value for s in v.synonyms] for v in city.values}
    assert by_lang[("Beijing", None)] == ["Beijing", "Peking"]  # the project language
    assert by_lang[("Beijing", "zh-hans")] == ["北京"]
    assert by_lang[("Zürich", "de-de")] == ["Zürich", "ZH"]
    ex = next(e for e in ws.examples if e.text.startswith("我想去北京"))
    ann = ex.annotations[0]
    assert ex.text[ann.start : ann.end] == "北京"
    assert ann.value == "Beijing"
    assert ann.value_id == next(v.id for v in city.values if v.language == "zh-hans")


def test_every_mapped_prebuilt_becomes_its_system_type_and_comes_back() -> None:
    entities = [
        {"category": f"e{i}", "compositionSetting": "combineComponents", "prebuilts": [{"category": c}]}
        for i, c in enumerate(PREBUILT_TO_SYSTEM)
    ]
    project = {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {"projectKind": "Conversation", "intents": [], "entities": entities, "utterances": []},
    }
    ws, _ = read_clu(project)
    assert [(e.kind, e.system_type) for e in ws.entities] == [("system", s) for s in PREBUILT_TO_SYSTEM.values()]
    back, _, _ = via_hf(project)
    assert not (diff := json_diff(normalized(project), back)), "\n".join(diff)


def test_parent_declared_after_child_keeps_the_declaration_order() -> None:
    project = rich_project()
    ws, _ = read_clu(project)
    paths = ws.intent_paths()
    declared = [c["category"] for c in project["assets"]["intents"]]
    assert ["---".join(paths[i.id]) for i in ws.intents] == declared
    assert not any(IMPLICIT_PARENT_KEY in i.metadata for i in ws.intents)


def test_implicit_parents_are_not_added_to_clu() -> None:
    project = {
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {"intents": [{"category": "a---b---c"}], "utterances": [{"text": "x", "intent": "a---b---c"}]},
    }
    ws, _ = read_clu(project)
    assert [ws.intent_path(i.id) for i in ws.intents] == [("a",), ("a", "b"), ("a", "b", "c")]
    back, _, _ = via_hf(project)
    assert back["assets"]["intents"] == [{"category": "a---b---c"}]


def test_empty_delimiter_means_no_hierarchy() -> None:
    project = rich_project()
    ws, _ = read_clu(project, options=CluReadOptions(delimiter=""))
    assert all(i.parent_id is None for i in ws.intents)
    assert "travel---book---flight" in {i.name for i in ws.intents}
    back, _, _ = via_hf(project, delimiter="")
    assert not (diff := json_diff(normalized(project), back)), "\n".join(diff)


def test_custom_test_tag() -> None:
    project = rich_project()
    back, hf, _ = via_hf(project, test_tags=("blind-set",))
    assert [t["name"] for t in json.loads(hf)["tags"]] == ["blind-set"]
    assert not (diff := json_diff(normalized(project), back)), "\n".join(diff)


# -- generated projects ------------------------------------------------------------------------------

SCRIPTS = "abcxyz é©ßÆ中文日本語한국😀👍🏽🇫🇷𝄞שלוםمرحبا\u0301\u0308 "
words = st.text(alphabet=st.sampled_from(SCRIPTS), min_size=1, max_size=8).filter(lambda s: s.strip() == s != "")
name_chars = st.sampled_from("abcXYZ_-.é中😀 ")
names = st.text(alphabet=name_chars, min_size=1, max_size=10).filter(lambda s: s.strip() == s and "--" not in s)
languages = st.sampled_from(["en-us", "de-de", "zh-hans", "fr-fr"])


def _entity(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """One CLU entity with a random choice of components."""
    entity: dict[str, Any] = {"category": name}
    if draw(st.booleans()):
        entity["compositionSetting"] = draw(
            st.sampled_from(
                [
                    "combineComponents",
                    "separateComponents",
                    "returnLongestOverlap",
                    "requireExactOverlap",
                    "returnUnion",
                ]
            )
        )
    if draw(st.booleans()):
        entity["list"] = {
            "sublists": [
                {
                    "listKey": key,
                    "synonyms": [
                        {"language": lang, "values": draw(st.lists(words, max_size=3))}
                        for lang in draw(st.lists(languages, max_size=3, unique=True))
                    ],
                }
                for key in draw(st.lists(words, min_size=1, max_size=3, unique=True))
            ]
        }
    if draw(st.booleans()):
        entity["regex"] = {
            "expressions": [
                {"regexKey": draw(words), "language": draw(languages), "regexPattern": draw(words)}
                for _ in range(draw(st.integers(1, 2)))
            ]
        }
    if draw(st.booleans()):
        entity["prebuilts"] = [
            {"category": c}
            for c in draw(
                st.lists(
                    st.sampled_from([*PREBUILT_TO_SYSTEM, "Person.Name", "Quantity.Age"]),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            )
        ]
    if draw(st.booleans()):
        entity["requiredComponents"] = draw(
            st.lists(st.sampled_from(["learned", "list", "prebuilts", "regex"]), unique=True)
        )
    return entity


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Any]:
    project_lang = draw(languages)
    segs = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    intents = sorted(
        {
            "---".join(draw(st.lists(st.sampled_from(segs), min_size=1, max_size=3, unique=True)))
            for _ in range(draw(st.integers(1, 6)))
        }
    )
    intents = draw(st.permutations(intents))
    entity_names = draw(st.lists(names, max_size=4, unique=True))
    entities = []
    for name in entity_names:
        entities.append(_entity(draw, name))
    utterances = []
    seen: set[tuple[str, str]] = set()
    for _ in range(draw(st.integers(0, 8))):
        pieces = draw(st.lists(words, min_size=1, max_size=6))
        text = " ".join(pieces)
        utt: dict[str, Any] = {"text": text, "intent": draw(st.sampled_from(intents))}
        lang = draw(st.one_of(st.none(), languages))
        if (text, lang or project_lang) in seen:
            continue
        seen.add((text, lang or project_lang))
        if lang is not None:
            utt["language"] = lang
        dataset = draw(st.sampled_from([None, "Train", "Test"]))
        if dataset is not None:
            utt["dataset"] = dataset
        labels = []
        if entity_names:
            for k in sorted(draw(st.sets(st.integers(0, len(pieces) - 1), max_size=3))):
                start = len(" ".join(pieces[:k])) + (1 if k else 0)
                offset, length = span_to_utf16(text, start, start + len(pieces[k]))
                labels.append({"category": draw(st.sampled_from(entity_names)), "offset": offset, "length": length})
        utt["entities"] = labels
        utterances.append(utt)
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {
            "projectKind": "Conversation",
            "projectName": "gen",
            "language": project_lang,
            "multilingual": True,
        },
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": c} for c in intents],
            "entities": entities,
            "utterances": utterances,
        },
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_generated_projects_round_trip(project: dict[str, Any]) -> None:
    back, hf, _ = via_hf(project)
    assert not (diff := json_diff(normalized(project), back)), "\n".join(diff)
    # and the HF text itself is a fixed point of the HF reader/writer
    assert dumps_hf(loads_hf(hf)) == hf


# -- documented normalizations and bad input ------------------------------------------------------------


def test_undeclared_intents_and_entities_are_reported_and_declared() -> None:
    project = {
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {
            "intents": [],
            "entities": [],
            "utterances": [
                {
                    "text": "to Paris",
                    "intent": "go---city",
                    "dataset": "Train",
                    "language": "en-us",
                    "entities": [{"category": "City", "offset": 3, "length": 5}],
                }
            ],
        },
    }
    ws, report = read_clu(project)
    assert {(i.severity, i.code, i.pointer) for i in report} == {
        ("normalized", "CLU_UNDECLARED_INTENT", "/assets/utterances/0/intent"),
        ("normalized", "CLU_UNDECLARED_ENTITY", "/assets/utterances/0/entities/0/category"),
    }
    back, _, _ = via_hf(project)
    assert back["assets"]["intents"] == [{"category": "go---city"}]
    assert back["assets"]["entities"] == [{"category": "City"}]
    assert back["assets"]["utterances"] == project["assets"]["utterances"]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ({"category": "City", "offset": 3, "length": 1}, "cuts the character"),  # half of the emoji
        ({"category": "City", "offset": 2, "length": 99}, "outside"),
        ({"category": "City", "offset": "2", "length": 2}, "expected an integer"),
    ],
)
def test_bad_labels_name_the_pointer(label: dict[str, Any], message: str) -> None:
    from hfx.errors import InputError

    project = {
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {"utterances": [{"text": "a 😀 b", "intent": "x", "entities": [label]}]},
    }
    with pytest.raises(InputError, match=message) as info:
        read_clu(project, source="p.json")
    assert info.value.source == "p.json"
    assert info.value.pointer.startswith("/assets/utterances/0/entities/0")


def test_utterances_of_an_implied_but_undeclared_parent_are_reported() -> None:
    project = {
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {
            "intents": [{"category": "a---b"}],
            "utterances": [{"text": "x", "intent": "a", "language": "en-us", "dataset": "Train"}],
        },
    }
    _, report = read_clu(project)
    assert [(i.code, i.pointer) for i in report] == [("CLU_UNDECLARED_INTENT", "/assets/utterances/0/intent")]
    back, _, _ = via_hf(project)
    assert back["assets"]["intents"] == [{"category": "a"}, {"category": "a---b"}]


def test_the_documented_project_file_round_trips() -> None:
    # The project file of the CLU authoring API reference (2023-04-01), settings with float values included.
    project = json.loads("""{
      "projectFileVersion": "2023-04-01", "stringIndexType": "Utf16CodeUnit",
      "metadata": {"projectKind": "Conversation", "projectName": "DemoProject", "multilingual": false,
                   "description": "demo", "language": "en-us",
                   "settings": {"confidenceThreshold": 0.0, "normalizeCasing": false}},
      "assets": {"projectKind": "Conversation",
        "intents": [{"category": "None"}, {"category": "BookFlight"}],
        "entities": [
          {"category": "City", "compositionSetting": "combineComponents",
           "list": {"sublists": [{"listKey": "Paris",
                                  "synonyms": [{"language": "en-us", "values": ["Paris", "paree"]}]}]},
           "requiredComponents": ["learned"]},
          {"category": "When", "compositionSetting": "combineComponents", "prebuilts": [{"category": "DateTime"}]},
          {"category": "Code", "compositionSetting": "combineComponents",
           "regex": {"expressions": [{"regexKey": "ticket", "language": "en-us",
                                      "regexPattern": "[A-Z]{3}\\\\d{4}"}]}}],
        "utterances": [{"text": "fly to Paris tomorrow", "language": "en-us", "intent": "BookFlight",
                        "dataset": "Train", "entities": [{"category": "City", "offset": 7, "length": 5}]}]}}""")
    back, hf, _ = via_hf(project)
    assert not (diff := json_diff(project, back)), "\n".join(diff)
    assert json.dumps(back["metadata"]["settings"]) == '{"confidenceThreshold": 0.0, "normalizeCasing": false}'
    (ann,) = json.loads(hf)["examples"][0]["entities"]
    assert (ann["value"], ann["span"]) == ("Paris", {"from_character": 7, "to_character": 12})


def test_consuming_reader_builds_the_same_workspace_and_empties_the_utterances(clu_corpus: list[Path]) -> None:
    from hfx.formats.hf_json import dumps_hf

    for path in clu_corpus:
        kept, consumed = json.loads(path.read_bytes()), json.loads(path.read_bytes())
        ws, report = read_clu(kept)
        ws2, report2 = read_clu(consumed, consume=True)
        assert dumps_hf(ws2) == dumps_hf(ws) and report2.to_json() == report.to_json()
        assert consumed["assets"]["utterances"] == [] and kept["assets"]["utterances"]
