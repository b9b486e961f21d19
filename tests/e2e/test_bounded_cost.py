"""Cost stays bounded: a huge name is shortened in every message, a very deep hierarchy crashes nothing.

(Timings are measured in benchmarks/bounded.py, never asserted here.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from deep_hierarchy import chain
from typer.testing import CliRunner

from hfx.cli.main import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "120"})


def test_a_hierarchy_thousands_deep_is_handled_by_every_command(tmp_path: Path) -> None:
    depth = 1100  # deeper than Python's recursion limit
    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    ours.write_text(json.dumps(chain(depth)), encoding="utf-8")
    theirs.write_text(json.dumps(chain(depth, extra_example=True)), encoding="utf-8")
    merged = run("merge", str(ours), str(theirs), "--base", str(ours), "-o", str(tmp_path / "m.json"))
    assert merged.exit_code == 0, merged.output
    assert len(json.loads((tmp_path / "m.json").read_text())["intents"]) == depth
    assert run("diff", str(ours), str(theirs)).exit_code == 1
    shown = run("hierarchy", "show", str(ours))
    assert shown.exit_code == 0 and "deeperlevelsnotshown" in "".join(shown.stdout.split())  # however wrapped
    tree = run("hierarchy", "show", str(ours), "--format", "json")
    assert tree.exit_code == 0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # the standard library's reader recurses per level (this test only)
    try:
        doc = json.loads(tree.stdout)
    finally:
        sys.setrecursionlimit(limit)
    node, levels = doc["intents"][0], 1
    while node["children"]:
        node, levels = node["children"][0], levels + 1
    assert levels == depth and node["path"][-1] == f"n{depth - 1}" and node["total"] == 1
    assert run("validate", str(ours)).exit_code == 0
    assert run("hierarchy", "flatten", str(ours), "-d", "/", "-o", str(tmp_path / "f.json")).exit_code == 0


@pytest.mark.parametrize("size", [10_000, 1_000_000])
def test_a_huge_name_is_shortened_in_every_message(tmp_path: Path, size: int) -> None:
    name = "x" * size
    ws = {
        "name": name,
        "intents": [{"id": "i", "name": name}, {"id": "i2", "name": name}],
        "examples": [{"id": "e", "text": "hi", "intents": [{"intent_id": "i"}]}],
    }
    path = tmp_path / "long.json"
    path.write_text(json.dumps(ws), encoding="utf-8")
    report = tmp_path / "report.json"
    for args in (
        ["convert", "hf-to-clu", str(path), "--report", str(report)],
        ["convert", "hf-to-clu", str(path), "-o", str(tmp_path / "p.json"), "--invalid-names", "rewrite"],
        ["validate", str(path), "--target", "clu"],
        ["hierarchy", "show", str(path)],
        ["diff", str(path), str(tmp_path / "missing.json")],
    ):
        result = run(*args)
        assert result.exit_code in (0, 1, 2), result.output
        assert len(result.output) < 20_000, args  # the same for a name of 10 kB or 1 MB
    assert len(report.read_bytes()) < 20_000


def test_a_name_with_thousands_of_delimiters_is_a_deep_hierarchy_not_a_crash(tmp_path: Path) -> None:
    name = "---".join(f"s{k}" for k in range(1500))
    project = {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {"intents": [{"category": name}], "utterances": [{"text": "hi", "intent": name}]},
    }
    clu, hf = tmp_path / "p.json", tmp_path / "ws.json"
    clu.write_text(json.dumps(project), encoding="utf-8")
    converted = run("convert", "clu-to-hf", str(clu), "-o", str(hf))
    assert converted.exit_code == 0, converted.output
    assert len(json.loads(hf.read_text())["intents"]) == 1500
    flat = {
        "name": "w",
        "intents": [{"id": "i", "name": name}],
        "examples": [{"id": "e", "text": "hi", "intents": [{"intent_id": "i"}]}],
    }
    (tmp_path / "flat.json").write_text(json.dumps(flat), encoding="utf-8")
    unflat = run("hierarchy", "unflatten", str(tmp_path / "flat.json"), "-d", "---", "-o", str(tmp_path / "u.json"))
    assert unflat.exit_code == 0, unflat.output
    assert run("diff", str(hf), str(tmp_path / "u.json")).exit_code in (0, 1)
