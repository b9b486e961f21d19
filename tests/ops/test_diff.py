"""Semantic diff: identity rules, rename inference, outputs and exit codes."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.formats.clu_json import read_clu, write_clu
from hfx.formats.hf_json import dumps_hf, loads_hf, read_hf
from hfx.ops.diff import diff, to_markdown

ALL = [
    "hf/Academy-Ex03-Disambiguation.json",
    "hf/Academy-Ex04-BlindSets-PartA.json",
    "hf/Academy-Ex06-Entities.json",
    "hf/Academy-Ex07-High-Coverage.json",
    "hf/hierarchy-with-parts.json",
    "hf/rasa-moodbot-export.json",
    "clu/EmailProject.json",
    "clu/FlightBooking.json",
]


@pytest.mark.parametrize("name", ALL)
def test_diff_of_a_workspace_with_itself_is_empty(name: str, load_ws) -> None:
    d = diff(load_ws(name), load_ws(name))
    assert d.identical
    assert not any(d.summary().values())


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith("hf/")])
def test_diff_after_hf_round_trip_is_empty(name: str, load_ws) -> None:
    ws = load_ws(name)
    assert diff(ws, loads_hf(dumps_hf(ws))).identical


@pytest.mark.parametrize("name", ["clu/EmailProject.json", "clu/FlightBooking.json"])
def test_diff_after_clu_hf_clu_round_trip_is_empty(name: str, load_obj) -> None:
    ws, _ = read_clu(load_obj(name))
    via_hf = loads_hf(dumps_hf(ws))
    assert diff(ws, via_hf).identical
    project, report, _ = write_clu(via_hf)
    assert not report.errors
    back, _ = read_clu(project)
    assert diff(ws, back).identical


def test_diff_ignores_ids_order_and_whitespace(small) -> None:
    a = read_hf(small)
    other = copy.deepcopy(small)
    for kind in ("intents", "examples", "entities", "tags"):
        other[kind].reverse()
    id_map = {o["id"]: o["id"] + "-new" for o in other["intents"]}
    for it in other["intents"]:
        it["id"] = id_map[it["id"]]
        if "parent_intent_id" in it:
            it["parent_intent_id"] = id_map[it["parent_intent_id"]]
    for ex in other["examples"]:
        ex["id"] = "x" + ex["id"]
        for ref in ex["intents"]:
            ref["intent_id"] = id_map[ref["intent_id"]]
    hello = next(ex for ex in other["examples"] if ex["text"] == "hello there")
    hello["text"] = "  hello   there "  # same normalized text
    d = diff(a, read_hf(other))
    assert d.summary()["examples_changed"] == 1  # the exact text changed, nothing else
    assert d.examples_changed[0]["fields"] == {"text": {"old": "hello there", "new": "  hello   there "}}
    assert sum(d.summary().values()) == 1


def test_diff_reports_each_kind_of_change(small) -> None:
    a = read_hf(small)
    new = copy.deepcopy(small)
    new["intents"][2]["name"] = "greeting"  # rename: same examples
    new["intents"].append({"id": "intent-n", "name": "new one"})
    new["examples"][0]["intents"] = [{"intent_id": "intent-n"}]  # moved
    new["examples"][0]["tags"] = [{"id": "tag-t"}]  # retagged
    new["examples"][1]["entities"] = []  # annotation removed
    new["examples"].append({"id": "ex-9", "text": "brand new", "intents": [{"intent_id": "intent-n"}]})
    del new["examples"][4]  # the unlabelled one
    new["entities"][0]["values"].append({"id": "entval-p", "key_value": "Paris"})
    new["tags"].append({"id": "tag-z", "name": "z"})
    d = diff(a, read_hf(new))
    assert d.intents_renamed == [(("greet",), ("greeting",))]
    assert d.intents_added == [("new one",)]
    assert d.intents_removed == []
    assert [(m["text"], m["from"], m["to"]) for m in d.examples_moved] == [
        ("refund to NYC please", [["billing", "refund"]], [["new one"]])
    ]
    assert [(r["added"], r["removed"]) for r in d.examples_retagged] == [(["Test"], ["regression"])]
    assert d.examples_annotations[0]["removed"][0]["text"] == "©"
    assert [(e["text"], e["intents"]) for e in d.examples_added] == [("brand new", [["new one"]])]
    assert [e["text"] for e in d.examples_removed] == ["what about billing"]
    assert d.entities_changed == [{"entity": "city", "values_added": ["Paris"]}]
    assert d.tags_added == ["z"]
    summary = d.summary()
    assert summary["intents_renamed"] == 1 and summary["examples_moved"] == 1
    md = to_markdown(d, old="a.json", new="b.json")
    assert "| intents renamed | 1 |" in md
    assert "`greet` → `greeting`" in md
    json.dumps(d.to_json())  # serializable


def test_parent_rename_is_inferred_from_its_children(small) -> None:
    new = copy.deepcopy(small)
    new["intents"][0]["name"] = "payments"
    d = diff(read_hf(small), read_hf(new))
    assert sorted(d.intents_renamed) == [(("billing",), ("payments",)), (("billing", "refund"), ("payments", "refund"))]
    assert d.examples_moved == []


def test_diff_hf_against_its_clu_export_shows_what_clu_drops(small) -> None:
    a = read_hf(small)
    project, _, _ = write_clu(a)
    b, _ = read_clu(project)
    d = diff(a, b)
    assert [e["text"] for e in d.examples_removed] == ["what about billing"]  # unlabelled: not in CLU
    assert [(r["text"], r["removed"]) for r in d.examples_retagged] == [("refund to NYC please", ["regression"])]
    assert d.intents_renamed == [] and d.intents_added == [] and d.intents_removed == []


runner = CliRunner()


def test_cli_exit_codes_and_formats(tmp_path, small, write_json, corpora) -> None:
    a = write_json(tmp_path / "a.json", small)
    changed = copy.deepcopy(small)
    changed["examples"].pop(0)
    b = write_json(tmp_path / "b.json", changed)
    res = runner.invoke(app, ["diff", a, a])
    assert res.exit_code == 0 and "identical" in res.stdout
    assert res.stdout.strip() == f"{a} and {a} are semantically identical"  # one line: paths never hard-wrapped
    res = runner.invoke(app, ["diff", a, b, "--format", "json"])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["identical"] is False and doc["summary"]["examples_removed"] == 1
    assert doc["examples"]["removed"][0]["text"] == "refund to NYC please"
    res = runner.invoke(app, ["diff", a, b, "--format", "markdown"])
    assert res.exit_code == 1 and res.stdout.startswith("### hfx diff")
    res = runner.invoke(app, ["diff", a, b])
    assert res.exit_code == 1 and "refund to NYC please" in res.stdout
    # any pairing of formats: a CLU file against itself converted to HF
    clu = str(corpora / "clu/FlightBooking.json")
    hf = tmp_path / "fb.json"
    assert runner.invoke(app, ["convert", "clu-to-hf", clu, "-o", str(hf)]).exit_code == 0
    assert runner.invoke(app, ["diff", clu, str(hf)]).exit_code == 0


def test_cli_shows_names_and_texts_as_they_are_never_as_emoji(tmp_path, small, write_json) -> None:
    # rich turns ":smile:" into an emoji unless told not to: a workspace's own text must be shown as it is
    a = write_json(tmp_path / "a.json", small)
    changed = copy.deepcopy(small)
    changed["intents"][2]["name"] = ":smile: greet"
    changed["examples"][2]["text"] = "hello :thumbs_up: there"
    res = runner.invoke(app, ["diff", a, write_json(tmp_path / "b.json", changed)], env={"COLUMNS": "200"})
    assert res.exit_code == 1
    assert ":smile: greet" in res.stdout and ":thumbs_up:" in res.stdout
    assert "\N{SMILING FACE WITH SMILING EYES}" not in res.stdout and "\N{THUMBS UP SIGN}" not in res.stdout


def test_cli_reads_one_side_from_stdin(tmp_path, small, write_json, corpora) -> None:
    """`hfx clu export P --to hf | hfx diff last.json -` : a pipeline needs no temp file."""
    a = write_json(tmp_path / "a.json", small)
    changed = copy.deepcopy(small)
    changed["examples"].pop(0)
    res = runner.invoke(app, ["diff", a, "-", "--format", "json"], input=json.dumps(changed))
    assert res.exit_code == 1 and json.loads(res.stdout)["summary"]["examples_removed"] == 1
    clu = (corpora / "clu/EmailProject.json").read_text(encoding="utf-8")
    assert runner.invoke(app, ["hierarchy", "show", "-", "--format", "json"], input=clu).exit_code == 0
    res = runner.invoke(app, ["merge", a, "-", "-o", str(tmp_path / "m.json")], input=json.dumps(changed))
    assert res.exit_code == 0 and (tmp_path / "m.json").exists()
    res = runner.invoke(app, ["diff", "-", "-"], input="{}")
    assert res.exit_code == 2 and "only one input" in res.output
    res = runner.invoke(app, ["diff", a, "-"], input="{nope")
    assert res.exit_code == 2 and "<stdin>" in res.output


def test_cli_ignores_the_none_intent_clu_adds(tmp_path, small, write_json) -> None:
    """A CLU export always has CLU's own empty None intent: `hfx clu export P | hfx diff last.json -` is clean."""
    project, report, _ = write_clu(read_hf(small))
    assert not report.errors
    last = json.loads(dumps_hf(read_clu(copy.deepcopy(project))[0]))  # what was sent, as HF
    project["assets"]["intents"].insert(0, {"category": "None"})  # what CLU exports
    a, b = write_json(tmp_path / "a.json", last), write_json(tmp_path / "p.json", project)
    assert runner.invoke(app, ["diff", a, b]).exit_code == 0
    assert runner.invoke(app, ["diff", b, a]).exit_code == 0
    project["assets"]["utterances"].append({"text": "blah", "intent": "None", "language": "en-us"})
    write_json(tmp_path / "p.json", project)  # a None intent that holds utterances is data
    res = runner.invoke(app, ["diff", a, b, "--format", "json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["intents"]["added"] == [["None"]]


def test_cli_unreadable_input_exits_2(tmp_path, small, write_json) -> None:
    a = write_json(tmp_path / "a.json", small)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    res = runner.invoke(app, ["diff", a, str(bad)])
    assert res.exit_code == 2
    assert "bad.json" in res.output
    res = runner.invoke(app, ["diff", a, str(tmp_path / "missing.json")])
    assert res.exit_code == 2


def test_dangling_intent_references_are_shown_not_crashed(small) -> None:
    broken = copy.deepcopy(small)
    broken["examples"][2]["intents"] = [{"intent_id": "intent-gone"}]
    d = diff(read_hf(small), read_hf(broken))
    assert d.examples_moved[0]["to"] == [["<unknown intent intent-gone>"]]
    assert "unknown intent" in to_markdown(d)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_diff_counts_exactly_the_edits_made(make_small, data) -> None:
    obj = make_small()
    n = len(obj["examples"])
    removed = data.draw(st.sets(st.integers(0, n - 1), max_size=3))
    order = data.draw(st.permutations(range(n)))
    new = copy.deepcopy(obj)
    new["examples"] = [obj["examples"][i] for i in order if i not in removed]
    added = {"id": "brand-new", "text": "completely new text", "intents": [{"intent_id": "intent-g"}]}
    new["examples"].insert(0, added)
    d = diff(read_hf(obj), read_hf(new))
    assert sorted(e["text"] for e in d.examples_removed) == sorted(obj["examples"][i]["text"] for i in removed)
    assert [e["text"] for e in d.examples_added] == ["completely new text"]
    others = {k: v for k, v in d.summary().items() if k not in ("examples_added", "examples_removed")}
    assert not any(others.values())
    back = diff(read_hf(new), read_hf(obj))  # and the other way round
    assert (back.summary()["examples_added"], back.summary()["examples_removed"]) == (len(removed), 1)
