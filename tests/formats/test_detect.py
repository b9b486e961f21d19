"""Format detection and loading any supported file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpora import corpus_files

from hfx.errors import InputError
from hfx.formats.detect import detect_format, load_workspace, read_any


@pytest.mark.parametrize("path", corpus_files("hf") + corpus_files("clu"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_is_detected_as_its_kind(path: Path) -> None:
    kind = path.parent.name
    assert detect_format(json.loads(path.read_bytes())) == kind
    fmt, ws, report = load_workspace(path)
    assert fmt == kind
    assert ws.examples
    if kind == "hf":
        assert list(report) == []


def test_hf_workspace_with_metadata_is_not_mistaken_for_clu() -> None:
    assert detect_format({"metadata": {"k": "v"}, "examples": []}) == "hf"
    assert detect_format({"metadata": {}, "assets": {}}) == "clu"
    assert detect_format({"metadata": {"projectKind": "Conversation"}, "api-version": "2022-05-01"}) == "clu"


def test_load_workspace_passes_delimiter_and_test_tags(tmp_path: Path) -> None:
    project = {
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {
            "intents": [{"category": "a::b"}],
            "utterances": [{"text": "x", "intent": "a::b", "dataset": "Test"}],
        },
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(project))
    _, ws, _ = load_workspace(path, delimiter="::", test_tags=("blind",))
    assert [ws.intent_path(i.id) for i in ws.intents] == [("a",), ("a", "b")]
    assert [t.name for t in ws.tags] == ["blind"]
    fmt, ws2, _ = read_any(project, delimiter="")
    assert fmt == "clu" and [i.name for i in ws2.intents] == ["a::b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the file"),
        (b"{", "not valid JSON"),
        (b'{"name": "\xff"}', "not UTF-8"),
        (b'"text"', "not a JSON object"),
    ],
)
def test_load_errors_name_the_file(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        load_workspace(path)
    assert info.value.source == str(path)


def test_json_must_be_utf8_but_a_bom_is_tolerated() -> None:
    from hfx.errors import InputError
    from hfx.formats.jsontext import parse_json

    assert parse_json(b'\xef\xbb\xbf{"name": "x"}', "bom.json") == {"name": "x"}
    with pytest.raises(InputError) as info:
        parse_json('{"name": "x"}'.encode("utf-16"), "u16.json")
    assert "u16.json" in str(info.value) and "not UTF-8" in str(info.value)
