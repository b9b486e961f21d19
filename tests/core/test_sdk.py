"""Every HF JSON hfx writes loads with the official HumanFirst SDK and validates against our schema."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from hfx.formats.clu_json import CluReadOptions, CluWriteOptions, dumps_clu, read_clu, write_clu
from hfx.formats.hf_json import dumps_hf, loads_hf
from tests.conftest import corpus_files

# The SDK warns that examples have no created_at (hfx writes no timestamps: same input, same bytes) and leaks a
# /dev/null handle at import; neither is about what we test.
pytestmark = pytest.mark.filterwarnings("ignore:Missing value of non-optional type created_at:RuntimeWarning",
                                        "ignore::ResourceWarning")

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
    f"{kind}:{p.name}" for p in HF_FILES for kind in ("hf-to-hf", "hf-to-clu-to-hf")]


@cache
def sdk_workspace_class() -> Any:
    """``humanfirst.objects.HFWorkspace``, imported without letting the SDK's import-time logging set-up
    (``logging.config`` with ``disable_existing_loggers``, a root level and handler) leak into other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    disabled = {name: lg.disabled for name, lg in logging.root.manager.loggerDict.items()
                if isinstance(lg, logging.Logger)}
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
