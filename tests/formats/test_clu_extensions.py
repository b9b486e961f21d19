"""The CLU details HF JSON carries in metadata (the ``hfx`` document; ``clu.*`` keys in files of the previous
release) are checked where HF JSON is read: a hand edit that breaks one is a clean error naming the file and its
JSON pointer (never a traceback in the CLU writer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpora import DATA
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.errors import InputError
from hfx.formats.clu_extensions import JSON_KEYS
from hfx.formats.clu_json import read_clu, write_clu
from hfx.formats.hf_json import dumps_hf, loads_hf

runner = CliRunner()

#: Where each key lives in HF JSON written from a CLU project (workspace, entity, intent or example metadata).
_WORKSPACE_KEYS = ("clu.multilingual", "clu.settings", "clu.extra.metadata", "clu.extra.assets", "clu.extra.root")
_ENTITY_KEYS = ("clu.list", "clu.prebuilts", "clu.regex", "clu.requiredComponents", "clu.extra")
CASES = (
    [(k, "") for k in _WORKSPACE_KEYS]
    + [(k, "/entities/1") for k in _ENTITY_KEYS]
    + [("clu.extra", "/intents/2"), ("clu.extra", "/examples/3")]
)
#: Valid JSON of the wrong kind for keys whose value is merged into a CLU object.
WRONG_KIND = [(k, where) for k, where in CASES if JSON_KEYS[k] is dict]


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def email_hf() -> dict[str, Any]:
    """HF JSON of EmailProject as the previous release wrote it (``clu.*`` strings)."""
    return json.loads((DATA / "hf-previous-release" / "EmailProject.hf.json").read_bytes())


@pytest.fixture(scope="module")
def email_new(corpora: Path) -> dict[str, Any]:
    """HF JSON of EmailProject as this release writes it (one ``hfx`` document per object)."""
    ws, _ = read_clu(json.loads((corpora / "clu" / "EmailProject.json").read_bytes()))
    return json.loads(dumps_hf(ws))


def _edited(doc: dict[str, Any], where: str, key: str, text: str) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    node = out
    for part in where.strip("/").split("/") if where else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node.setdefault("metadata", {})[key] = text
    return out


def test_every_case_names_a_known_key_and_an_object_of_the_corpus(email_hf: dict[str, Any]) -> None:
    assert {k for k, _ in CASES} == set(JSON_KEYS)
    for key, where in CASES:
        loads_hf(json.dumps(_edited(email_hf, where, key, json.dumps({}))))  # a valid edit reads


@pytest.mark.parametrize(("key", "where"), CASES)
def test_a_hand_edit_that_is_not_json_is_exit_2_with_file_and_pointer(
    key: str, where: str, email_hf: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(_edited(email_hf, where, key, "{not json")), encoding="utf-8")
    out = tmp_path / "out.json"
    converted = run("convert", "hf-to-clu", str(path), "-o", str(out))
    assert converted.exit_code == 2, converted.output
    assert str(path) in converted.stderr and f"{where}/metadata/{key}" in converted.stderr
    assert "Traceback" not in converted.output
    assert not out.exists()
    checked = run("validate", str(path), "--target", "clu", "--format", "json")
    findings = json.loads(checked.stdout)["files"][0]["findings"]
    expected = ("HF099", "error", f"{where}/metadata/{key}")
    assert expected in {(f["code"], f["severity"], f["pointer"]) for f in findings}, findings
    assert checked.exit_code != 0


@pytest.mark.parametrize(("key", "where"), WRONG_KIND)
def test_valid_json_of_the_wrong_kind_is_an_error_too(key: str, where: str, email_hf: dict[str, Any]) -> None:
    with pytest.raises(InputError) as err:
        loads_hf(json.dumps(_edited(email_hf, where, key, "[1, 2]")), source="edited.json")
    assert err.value.pointer == f"{where}/metadata/{key}" and "an object" in err.value.message


def test_a_workspace_built_in_memory_with_a_bad_extension_is_an_input_error(email_hf: dict[str, Any]) -> None:
    # The model holds the extensions typed (a bad one cannot reach the CLU writer); a bad string in metadata is
    # metadata, refused where HF JSON is read (every way to the writer: the CLI, the server) ...
    ws = loads_hf(json.dumps(email_hf))
    ws.entities[1].metadata["clu.requiredComponents"] = "[oops"
    with pytest.raises(InputError) as err:
        loads_hf(dumps_hf(ws))
    assert err.value.pointer.endswith("/metadata/clu.requiredComponents")
    # ... and, written to CLU from memory, it is reported as metadata CLU cannot hold, not dropped in silence
    _, report, _ = write_clu(ws)
    assert ("HF_ENTITY_METADATA", "/entities/1") in {(i.code, i.pointer) for i in report.losses}


def test_the_string_form_written_by_the_previous_release_still_converts(email_hf: dict[str, Any]) -> None:
    ws = loads_hf(json.dumps(email_hf))
    assert all(isinstance(v, str) for e in ws.entities for v in e.metadata.values())
    assert all(e.clu is not None and not e.metadata for e in ws.entities)  # read into the typed fields
    project, report, _ = write_clu(ws)
    assert not report.errors
    assert project["assets"]["entities"]


@pytest.mark.parametrize("text", ["NaN", '{"n": Infinity}', "[" + "9" * 30 + "]"])
def test_json_hfx_refuses_elsewhere_is_refused_in_an_extension_too(text: str, email_hf: dict[str, Any]) -> None:
    with pytest.raises(InputError) as err:
        loads_hf(json.dumps(_edited(email_hf, "/entities/1", "clu.regex", text)), source="edited.json")
    assert err.value.pointer == "/entities/1/metadata/clu.regex" and err.value.source == "edited.json"


# -- the hfx document ------------------------------------------------------------------------------------------

#: (where, a bad hfx document, the pointer inside it the message names, what the message says)
BAD_DOCUMENTS = [
    ("/entities/1", "{not json", None, "expected JSON text"),
    ("/entities/1", "[1]", None, "holding an object"),
    ("/entities/1", '{"clu": {"list": 1, "colour": 2}}', "/clu", "unknown key 'colour'"),
    ("/entities/1", '{"clu": {"compositionSetting": 3}}', "/clu/compositionSetting", "expected a string"),
    ("/entities/1", '{"clu": {"extra": []}}', "/clu/extra", "expected an object"),
    ("/entities/1", '{"clu": []}', "/clu", "holding an object"),
    ("/entities/1", '{"cl": {}}', "/", "unknown key 'cl'"),
    ("", '{"source": 1}', "/source", "expected a string"),
    ("", '{"clu": {"projectFileVersionKey": "version"}}', "/clu/projectFileVersionKey", "expected one of"),
    ("", '{"clu": {"metadata": "x"}}', "/clu/metadata", "expected an object"),
    ("/intents/2", '{"implicitParent": "yes"}', "/implicitParent", "expected a boolean"),
    ("/examples/3", '{"clu": {"extra": 1}}', "/clu/extra", "expected an object"),
    ("/examples/3", '{"implicitParent": true}', "/", "unknown key 'implicitParent'"),
]


def test_this_release_writes_one_hfx_document_per_object(email_new: dict[str, Any]) -> None:
    keys = {k for obj in [email_new, *email_new["intents"], *email_new["entities"]] for k in obj.get("metadata", {})}
    assert keys == {"hfx", "hfx.language"}
    doc = json.loads(email_new["metadata"]["hfx"])
    assert doc["source"] == "clu" and doc["clu"]["projectFileVersion"] == "2022-03-01-preview"
    entity = json.loads(email_new["entities"][0]["metadata"]["hfx"])
    assert set(entity) == {"clu"} and entity["clu"]["compositionSetting"] == "returnUnion"


def test_both_forms_give_the_same_workspace_and_the_same_clu(
    email_hf: dict[str, Any], email_new: dict[str, Any]
) -> None:
    old, new = loads_hf(json.dumps(email_hf)), loads_hf(json.dumps(email_new))
    assert old == new
    assert write_clu(old)[0] == write_clu(new)[0]


@pytest.mark.parametrize(("where", "text", "inner", "message"), BAD_DOCUMENTS)
def test_a_bad_hfx_document_is_an_input_error_naming_where(
    where: str, text: str, inner: str | None, message: str, email_new: dict[str, Any]
) -> None:
    with pytest.raises(InputError) as err:
        loads_hf(json.dumps(_edited(email_new, where, "hfx", text)), source="edited.json")
    assert err.value.source == "edited.json" and err.value.pointer == f"{where}/metadata/hfx"
    assert message in err.value.message
    if inner is not None:
        assert f"in the hfx document at {inner}" in err.value.message


def test_a_bad_hfx_document_is_exit_2_and_hf099(email_new: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(_edited(email_new, "/entities/1", "hfx", '{"clu": {"extra": []}}')), encoding="utf-8")
    out = tmp_path / "out.json"
    converted = run("convert", "hf-to-clu", str(path), "-o", str(out))
    assert converted.exit_code == 2 and "/entities/1/metadata/hfx" in converted.stderr
    assert "Traceback" not in converted.output and not out.exists()
    checked = run("validate", str(path), "--target", "clu", "--format", "json")
    findings = json.loads(checked.stdout)["files"][0]["findings"]
    assert ("HF099", "error", "/entities/1/metadata/hfx") in {
        (f["code"], f["severity"], f["pointer"]) for f in findings
    }


def test_metadata_that_only_looks_like_hfx_s_own_is_reported_as_lost(email_new: dict[str, Any]) -> None:
    ws = loads_hf(json.dumps(_edited(email_new, "/entities/1", "clu.note", "mine")))
    assert ws.entities[1].metadata == {"clu.note": "mine"}
    _, report, _ = write_clu(ws)
    assert ("HF_ENTITY_METADATA", "/entities/1") in {(i.code, i.pointer) for i in report.losses}
