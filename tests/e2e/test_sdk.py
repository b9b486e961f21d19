"""Every HF JSON hfx writes loads with the official HumanFirst SDK and validates against our schema."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from corpora import corpus_files

from hfx.formats.clu_json import CluReadOptions, CluWriteOptions, dumps_clu, read_clu, write_clu
from hfx.formats.hf_json import dumps_hf, loads_hf

# The SDK leaks a /dev/null handle at import; not about what we test.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CLU_FILES = corpus_files("clu")
HF_FILES = corpus_files("hf")


@cache
def written_hf() -> dict[str, bytes]:
    """Every HF JSON hfx produces from the corpus: CLU -> HF, HF -> HF, and HF -> CLU -> HF."""
    out: dict[str, bytes] = {}
    for path in CLU_FILES:
        ws, _ = read_clu(json.loads(path.read_bytes()), source=str(path))
        out[f"clu-to-hf:{path.name}"] = dumps_hf(ws)
    for path in HF_FILES:
        ws = loads_hf(path.read_bytes(), source=str(path))
        out[f"hf-to-hf:{path.name}"] = dumps_hf(ws)
        project, report, _ = write_clu(ws, CluWriteOptions(invalid_names="rewrite"))
        assert not report.errors
        back, _ = read_clu(json.loads(dumps_clu(project)), options=CluReadOptions())
        out[f"hf-to-clu-to-hf:{path.name}"] = dumps_hf(back)
    return out


CASES = [f"clu-to-hf:{p.name}" for p in CLU_FILES] + [
    f"{kind}:{p.name}" for p in HF_FILES for kind in ("hf-to-hf", "hf-to-clu-to-hf")
]


@cache
def sdk_workspace_class() -> Any:
    """``humanfirst.objects.HFWorkspace``, imported without letting the SDK's import-time logging set-up
    (``logging.config`` with ``disable_existing_loggers``, a root level and handler) leak into other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    disabled = {
        name: lg.disabled for name, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)
    }
    from humanfirst.objects import HFWorkspace  # the dev extra installs the SDK; never imported by hfx

    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lg in logging.root.manager.loggerDict.items():
        if isinstance(lg, logging.Logger):
            lg.disabled = disabled.get(name, False)
    return HFWorkspace


@pytest.mark.parametrize("case", CASES)
def test_official_sdk_loads_what_we_write(case: str) -> None:
    HFWorkspace = sdk_workspace_class()  # noqa: N806
    doc: dict[str, Any] = json.loads(written_hf()[case])
    sdk_ws = HFWorkspace.from_json(doc, delimiter="---")
    assert set(sdk_ws.examples) == {e["id"] for e in doc["examples"]}
    assert set(sdk_ws.intents_by_id) == {i["id"] for i in doc["intents"]}
    assert set(sdk_ws.tags) == {t["id"] for t in doc.get("tags", [])}
    # The SDK sees the same labels and hierarchy we wrote.
    for ex in doc["examples"]:
        sdk_ex = sdk_ws.examples[ex["id"]]
        assert sdk_ex.text == ex["text"]
        assert [i.intent_id for i in sdk_ex.intents] == [i["intent_id"] for i in ex["intents"]]
    for intent in doc["intents"]:
        assert sdk_ws.intents_by_id[intent["id"]].parent_intent_id == intent.get("parent_intent_id")
    # ... and writes it back (it sorts examples by created_at: every example hfx creates has one).
    rewritten = sdk_ws.get_hf_json()
    assert len(rewritten["examples"]) == len(doc["examples"])
    assert {e["id"] for e in rewritten["examples"]} == {e["id"] for e in doc["examples"]}


@pytest.mark.parametrize("path", CLU_FILES, ids=lambda p: p.name)
def test_what_hfx_creates_has_timestamps_and_parts_like_a_humanfirst_export(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hfx.provenance import DEFAULT_TIMESTAMP

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = json.loads(written_hf()[f"clu-to-hf:{path.name}"])
    for kind in ("examples", "intents", "entities"):
        for obj in doc.get(kind, []):
            assert (obj["created_at"], obj["updated_at"]) == (DEFAULT_TIMESTAMP, DEFAULT_TIMESTAMP)
    annotated = [e for e in doc["examples"] if e.get("entities")]
    assert annotated
    for ex in annotated:
        pieces = [p.get("text") or p["entity"]["text"] for p in ex["parts"]]
        assert "".join(pieces) == ex["text"]
    project = json.loads(path.read_bytes())
    project["metadata"]["createdDateTime"] = "2022-04-18T15:44:44.1234567Z"
    project["metadata"]["lastModifiedDateTime"] = "2023-01-02T03:04:05Z"
    own = json.loads(dumps_hf(read_clu(project)[0]))
    assert {(e["created_at"], e["updated_at"]) for e in own["examples"]} == {
        ("2022-04-18T15:44:44Z", "2023-01-02T03:04:05Z")
    }
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    epoch = json.loads(dumps_hf(read_clu(json.loads(path.read_bytes()))[0]))
    assert {e["created_at"] for e in epoch["examples"]} == {"2023-11-14T22:13:20Z"}


def test_list_values_are_named_on_annotations_as_in_real_exports() -> None:
    project = {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {
            "intents": [{"category": "buy"}],
            "entities": [
                {
                    "category": "fruit",
                    "list": {
                        "sublists": [{"listKey": "apple", "synonyms": [{"language": "en-us", "values": ["apples"]}]}]
                    },
                }
            ],
            "utterances": [
                {
                    "text": "two apples",
                    "intent": "buy",
                    "language": "en-us",
                    "entities": [{"category": "fruit", "offset": 4, "length": 6}],
                }
            ],
        },
    }
    doc = json.loads(dumps_hf(read_clu(project)[0]))
    value = doc["entities"][0]["values"][0]
    ann = doc["examples"][0]["entities"][0]
    assert (ann["value"], ann["value_id"]) == ("apple", value["id"])
    assert doc["examples"][0]["parts"][1]["entity"]["value_id"] == value["id"]


@pytest.mark.parametrize("case", CASES)
def test_what_we_write_validates_against_the_hf_schema(case: str) -> None:
    from hfx.formats.schemas import schema_errors

    doc = json.loads(written_hf()[case])
    assert schema_errors(doc, "hf") == []


@pytest.mark.parametrize("path", CLU_FILES + HF_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_clu_we_write_validates_against_the_clu_schema(path: Path) -> None:
    from hfx.formats.schemas import schema_errors

    if path.parent.name == "clu":
        ws, _ = read_clu(json.loads(path.read_bytes()))
        ws = loads_hf(dumps_hf(ws))
    else:
        ws = loads_hf(path.read_bytes())
    project, report, _ = write_clu(ws, CluWriteOptions(invalid_names="rewrite"))
    assert not report.errors
    assert schema_errors(json.loads(dumps_clu(project)), "clu") == []
