"""``hfx validate --target clu`` on HF JSON reports exactly what ``hfx convert hf-to-clu`` refuses: both commands
run on the same files, the refusals of one are the CLU1xx findings of the other."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.formats.clu_json import read_clu
from hfx.formats.hf_json import dumps_hf

runner = CliRunner()

#: Validate's rule codes and the conversion report's error codes each one stands for (docs/codes.md); any other
#: refusal is CLU108.
CODES = {
    "CLU101": ("CLU_NAME_EMPTY", "CLU_NAME_TOO_LONG"),
    "CLU102": ("CLU_NAME_FORBIDDEN_CHAR", "CLU_DELIMITER_FORBIDDEN"),
    "CLU103": ("CLU_NAME_HAS_DELIMITER",),
    "CLU104": ("CLU_DUPLICATE_INTENT",),
    "CLU105": ("CLU_LIMIT",),
    "CLU106": ("CLU_UTTERANCE_TOO_LONG",),
}
RULE_OF = {writer: rule for rule, writers in CODES.items() for writer in writers}


def refusals(path: str, tmp_path: Path, *options: str) -> list[tuple[str, str, str]]:
    """``(code, pointer, message)`` of the errors in ``hf-to-clu``'s report on ``path``."""
    report = tmp_path / "report.json"
    result = runner.invoke(
        app, ["convert", "hf-to-clu", path, "-o", str(tmp_path / "out.json"), "--report", str(report), *options]
    )
    items = json.loads(report.read_text(encoding="utf-8"))["items"]
    errors = [(i["code"], i["pointer"], i["message"]) for i in items if i["severity"] == "error"]
    assert result.exit_code == (1 if errors else 0), result.output
    return errors


def clu_findings(path: str, *options: str) -> list[dict[str, str]]:
    """validate --target clu's findings on ``path`` that come from CLU's rules (CLU1xx)."""
    result = runner.invoke(app, ["validate", "--target", "clu", "--format", "json", path, *options])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["files"][0]["findings"]
    return [f for f in findings if f["code"].startswith("CLU1")]


def assert_same(path: str, tmp_path: Path, *options: str) -> list[tuple[str, str, str]]:
    errors = refusals(path, tmp_path, *options)
    found = clu_findings(path, *options)
    expected = sorted((RULE_OF.get(code, "CLU108"), ptr) for code, ptr, _ in errors)
    assert sorted((f["code"], f["pointer"]) for f in found) == expected
    for code, ptr, message in errors:
        if code not in RULE_OF:  # the others carry the writer's code and message
            assert {"code": "CLU108", "pointer": ptr, "message": f"{code}: {message}"}.items() <= next(
                f for f in found if f["pointer"] == ptr and f["code"] == "CLU108"
            ).items()
    assert all(f["severity"] == "error" for f in found)
    return errors


def test_the_hf_corpora_get_the_same_verdict(hf_corpus: list[Path], tmp_path: Path) -> None:
    refused = [assert_same(str(path), tmp_path) for path in hf_corpus]
    assert sum(map(len, refused)) > 5  # the Academy files' long intent paths: the comparison is not empty


def test_the_clu_corpora_read_as_hf_convert_back_without_refusal(
    clu_corpus: list[Path], tmp_path: Path, write_json: Callable[[Path, Any], str]
) -> None:
    for path in clu_corpus:
        ws, _ = read_clu(json.loads(path.read_bytes()), source=str(path))
        hf = write_json(tmp_path / path.name, json.loads(dumps_hf(ws)))
        assert assert_same(hf, tmp_path) == []


def _all_name_defects(o: dict[str, Any]) -> None:
    o["intents"][1]["name"] = "r" * 45  # billing---rrr... is 55 characters
    o["intents"][2]["name"] = "greet?"
    o["intents"].append({"id": "intent-x", "name": "billing---" + "r" * 45})  # a delimiter; intent 1's CLU name
    o["entities"][0]["name"] = "c" * 51
    o["examples"][2]["text"] = "y" * 501


def _over_the_intent_limit(o: dict[str, Any]) -> None:
    o["intents"] += [{"id": f"intent-{n}", "name": f"i{n}"} for n in range(500)]


def _dangling_example_intent(o: dict[str, Any]) -> None:
    o["examples"][2]["intents"][0]["intent_id"] = "intent-zz"


def _empty_intent_name(o: dict[str, Any]) -> None:
    o["intents"][2]["name"] = " "


BAD: list[tuple[str, Callable[[dict[str, Any]], None], tuple[str, ...], set[str]]] = [
    ("names, lengths, a delimiter", _all_name_defects, (), {"CLU101", "CLU102", "CLU103", "CLU104", "CLU106"}),
    ("a forbidden delimiter", lambda o: None, ("--delimiter", "/"), {"CLU102"}),
    ("501 intents", _over_the_intent_limit, (), {"CLU105"}),
    ("an example of an unknown intent", _dangling_example_intent, (), {"CLU108"}),
    ("an empty intent name", _empty_intent_name, (), {"CLU101"}),
]


@pytest.mark.parametrize(("label", "mutate", "options", "codes"), BAD, ids=[b[0] for b in BAD])
def test_crafted_bad_workspaces_get_the_same_verdict(
    label: str,
    mutate: Callable[[dict[str, Any]], None],
    options: tuple[str, ...],
    codes: set[str],
    small: dict[str, Any],
    tmp_path: Path,
    write_json: Callable[[Path, Any], str],
) -> None:
    obj = copy.deepcopy(small)
    mutate(obj)
    path = write_json(tmp_path / "bad.json", obj)
    errors = assert_same(path, tmp_path, *options)
    assert {RULE_OF.get(code, "CLU108") for code, _, _ in errors} == codes, label


def test_a_clean_workspace_is_clean_for_both(small: dict[str, Any], tmp_path: Path, write_json) -> None:
    assert assert_same(write_json(tmp_path / "small.json", small), tmp_path) == []
