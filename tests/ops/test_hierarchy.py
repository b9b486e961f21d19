"""Hierarchy: flatten / unflatten / tree on the model, and the `hfx hierarchy` commands."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hfx import ids
from hfx.cli.main import app
from hfx.formats.hf_json import dumps_hf, loads_hf, read_hf
from hfx.model import Intent, Workspace
from hfx.ops.hierarchy import flatten, intent_tree, unflatten_names

HF_FILES = [
    "hf/Academy-Ex03-Disambiguation.json",
    "hf/Academy-Ex07-High-Coverage.json",
    "hf/hierarchy-with-parts.json",
    "hf/rasa-moodbot-export.json",
]


def test_flatten_names_are_full_paths_and_ids_stay(small_ws: Workspace) -> None:
    flat, issues = flatten(small_ws, "---")
    assert issues == []
    assert [(i.id, i.name, i.parent_id) for i in flat.intents] == [
        ("intent-b", "billing", None),
        ("intent-r", "billing---refund", None),
        ("intent-g", "greet", None),
    ]
    # the input is untouched and the examples still point at the same intents
    assert small_ws.intents[1].name == "refund"
    assert [r.intent_id for r in flat.examples[0].intents] == ["intent-r"]


def test_flatten_reports_collisions_and_delimiter_in_names() -> None:
    ws = Workspace(
        intents=[
            Intent("i1", "a"),
            Intent("i2", "b", parent_id="i1"),
            Intent("i3", "a---b"),
            Intent("i4", "x/y"),
        ]
    )
    _, issues = flatten(ws, "---")
    kinds = sorted((i.kind, i.intent_id) for i in issues)
    assert kinds == [("collision", "i3"), ("delimiter_in_name", "i3")]
    _, issues = flatten(ws, "/")
    assert [(i.kind, i.intent_id) for i in issues] == [("delimiter_in_name", "i4")]


@pytest.mark.parametrize("name", HF_FILES)
def test_unflatten_undoes_flatten_byte_for_byte(name: str, load_ws) -> None:
    ws = load_ws(name)
    flat, issues = flatten(ws, "---")
    assert not [i for i in issues if i.kind == "collision"]
    back, issues = unflatten_names(flat, "---")
    assert issues == []
    assert dumps_hf(back) == dumps_hf(ws)


def test_unflatten_creates_each_parent_once_with_deterministic_ids() -> None:
    ws = Workspace(intents=[Intent("i1", "x---y"), Intent("i2", "x---z---w"), Intent("i3", "x---z")])
    out, issues = unflatten_names(ws, "---")
    assert issues == []
    paths = {out.intent_path(i.id): i for i in out.intents}
    assert sorted(paths) == [("x",), ("x", "y"), ("x", "z"), ("x", "z", "w")]
    assert paths[("x",)].id == ids.intent_id(("x",))
    # existing intents keep their id and become the parents they name
    assert paths[("x", "z")].id == "i3"
    assert paths[("x", "z", "w")].parent_id == "i3"
    again, _ = unflatten_names(ws, "---")
    assert dumps_hf(again) == dumps_hf(out)


def test_unflatten_ids_from_path_rewrites_example_refs(small_ws: Workspace) -> None:
    flat, _ = flatten(small_ws, "---")
    out, _ = unflatten_names(flat, "---", ids_from="path")
    refund = next(i for i in out.intents if i.name == "refund")
    assert refund.id == ids.intent_id(("billing", "refund"))
    assert out.examples[0].intents[0].intent_id == refund.id


def test_unflatten_reports_empty_segments_and_collisions() -> None:
    ws = Workspace(
        intents=[Intent("i1", "a------b"), Intent("i2", "p---q"), Intent("i3", "q", parent_id="i4"), Intent("i4", "p")]
    )
    out, issues = unflatten_names(ws, "---")
    assert sorted((i.kind, i.intent_id) for i in issues) == [("collision", "i3"), ("empty_segment", "i1")]
    # the empty segment stays inside a name instead of creating a nameless intent
    assert all(i.name for i in out.intents)


def test_tree_counts_own_and_total_examples(load_ws) -> None:
    ws = load_ws("hf/hierarchy-with-parts.json")
    roots, unlabelled = intent_tree(ws)
    assert unlabelled == 0
    assert [(r.name, r.examples, r.total, [(c.name, c.examples) for c in r.children]) for r in roots] == [
        ("about billing", 0, 8, [("how much does it cost?", 8)]),
        ("about platforms", 0, 7, [("Does it work on mobile or tablet?", 7)]),
    ]


def test_tree_counts_negatives_and_unlabelled(small_ws: Workspace) -> None:
    roots, unlabelled = intent_tree(small_ws)
    by_name = {r.name: r for r in roots}
    assert unlabelled == 1
    assert by_name["billing"].children[0].negatives == 1
    assert by_name["greet"].examples == 3


runner = CliRunner()


def test_cli_show_json_and_text(tmp_path, small, write_json) -> None:
    path = write_json(tmp_path / "s.json", small)
    res = runner.invoke(app, ["hierarchy", "show", path, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["unlabelled_examples"] == 1
    billing = doc["intents"][0]
    assert (billing["name"], billing["total"], billing["children"][0]["path"]) == ("billing", 2, ["billing", "refund"])
    res = runner.invoke(app, ["hierarchy", "show", path])
    assert res.exit_code == 0
    assert "refund" in res.stdout and "greet" in res.stdout


def test_cli_flatten_unflatten_files(tmp_path, make_small, write_json) -> None:
    path = write_json(tmp_path / "s.json", make_small())
    flat = tmp_path / "flat.json"
    res = runner.invoke(app, ["hierarchy", "flatten", path, "--delimiter", "::", "-o", str(flat)])
    assert res.exit_code == 0, res.output
    names = [i["name"] for i in json.loads(flat.read_text())["intents"]]
    assert names == ["billing", "billing::refund", "greet"]
    back = tmp_path / "back.json"
    res = runner.invoke(app, ["hierarchy", "unflatten", str(flat), "--delimiter", "::", "-o", str(back)])
    assert res.exit_code == 0, res.output
    assert back.read_bytes() == dumps_hf(read_hf(make_small()))


def test_cli_flatten_collision_exits_1_but_writes(tmp_path, small, write_json) -> None:
    obj = small
    obj["intents"].append({"id": "intent-x", "name": "billing---refund"})
    path = write_json(tmp_path / "s.json", obj)
    out = tmp_path / "o.json"
    res = runner.invoke(app, ["hierarchy", "flatten", path, "-d", "---", "-o", str(out)])
    assert res.exit_code == 1
    assert "collision" in res.output
    assert len(loads_hf(out.read_bytes()).intents) == 4


def test_cli_flatten_rejects_clu_input(corpora) -> None:
    res = runner.invoke(app, ["hierarchy", "flatten", str(corpora / "clu/EmailProject.json"), "-d", "---"])
    assert res.exit_code == 2
    assert "CLU project file" in res.output
