"""HF JSON reader/writer against the real corpus and hand-made edge cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from corpora import corpus_files
from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.errors import InputError, OffsetError
from hfx.formats.hf_json import dumps_hf, loads_hf, read_hf, write_hf
from hfx.offsets import span_from_utf8

HF_FILES = corpus_files("hf")


def without_schema(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "$schema"}


@pytest.mark.parametrize("path", HF_FILES, ids=lambda p: p.name)
def test_read_write_is_identical_to_the_input(path: Path) -> None:
    original = json.loads(path.read_bytes())
    written = write_hf(read_hf(original, source=str(path)))
    assert without_schema(written) == without_schema(original)
    assert written["$schema"] == "https://docs.humanfirst.ai/hf-json-schema.json"


@pytest.mark.parametrize("path", HF_FILES, ids=lambda p: p.name)
def test_writing_is_deterministic_and_a_fixed_point(path: Path) -> None:
    data = path.read_bytes()
    first = dumps_hf(loads_hf(data))
    assert dumps_hf(loads_hf(data)) == first  # same input, same bytes
    assert dumps_hf(loads_hf(first)) == first  # write(read(write(x))) == write(x)
    assert first.endswith(b"\n") and not first.endswith(b"\n\n")
    first.decode("utf-8")


def _find(ws: Any, text: str) -> Any:
    return next(ex for ex in ws.examples if ex.text == text)


@pytest.mark.parametrize(
    ("name", "text", "byte_span", "cp_span"),
    [
        ("rasa-moodbot-export.json", "my mood is © 2022 Acme Inc", (11, 13), (11, 12)),
        ("hierarchy-with-parts.json", "is this © how you make money?", (8, 10), (8, 9)),
    ],
)
def test_copyright_span_is_read_in_code_points_and_written_in_utf8_bytes(
    name: str, text: str, byte_span: tuple[int, int], cp_span: tuple[int, int]
) -> None:
    path = next(p for p in HF_FILES if p.name == name)
    ws = loads_hf(path.read_bytes())
    ex = _find(ws, text)
    (ann,) = ex.annotations
    assert (ann.start, ann.end) == cp_span
    assert ex.text[ann.start : ann.end] == "©" == ann.text
    out = json.loads(dumps_hf(ws))
    (written,) = [e for e in out["examples"] if e["text"] == text]
    span = written["entities"][0]["span"]
    assert (span["from_character"], span["to_character"]) == byte_span
    assert text.encode("utf-8")[byte_span[0] : byte_span[1]].decode("utf-8") == "©"


def _doc(**example: Any) -> dict[str, Any]:
    ex = {"id": "phrase-1", "text": "x", "intents": [{"intent_id": "intent-1"}], **example}
    return {
        "intents": [{"id": "intent-1", "name": "greet"}],
        "entities": [
            {
                "id": "entity-1",
                "name": "city",
                "values": [
                    {"id": "entval-1", "key_value": "Zürich", "synonyms": [{"value": "Zürich"}, {"value": "ZH"}]}
                ],
            }
        ],
        "examples": [ex],
    }


def test_parts_only_annotations_are_read_and_spans_written() -> None:
    text = "😀 fly to Zürich © now"
    doc = _doc(
        text=text,
        parts=[
            {"text": "😀 fly to "},
            {
                "entity": {
                    "entity_id": "entity-1",
                    "name": "city",
                    "text": "Zürich",
                    "value": "Zürich",
                    "value_id": "entval-1",
                }
            },
            {"text": " © now"},
        ],
    )
    ws = read_hf(doc)
    (ann,) = ws.examples[0].annotations
    assert text[ann.start : ann.end] == "Zürich"
    assert (ann.start, ann.end) == (9, 15)
    assert (ann.value, ann.value_id, ann.entity_id) == ("Zürich", "entval-1", "entity-1")
    out = write_hf(ws)["examples"][0]
    assert out["parts"] == doc["examples"][0]["parts"]  # parts come back as they were
    span = out["entities"][0]["span"]
    assert text.encode()[span["from_character"] : span["to_character"]].decode() == "Zürich"
    assert (span["from_character"], span["to_character"]) == (12, 19)
    # Reading the written file gives the same model (entities now present, parts agree).
    assert read_hf(json.loads(dumps_hf(ws))).examples[0].annotations == ws.examples[0].annotations


def test_parts_with_empty_text_next_to_the_entity_are_accepted() -> None:
    doc = _doc(text="to ZH", parts=[{"text": "to "}, {"text": "", "entity": {"name": "city", "text": "ZH"}}])
    (ann,) = read_hf(doc).examples[0].annotations
    assert (ann.start, ann.end, ann.entity_id) == (3, 5, "entity-1")


def test_parts_are_regenerated_when_annotations_change() -> None:
    doc = _doc(text="to ZH now", parts=[{"text": "to "}, {"entity": {"name": "city", "text": "ZH"}}, {"text": " now"}])
    ws = read_hf(doc)
    ws.examples[0].annotations[0].value = "Zürich"
    parts = write_hf(ws)["examples"][0]["parts"]
    assert parts[1]["entity"]["value"] == "Zürich"
    assert "".join(p.get("text") or p.get("entity", {}).get("text", "") for p in parts) == "to ZH now"


def test_an_empty_annotation_reads_back_from_entities_and_stays_out_of_the_parts() -> None:
    # a CLU label of length 0 becomes an empty annotation: parts cannot say where it is (an entity part needs
    # text), its UTF-8 span in ``entities`` can
    from hfx.formats.clu_json import read_clu

    project = {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": "book"}],
            "entities": [{"category": "city"}],
            "utterances": [
                {
                    "text": "to ZH now",
                    "intent": "book",
                    "entities": [
                        {"category": "city", "offset": 3, "length": 2},
                        {"category": "city", "offset": 6, "length": 0},
                    ],
                }
            ],
        },
    }
    ws, _ = read_clu(project)
    doc = write_hf(ws)
    example = doc["examples"][0]
    assert [e["span"] for e in example["entities"]] == [
        {"from_character": 3, "to_character": 5},
        {"from_character": 6, "to_character": 6},
    ]
    assert [p.get("text") or p["entity"]["text"] for p in example["parts"]] == ["to ", "ZH", " now"]
    again = read_hf(json.loads(dumps_hf(read_hf(doc))))
    assert [(a.start, a.end, a.text) for a in again.examples[0].annotations] == [(3, 5, "ZH"), (6, 6, "")]


_TEXTS = st.text(alphabet=st.sampled_from("ab ZH©é日本😀👩\u200d\u0301\ud800"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(text=_TEXTS, data=st.data())
def test_an_annotation_is_read_exactly_where_its_utf8_span_says(text: str, data: st.DataObject) -> None:
    # the reader's quick ways (ASCII as it is, non-ASCII at the first occurrence of the text) must agree with
    # the careful conversion on every span: the same annotation, or an error
    lo = data.draw(st.integers(-1, len(text.encode("utf-8", "surrogatepass")) + 1))
    hi = data.draw(st.integers(-1, len(text.encode("utf-8", "surrogatepass")) + 1))
    cut = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2)))
    atext = data.draw(st.one_of(st.just(text[cut[0] : cut[1]]), _TEXTS))
    doc = _doc(
        text=text, entities=[{"name": "city", "text": atext, "span": {"from_character": lo, "to_character": hi}}]
    )
    try:
        expected: tuple[int, int] | None = span_from_utf8(text, lo, hi)
    except OffsetError:
        expected = None
    if expected is not None and text[expected[0] : expected[1]] == atext:
        (ann,) = read_hf(doc).examples[0].annotations
        assert (ann.start, ann.end) == expected
    else:
        with pytest.raises(InputError, match="/examples/0/entities/0/span"):
            read_hf(doc)


def test_astral_emoji_span_in_entities() -> None:
    text = "👩‍👩‍👧 to ZH"
    start = len("👩‍👩‍👧 to ".encode())
    doc = _doc(
        text=text,
        entities=[{"name": "city", "text": "ZH", "span": {"from_character": start, "to_character": start + 2}}],
    )
    (ann,) = read_hf(doc).examples[0].annotations
    assert text[ann.start : ann.end] == "ZH"
    assert ann.start == len("👩‍👩‍👧 to ")


def test_lone_surrogate_from_a_json_escape_is_written_as_an_escape() -> None:
    data = json.dumps(_doc(text="bad \ud83d surrogate")).encode()
    ws = loads_hf(data)
    out = dumps_hf(ws)
    assert json.loads(out)["examples"][0]["text"] == "bad \ud83d surrogate"
    assert dumps_hf(loads_hf(out)) == out


# -- malformed input: one clear InputError naming the file and the JSON pointer ----------------------


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


BASE = _doc(text="to © ZH", entities=[{"name": "city", "text": "ZH", "span": {"from_character": 6, "to_character": 8}}])


@pytest.mark.parametrize(
    ("path", "value", "pointer", "message"),
    [
        (("examples",), {"a": 1}, "/examples", "expected an array"),
        (("examples", 0, "text"), 42, "/examples/0/text", "expected a string"),
        (("examples", 0), "text", "/examples/0", "expected an object"),
        (("intents", 0, "name"), None, "/intents/0", "missing required string 'name'"),
        (("intents", 0, "metadata"), {"n": 1}, "/intents/0/metadata/n", "metadata values must be strings"),
        (("examples", 0, "intents", 0, "negative"), "yes", "/examples/0/intents/0/negative", "expected a boolean"),
        (("entities", 0, "is_regex"), "true", "/entities/0/is_regex", "expected a boolean"),
        (
            ("examples", 0, "entities", 0, "span", "from_character"),
            "6",
            "/examples/0/entities/0/span/from_character",
            "expected an integer",
        ),
        (("examples", 0, "entities", 0, "span", "from_character"), 4, "/examples/0/entities/0/span", "cuts"),
        (("examples", 0, "entities", 0, "span", "to_character"), 99, "/examples/0/entities/0/span", "outside"),
        (
            ("examples", 0, "entities", 0, "span"),
            {"from_character": 3, "to_character": 5},
            "/examples/0/entities/0/span",
            "annotation text is 'ZH'",
        ),
        (("examples", 0, "parts"), [{"text": "to"}], "/examples/0/parts", "do not add up"),
    ],
)
def test_malformed_input_names_the_file_and_pointer(
    path: tuple[Any, ...], value: Any, pointer: str, message: str
) -> None:
    read_hf(BASE)  # the base document itself is fine
    with pytest.raises(InputError) as info:
        loads_hf(json.dumps(_set(BASE, path, value)), source="ws.json")
    assert info.value.source == "ws.json"
    assert info.value.pointer == pointer
    assert message in info.value.message
    assert str(info.value).startswith(f"ws.json: {pointer}: ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'"just a string"', "expected an object, found a string"),
        (b"[1, 2]", "expected an object, found an array"),
        (b"null", "expected an object, found null"),
        (b'{"examples": [', "not valid JSON"),
        (b'{"name": "\xff"}', "not UTF-8"),
    ],
)
def test_payloads_that_are_not_a_json_object(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        loads_hf(data, source="in.json")
    assert info.value.source == "in.json"
    assert info.value.pointer == ""


def test_unknown_keys_are_kept_everywhere() -> None:
    doc = _doc(
        text="to ZH",
        entities=[
            {
                "entity_id": "entity-1",
                "name": "city",
                "text": "ZH",
                "span": {"from_character": 3, "to_character": 5},
                "confidence": 0.9,
            }
        ],
        intents=[{"intent_id": "intent-1", "score": 1}],
        context={"context_id": "c1", "role": "client"},
        created_at="2024-01-01T00:00:00Z",
    )
    doc["color"] = "#ffffff"
    doc["intents"][0]["source"] = {"merged_ids": ["intent-0"]}
    doc["entities"][0]["settings"] = {}
    doc["entities"][0]["values"][0]["synonyms"][0]["entities"] = []
    assert without_schema(write_hf(read_hf(copy.deepcopy(doc)))) == doc


def test_releasing_writer_gives_the_same_bytes_and_empties_the_workspace(hf_corpus: list[Path]) -> None:
    assert max(len(loads_hf(p.read_bytes()).examples) for p in hf_corpus) > 1500  # several parts of 1000
    for path in hf_corpus:
        ws = loads_hf(path.read_bytes())
        expected = dumps_hf(ws)
        assert dumps_hf(ws, release=True) == expected, path.name
        assert ws.examples == []
