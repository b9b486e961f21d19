"""The shipped JSON Schemas and the structural check (hfx.formats.schemas)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from hfx.errors import InputError
from hfx.formats.schemas import SCHEMA_FILES, check_schema, load_schema, schema_errors

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "tests" / "data"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hf_docs(hf_corpus: list[Path]) -> dict[str, Any]:
    return {p.name: _load(p) for p in hf_corpus}


@pytest.fixture(scope="module")
def clu_docs(clu_corpus: list[Path]) -> dict[str, Any]:
    return {p.name: _load(p) for p in clu_corpus}


def _annotated_examples(doc: dict[str, Any]) -> list[int]:
    return [i for i, ex in enumerate(doc["examples"]) if ex.get("entities")]


# --- the schemas themselves -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schemas_are_valid_2020_12_schemas_with_id_and_title(kind: str) -> None:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_top_level_schemas_folder_holds_the_shipped_files(kind: str) -> None:
    name = SCHEMA_FILES[kind]
    shipped = (resources.files("hfx") / "schemas" / name).read_bytes()
    assert (REPO / "schemas" / name).read_bytes() == shipped
    assert (REPO / "schemas").resolve() == (REPO / "hfx" / "schemas").resolve()
    assert sorted(p.name for p in (REPO / "schemas").glob("*.json")) == sorted(SCHEMA_FILES.values())


def test_no_schema_forbids_unknown_keys() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            assert node.get("additionalProperties", True) is not False, where
            assert node.get("unevaluatedProperties", True) is not False, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    for kind in SCHEMA_FILES:
        walk(load_schema(kind), kind)


def test_load_schema_returns_a_fresh_copy() -> None:
    load_schema("hf")["title"] = "changed"
    assert load_schema("hf")["title"] != "changed"


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown schema kind"):
        schema_errors({}, "rasa")  # type: ignore[arg-type]


# --- real files ------------------------------------------------------------------------------------------


def test_every_hf_corpus_file_is_valid(hf_docs: dict[str, Any]) -> None:
    for name, doc in hf_docs.items():
        assert schema_errors(doc, "hf") == [], name
        check_schema(doc, "hf", source=name)


def test_every_clu_corpus_file_is_valid(clu_docs: dict[str, Any]) -> None:
    for name, doc in clu_docs.items():
        assert schema_errors(doc, "clu") == [], name
        check_schema(doc, "clu", source=name)


def test_hf_corpus_is_not_a_clu_project_and_vice_versa(hf_docs: dict[str, Any], clu_docs: dict[str, Any]) -> None:
    for doc in hf_docs.values():
        assert ("", "needs one of the keys 'projectFileVersion', 'api-version'") in schema_errors(doc, "clu")
    for doc in clu_docs.values():
        errors = schema_errors(doc, "hf")
        assert ("/metadata/settings", "expected string, got object") in errors
        assert (
            "/metadata/multilingual",
            f"expected string, got boolean {json.dumps(doc['metadata']['multilingual'])}",
        ) in errors


def _with_unknown_keys(node: Any, key: str = "") -> Any:
    """Add an unknown key with a non-string value to every object except HF metadata maps (string -> string)."""
    if isinstance(node, dict):
        out = {k: _with_unknown_keys(v, k) for k, v in node.items()}
        if key != "metadata" or "projectName" in node:
            out["x-hfx-unknown"] = {"nested": [1, None, True]}
        return out
    if isinstance(node, list):
        return [_with_unknown_keys(v, key) for v in node]
    return node


def test_unknown_keys_are_accepted_on_every_object(hf_docs: dict[str, Any], clu_docs: dict[str, Any]) -> None:
    for name in ("rasa-moodbot-export.json", "hierarchy-with-parts.json", "Academy-Ex06-Entities.json"):
        assert schema_errors(_with_unknown_keys(hf_docs[name]), "hf") == [], name
    for name, doc in clu_docs.items():
        assert schema_errors(_with_unknown_keys(doc), "clu") == [], name


def test_real_export_variants_are_accepted(clu_docs: dict[str, Any]) -> None:
    doc = copy.deepcopy(clu_docs["FlightBooking.json"])
    assert doc["metadata"]["projectKind"] == "conversation"
    doc["projectFileVersion"] = "2023-04-01"
    del doc["api-version"]
    utterances = doc["assets"]["utterances"]
    utterances[0]["dataset"] = None
    utterances[1]["dataset"] = "Test"
    utterances[2].pop("language", None)
    utterances[2].pop("dataset", None)
    doc["assets"]["projectKind"] = "Conversation"
    doc["assets"]["entities"].append(
        {
            "category": "City",
            "compositionSetting": "requireExactOverlap",
            "requiredComponents": ["learned", "list"],
            "list": {"sublists": [{"listKey": "Paris", "synonyms": [{"language": "fr", "values": ["Paris"]}]}]},
            "regex": {"expressions": [{"regexKey": "code", "language": "en-us", "regexPattern": "[A-Z]{3}"}]},
            "prebuilts": [{"category": "Geography.Location"}],
        }
    )
    for setting in ("returnLongestOverlap", "returnUnion", "combineComponents", "separateComponents"):
        doc["assets"]["entities"][0]["compositionSetting"] = setting
        assert schema_errors(doc, "clu") == [], setting


def test_hf_entity_kinds_and_parts_variants_are_accepted() -> None:
    doc = {
        "entities": [
            {"name": "code", "is_regex": True, "values": [{"key_value": "[A-Z]+", "synonyms": [{"value": "[A-Z]+"}]}]},
            {"name": "when", "system_type": "SYS_DATE_TIME", "settings": {}},
            {"name": "city", "values": [{"id": "v", "key_value": "Paris", "language": "fr"}]},
        ],
        "examples": [
            {
                "text": "© x",
                "intents": [{"intent_id": "i", "negative": True}],
                "parts": [
                    {"entity": {"name": "c", "text": "©"}},
                    {"text": " x"},
                    {"text": "", "entity": {"name": "c", "text": ""}},
                ],
                "entities": [{"name": "c", "text": "©", "span": {"from_character": 0, "to_character": 2}}],
                "context": {"context_id": "c1", "type": "conversation", "role": "client"},
                "tags": [{"name": "Test"}],
                "source": {"source_id": "s", "metadata": {"k": "v"}, "merged_ids": ["a", "b"]},
            }
        ],
    }
    assert schema_errors(doc, "hf") == []


# --- crafted bad files: the right pointer --------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, "3", 1.5, None])
def test_bad_span_offset_points_at_the_offset(hf_docs: dict[str, Any], bad: Any) -> None:
    doc = copy.deepcopy(hf_docs["Academy-Ex06-Entities.json"])
    index = _annotated_examples(doc)[3]
    doc["examples"][index]["entities"][0]["span"]["from_character"] = bad
    errors = schema_errors(doc, "hf")
    assert [p for p, _ in errors] == [f"/examples/{index}/entities/0/span/from_character"]


def test_crafted_span_pointer_matches_the_example_in_the_brief() -> None:
    examples: list[dict[str, Any]] = [{"text": f"t{i}"} for i in range(4)]
    examples[3]["entities"] = [{"name": "e", "text": "t", "span": {"from_character": -2, "to_character": 1}}]
    errors = schema_errors({"examples": examples}, "hf")
    assert errors == [("/examples/3/entities/0/span/from_character", "-2 is less than the minimum 0")]


def test_missing_span_end_and_missing_required_keys_point_at_the_key() -> None:
    doc = {
        "intents": [{"id": "i"}],
        "tags": [{"id": "t"}],
        "entities": [{"values": [{"synonyms": [{}]}]}],
        "examples": [
            {"text": "a", "intents": [{"negative": False}], "entities": [{"name": "e", "span": {"from_character": 0}}]}
        ],
    }
    assert schema_errors(doc, "hf") == [
        ("/intents/0/name", "required key is missing"),
        ("/tags/0/name", "required key is missing"),
        ("/entities/0/values/0/synonyms/0/value", "required key is missing"),
        ("/entities/0/name", "required key is missing"),
        ("/examples/0/intents/0/intent_id", "required key is missing"),
        ("/examples/0/entities/0/span/to_character", "required key is missing"),
        ("/examples/0/entities/0/text", "required key is missing"),
    ]


def test_non_string_metadata_value_points_at_the_key(hf_docs: dict[str, Any]) -> None:
    doc = copy.deepcopy(hf_docs["Academy-Ex04-BlindSets-PartA.json"])
    index = next(i for i, ex in enumerate(doc["examples"]) if ex.get("metadata"))
    doc["examples"][index]["metadata"]["nps_score"] = 7
    doc["metadata"] = {"a/b~c": True}
    assert schema_errors(doc, "hf") == [
        (f"/examples/{index}/metadata/nps_score", "expected string, got integer 7"),
        ("/metadata/a~1b~0c", "expected string, got boolean true"),
    ]


def test_tag_ref_needs_id_or_name() -> None:
    doc = {"examples": [{"text": "a", "tags": [{"id": "t"}, {"name": "Test"}, {"color": "red"}]}]}
    assert schema_errors(doc, "hf") == [("/examples/0/tags/2", "needs one of the keys 'id', 'name'")]


def test_missing_utterance_text_points_at_the_key(clu_docs: dict[str, Any]) -> None:
    doc = copy.deepcopy(clu_docs["FlightBooking.json"])
    del doc["assets"]["utterances"][2]["text"]
    assert schema_errors(doc, "clu") == [("/assets/utterances/2/text", "required key is missing")]


def test_clu_structural_errors_have_pointers(clu_docs: dict[str, Any]) -> None:
    doc = copy.deepcopy(clu_docs["EmailProject.json"])
    del doc["api-version"]
    del doc["metadata"]["projectName"]
    doc["assets"]["entities"][0]["compositionSetting"] = "mergeEverything"
    doc["assets"]["entities"][1]["requiredComponents"] = ["learned", "magic"]
    doc["assets"]["utterances"][1]["entities"][1]["offset"] = "31"
    doc["assets"]["utterances"][3]["entities"][0]["length"] = -5
    doc["assets"]["utterances"][4]["dataset"] = 1
    doc["assets"]["intents"][0] = {"name": "Read"}
    errors = schema_errors(doc, "clu")
    assert [p for p, _ in errors] == [
        "",
        "/metadata/projectName",
        "/assets/intents/0/category",
        "/assets/entities/0/compositionSetting",
        "/assets/entities/1/requiredComponents/1",
        "/assets/utterances/1/entities/1/offset",
        "/assets/utterances/3/entities/0/length",
        "/assets/utterances/4/dataset",
    ]
    messages = dict(errors)
    assert messages["/assets/utterances/4/dataset"] == "expected string or null, got integer 1"
    assert "mergeEverything" in messages["/assets/entities/0/compositionSetting"]


def test_non_object_documents_are_rejected_at_the_root() -> None:
    assert schema_errors([], "hf") == [("", "expected object, got array")]
    assert schema_errors("text", "clu") == [("", 'expected object, got string "text"')]


def test_errors_are_in_document_order_and_limited() -> None:
    examples = [{"text": i} for i in range(25)]
    errors = schema_errors({"examples": examples}, "hf")
    assert [p for p, _ in errors] == [f"/examples/{i}/text" for i in range(25)]
    assert schema_errors({"examples": examples}, "hf", limit=3) == errors[:3]
    assert schema_errors({"examples": examples}, "hf") == errors  # deterministic


def test_messages_never_dump_large_values(clu_docs: dict[str, Any]) -> None:
    doc = copy.deepcopy(clu_docs["EmailProject.json"])
    doc["metadata"]["multilingual"] = "y" * 10_000
    doc["assets"]["entities"][0]["compositionSetting"] = "z" * 10_000
    doc["assets"]["intents"] = {"k": "v" * 10_000}
    errors = schema_errors(doc, "clu")
    assert [p for p, _ in errors] == [
        "/metadata/multilingual",
        "/assets/intents",
        "/assets/entities/0/compositionSetting",
    ]
    assert all(len(message) < 250 for _, message in errors)


def test_check_schema_raises_input_error_with_source_pointer_and_count(clu_docs: dict[str, Any]) -> None:
    doc = copy.deepcopy(clu_docs["FlightBooking.json"])
    del doc["assets"]["utterances"][2]["text"]
    doc["assets"]["utterances"][5]["intent"] = 3
    with pytest.raises(InputError) as info:
        check_schema(doc, "clu", source="FlightBooking.json")
    err = info.value
    assert err.source == "FlightBooking.json"
    assert err.pointer == "/assets/utterances/2/text"
    assert "1 more" in err.message
    assert str(err).startswith("FlightBooking.json: /assets/utterances/2/text: ")


def test_check_schema_single_error_has_no_count() -> None:
    with pytest.raises(InputError) as info:
        check_schema({"intents": [{}]}, "hf", source="x.json")
    assert info.value.pointer == "/intents/0/name"
    assert "more" not in info.value.message


# --- what hfx writes is valid against its own schemas ----------------------------------------------------


def test_hfx_output_validates(hf_docs: dict[str, Any], clu_docs: dict[str, Any]) -> None:
    from hfx.formats.clu_json import CluWriteOptions, read_clu, write_clu
    from hfx.formats.hf_json import read_hf, write_hf

    for name, doc in clu_docs.items():
        workspace, _ = read_clu(doc, source=name)
        assert schema_errors(write_hf(workspace), "hf") == [], name
        assert schema_errors(write_clu(workspace)[0], "clu") == [], name
    for name in ("rasa-moodbot-export.json", "hierarchy-with-parts.json", "Academy-Ex06-Entities.json"):
        workspace = read_hf(hf_docs[name], source=name)
        assert schema_errors(write_hf(workspace), "hf") == [], name
        project = write_clu(workspace, CluWriteOptions(invalid_names="rewrite", language="en-us"))[0]
        assert schema_errors(project, "clu") == [], name


# --- the compiled fast path agrees with jsonschema ---------------------------------------------------------

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from([0, -1, 1.0, 1.5, -0.0, "Train", "Test", "Conversation", "combineComponents"])
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["id", "name", "text", "x"]), inner, max_size=2)
    ),
    max_leaves=4,
)


def _similar(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same JSON type as ``value`` (where the two validators could part: bounds, enums, 1.0)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-3, 3) | st.sampled_from([float(value), 2**64, -(2**63) - 1])
    if isinstance(value, str):
        return st.text(max_size=3) | st.sampled_from([value.upper(), value + " ", ""])
    if isinstance(value, list):
        return st.just(value[:1]) | st.just([])
    if isinstance(value, dict):
        return st.just({}) | st.just(dict(list(value.items())[:1]))
    return _json_values


def _locations(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in ``node``, the root included."""
    out = [path]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        out.extend(_locations(value, (*path, key)))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _replaced(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    doc = copy.copy(doc)
    key, rest = path[0], path[1:]
    if rest:
        doc[key] = _replaced(doc[key], rest, value, delete)
    elif delete and isinstance(doc, dict):
        del doc[key]
    else:
        doc[key] = value
    return doc


@settings(max_examples=400)
@given(
    st.sampled_from(
        [
            ("hf", "hf/hierarchy-with-parts.json"),
            ("hf", "hf/rasa-moodbot-export.json"),
            ("clu", "clu/EmailProject.json"),
            ("clu", "clu/FlightBooking.json"),
        ]
    ),
    st.data(),
)
def test_compiled_check_accepts_exactly_what_jsonschema_accepts(case: tuple[str, str], data: st.DataObject) -> None:
    """The fast path may only skip jsonschema for documents jsonschema finds nothing wrong with."""
    from hfx.formats.schemas import _passes, _validator

    kind, name = case
    doc = _load(CORPORA / name)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_locations(doc)))
        old = _get(doc, where)
        doc = _replaced(doc, where, data.draw(_similar(old) | _json_values), data.draw(st.booleans()))
    passes = _passes(doc, kind)
    event("valid" if passes else "invalid")
    assert passes == (not any(_validator(kind).iter_errors(doc))), doc


def _parts(definition: str) -> list[Any]:
    """The corpora's parts a CLU reader checks against ``definition`` (as it does: without required keys)."""
    projects = [_load(CORPORA / "clu" / name) for name in ("EmailProject.json", "FlightBooking.json")]
    if definition == "project_metadata":
        return [{k: p["metadata"][k] for k in ("multilingual", "settings") if k in p["metadata"]} for p in projects]
    return [entity for p in projects for entity in p["assets"]["entities"]]


@settings(max_examples=300)
@given(st.sampled_from(["project_metadata", "entity"]), st.data())
def test_compiled_part_check_accepts_exactly_what_jsonschema_accepts(definition: str, data: st.DataObject) -> None:
    """A reader's check of a part it keeps verbatim (``part_errors``) skips jsonschema only for parts jsonschema
    finds nothing wrong with, and reports jsonschema's findings for the others."""
    from hfx.formats.schemas import _part_validator, _passes, part_errors

    part = data.draw(st.sampled_from(_parts(definition)))
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_locations(part)))
        old = _get(part, where)
        part = _replaced(part, where, data.draw(_similar(old) | _json_values), data.draw(st.booleans()))
    expected = list(_part_validator("clu", definition).iter_errors(part))
    event("valid" if not expected else "invalid")
    assert _passes(part, "clu", definition) == (not expected), part
    assert bool(part_errors(part, "clu", definition)) == bool(expected), part
