"""Input that is not what it claims is refused: exit 2 with file and JSON pointer, never exit 0 with wrong data.
``hfx validate`` reports each such file and goes on to the next."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def email(corpora: Path) -> dict[str, Any]:
    return json.loads((corpora / "clu" / "EmailProject.json").read_bytes())


def _without(project: dict[str, Any], key: str, null: bool) -> dict[str, Any]:
    out = copy.deepcopy(project)
    if null:
        out[key] = None
    else:
        del out[key]
    return out


def _dup_intent(p: dict[str, Any]) -> dict[str, Any]:
    p = copy.deepcopy(p)
    p["assets"]["intents"].append(dict(p["assets"]["intents"][0]))
    return p


def _empty_intent(p: dict[str, Any]) -> dict[str, Any]:
    p = copy.deepcopy(p)
    p["assets"]["intents"].append({"category": " "})
    return p


def _dup_list_key(p: dict[str, Any]) -> dict[str, Any]:
    p = copy.deepcopy(p)
    p["assets"]["entities"].append(
        {
            "category": "Colour",
            "list": {
                "sublists": [
                    {"listKey": "red", "synonyms": [{"language": "en-us", "values": ["red"]}]},
                    {"listKey": "red", "synonyms": [{"language": "en-us", "values": ["crimson"]}]},
                ]
            },
        }
    )
    return p


CLU_CASES = {
    "no metadata": (lambda p: _without(p, "metadata", null=False), "/metadata", "CLU000"),
    "null metadata": (lambda p: _without(p, "metadata", null=True), "/metadata", "CLU000"),
    "no assets": (lambda p: _without(p, "assets", null=False), "/assets", "CLU099"),
    "intent declared twice": (_dup_intent, "/category", "CLU008"),
    "empty intent name": (_empty_intent, "/category", "CLU007"),
    "list key twice": (_dup_list_key, "/list/sublists/1/listKey", "CLU011"),
}


@pytest.mark.parametrize("case", sorted(CLU_CASES))
def test_broken_clu_projects_are_refused_by_convert_and_flagged_by_validate(
    case: str, email: dict[str, Any], tmp_path: Path
) -> None:
    mutate, where, code = CLU_CASES[case]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(mutate(email)), encoding="utf-8")
    converted = run("convert", "clu-to-hf", str(path), "-o", str(tmp_path / "out.json"))
    assert converted.exit_code == 2, converted.output
    assert str(path) in converted.stderr and where in converted.stderr
    assert not (tmp_path / "out.json").exists()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(email), encoding="utf-8")
    checked = run("validate", str(path), str(good), "--format", "json")
    files = json.loads(checked.stdout)["files"]
    assert [f["path"] for f in files] == [str(path), str(good)]  # the next file is still checked
    assert code in {x["code"] for x in files[0]["findings"]}
    assert checked.exit_code in (1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            b'{"metadata": {"projectName": "p"}, "assets": {}, "stringIndexType": "Utf16CodeUnit", '
            b'"projectFileVersion": "2023-04-01", "x": NaN}',
            "NaN is not a JSON number",
        ),
        (b'{"name": "w", "examples": [{"id": "e", "text": "t", "n": 1e400}]}', "beyond the range of a double"),
        (b'{"name": "w", "n": ' + b"9" * 5000 + b"}", "beyond 64 bits"),
        (b'{"name": "w", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}", "nested deeper than 128 levels"),
        (b"null", "not a JSON object (null)"),
        (b"[]", "not a JSON object (an array)"),
        (b"42", "not a JSON object (a number)"),
        (b'{"luis_schema_version": "7.0.0", "intents": [], "utterances": []}', "LUIS app export"),
    ],
)
def test_every_command_refuses_with_exit_2_and_validate_goes_on(
    text: bytes, message: str, tmp_path: Path, email: dict[str, Any]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(text)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(email), encoding="utf-8")
    for args in (
        ["convert", "clu-to-hf", str(bad)],
        ["convert", "hf-to-clu", str(bad)],
        ["diff", str(bad), str(good)],
        ["merge", str(good), str(bad), "-o", str(tmp_path / "m.json")],
        ["hierarchy", "show", str(bad)],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and str(bad) in result.stderr and "Traceback" not in result.output
        assert "looks like HF" not in result.stderr
    checked = run("validate", str(bad), str(good))
    assert checked.exit_code == 2
    assert message in checked.stdout and f"{good}" in checked.stdout  # reported, and the next file checked


def test_a_duplicate_entity_id_never_gives_a_corrupted_project(tmp_path: Path) -> None:
    ws = {
        "name": "w",
        "entities": [
            {"id": "e", "name": "city", "values": [{"id": "v1", "key_value": "Paris"}]},
            {"id": "e", "name": "drink", "values": [{"id": "v2", "key_value": "tea"}]},
        ],
        "intents": [{"id": "i", "name": "go"}],
        "examples": [{"id": "x", "text": "to Paris", "intents": [{"intent_id": "i"}]}],
    }
    path = tmp_path / "ws.json"
    path.write_text(json.dumps(ws), encoding="utf-8")
    result = run("convert", "hf-to-clu", str(path), "-o", str(tmp_path / "p.json"))
    assert result.exit_code == 2 and "/entities/1/id" in result.stderr and "two entitys" not in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_the_project_name_follows_clus_rule_everywhere(tmp_path: Path, corpora: Path) -> None:
    hf = tmp_path / "ws.json"
    hf.write_text(
        json.dumps(
            {
                "name": "My Project!",
                "intents": [{"id": "i", "name": "a"}],
                "examples": [{"id": "x", "text": "t", "intents": [{"intent_id": "i"}]}],
            }
        )
    )
    refused = run("convert", "hf-to-clu", str(hf), "--project-name", "My Project!", "-o", str(tmp_path / "p.json"))
    assert refused.exit_code == 2 and "--project-name" in refused.stderr and not (tmp_path / "p.json").exists()
    derived = run("convert", "hf-to-clu", str(hf), "-o", str(tmp_path / "p.json"))  # from the workspace name
    assert derived.exit_code == 0, derived.output
    assert run("validate", str(tmp_path / "p.json")).exit_code == 0
    project = json.loads((corpora / "clu" / "EmailProject.json").read_bytes())
    project["metadata"]["projectName"] = "My Project!"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(project))
    checked = run("validate", str(bad), "--format", "json")
    assert checked.exit_code == 1
    assert "CLU012" in {f["code"] for f in json.loads(checked.stdout)["files"][0]["findings"]}
