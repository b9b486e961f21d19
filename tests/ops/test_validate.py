"""hfx validate: each defect kind in crafted files, the corpora, --target clu, JSON output, exit codes."""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.ops.validate import RULES, validate_obj

Mutation = Callable[[dict[str, Any]], None]


def _codes(obj: Any, **kw: Any) -> list[tuple[str, str]]:
    return [(f.code, f.pointer) for f in validate_obj(obj, source="t.json", **kw)[1]]


def test_the_small_workspace_is_clean(small) -> None:
    assert [c for c in _codes(small) if RULES[c[0]].severity == "error"] == []


HF_DEFECTS: list[tuple[str, Mutation, str, str]] = [
    ("duplicate intent id", lambda o: o["intents"][2].update(id="intent-b"), "HF001", "/intents/2/id"),
    ("duplicate example id", lambda o: o["examples"][1].update(id="ex-1"), "HF001", "/examples/1/id"),
    (
        "duplicate value id",
        lambda o: o["entities"][0]["values"][1].update(id="entval-ny"),
        "HF001",
        "/entities/0/values/1/id",
    ),
    (
        "dangling parent",
        lambda o: o["intents"][1].update(parent_intent_id="intent-zz"),
        "HF002",
        "/intents/1/parent_intent_id",
    ),
    ("cycle", lambda o: o["intents"][0].update(parent_intent_id="intent-r"), "HF003", "/intents/0/parent_intent_id"),
    (
        "dangling example intent",
        lambda o: o["examples"][2]["intents"][0].update(intent_id="intent-zz"),
        "HF004",
        "/examples/2/intents/0/intent_id",
    ),
    (
        "dangling entity id",
        lambda o: o["examples"][0]["entities"][0].update(entity_id="entity-zz"),
        "HF005",
        "/examples/0/entities/0/entity_id",
    ),
    (
        "unknown entity name",
        lambda o: (
            o["examples"][0]["entities"][0].pop("entity_id") and o["examples"][0]["entities"][0].update(name="town")
        ),
        "HF005",
        "/examples/0/entities/0/name",
    ),
    (
        "dangling value id",
        lambda o: o["examples"][0]["entities"][0].update(value_id="entval-zz"),
        "HF006",
        "/examples/0/entities/0/value_id",
    ),
    (
        "dangling tag on example",
        lambda o: o["examples"][0]["tags"][0].update(id="tag-zz"),
        "HF007",
        "/examples/0/tags/0",
    ),
    ("dangling tag on intent", lambda o: o["intents"][1]["tags"][0].update(id="tag-zz"), "HF007", "/intents/1/tags/0"),
    (
        "span past the end",
        lambda o: o["examples"][0]["entities"][0]["span"].update(to_character=99),
        "HF008",
        "/examples/0/entities/0/span",
    ),
    (
        "span reversed",
        lambda o: o["examples"][0]["entities"][0]["span"].update(from_character=12, to_character=10),
        "HF008",
        "/examples/0/entities/0/span",
    ),
    # "my © refund": © is bytes 3..5; 3..4 cuts it
    (
        "span cuts ©",
        lambda o: o["examples"][1]["entities"][0]["span"].update(to_character=4),
        "HF009",
        "/examples/1/entities/0/span",
    ),
    (
        "span text mismatch",
        lambda o: o["examples"][0]["entities"][0].update(text="NY"),
        "HF010",
        "/examples/0/entities/0/span",
    ),
    (
        "same text two intents",
        lambda o: o["examples"].append({"id": "ex-7", "text": "hello  there", "intents": [{"intent_id": "intent-r"}]}),
        "HF011",
        "/examples/6/intents",
    ),
    ("empty intent", lambda o: o["intents"].append({"id": "intent-e", "name": "empty"}), "HF012", "/intents/3"),
    (
        "same full path",
        lambda o: o["intents"].append({"id": "intent-x", "name": "refund", "parent_intent_id": "intent-b"}),
        "HF013",
        "/intents/3/name",
    ),
    (
        "entity id and name disagree",
        lambda o: o["examples"][0]["entities"][0].update(name="town"),
        "HF014",
        "/examples/0/entities/0/name",
    ),
    (
        "value not a key",
        lambda o: (
            o["examples"][0]["entities"][0].pop("value_id") and o["examples"][0]["entities"][0].update(value="Boston")
        ),
        "HF016",
        "/examples/0/entities/0/value",
    ),
    ("parts do not add up", lambda o: o["examples"][2].update(parts=[{"text": "hello"}]), "HF015", "/examples/2/parts"),
    ("schema: text not a string", lambda o: o["examples"][2].update(text=5), "HF000", "/examples/2/text"),
]


@pytest.mark.parametrize(("label", "mutate", "code", "ptr"), HF_DEFECTS, ids=[d[0] for d in HF_DEFECTS])
def test_each_hf_defect_is_found_where_it_is(label: str, mutate: Mutation, code: str, ptr: str, make_small) -> None:
    obj = make_small()
    assert (code, ptr) not in _codes(obj)
    mutate(obj)
    found = validate_obj(obj, source="t.json")[1]
    hit = [f for f in found if f.code == code and f.pointer == ptr]
    assert hit, f"{label}: {[(f.code, f.pointer, f.message) for f in found]}"
    assert hit[0].severity == RULES[code].severity and hit[0].hint and hit[0].file == "t.json"


def test_the_mojibake_span_of_the_real_integration_is_caught(make_small) -> None:
    obj = make_small()
    ex = obj["examples"][1]  # "my © refund"
    ex["entities"] = [
        {"entity_id": "entity-c", "name": "city", "text": "refund", "span": {"from_character": 5, "to_character": 11}}
    ]  # code points, not bytes
    codes = _codes(obj)
    assert ("HF009", "/examples/1/entities/0/span") in codes or ("HF010", "/examples/1/entities/0/span") in codes


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab ©é中😀")), min_size=1, max_size=10), data=st.data())
def test_span_rules_agree_with_utf8(text: str, data: st.DataObject) -> None:
    raw = text.encode("utf-8")
    lo = data.draw(st.integers(0, len(raw)))
    hi = data.draw(st.integers(lo, len(raw)))
    boundary = all(x == len(raw) or not 0x80 <= raw[x] <= 0xBF for x in (lo, hi))
    atext = raw[lo:hi].decode("utf-8") if boundary else "x"
    obj = {
        "intents": [{"id": "i", "name": "n"}],
        "entities": [{"id": "e", "name": "e"}],
        "examples": [
            {
                "id": "x",
                "text": text,
                "intents": [{"intent_id": "i"}],
                "entities": [
                    {"entity_id": "e", "name": "e", "text": atext, "span": {"from_character": lo, "to_character": hi}}
                ],
            }
        ],
    }
    codes = {c for c, _ in _codes(obj)}
    assert ("HF009" in codes) == (not boundary)
    assert "HF010" not in codes and "HF008" not in codes


def _labelled(texts: list[str], langs: list[str | None], intents: list[str]) -> dict[str, Any]:
    examples = [
        {"id": f"x{k}", "text": t, "intents": [{"intent_id": i}], **({"metadata": {"hfx.language": g}} if g else {})}
        for k, (t, g, i) in enumerate(zip(texts, langs, intents, strict=True))
    ]
    return {"intents": [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}], "examples": examples}


# words (é composed and decomposed, an emoji, a ZWJ, a lone surrogate) between white space of every kind, mostly
# single spaces (a workspace whose texts are all written in their normal form is checked another way)
_WORD = st.sampled_from(["a", "a", "\u00e9", "e\u0301", "\U0001f600", "\u200d", "\ud800"])
_INNER = st.sampled_from([" "] * 8 + ["  ", "\t", "\n", "\u00a0", "\u3000"])
_END = st.sampled_from([""] * 8 + [" ", "\t", "\u3000"])
_TEXT = st.builds(
    lambda w, s, e: e[0] + "".join(x + y for x, y in zip(s, w, strict=False)) + w[-1] + e[1],
    st.lists(_WORD, min_size=1, max_size=3),
    st.lists(_INNER, min_size=2, max_size=2),
    st.tuples(_END, _END),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(_TEXT, st.sampled_from([None, None, "en", "fr"]), st.sampled_from(["a", "b"])), min_size=1, max_size=6
    )
)
@example(rows=[("\u00e9 a", None, "a"), ("e\u0301 a", None, "b")])
@example(rows=[("a a", "en", "a"), ("a  a", "en", "b"), ("a\ta", "fr", "b")])
@example(rows=[("a", None, "a"), (" a", None, "b"), ("a\u3000", None, "a")])
@example(rows=[("a a", None, "a"), ("a  a", None, "b")])  # each text printable, one not in its normal form
@example(rows=[("a ", None, "a"), ("a", None, "b")])
@example(rows=[("a", None, "a"), (" a", None, "b")])
@example(rows=[(" a", None, "a"), ("a", None, "b")])
@example(rows=[("a", None, "a"), ("a ", None, "b")])
@example(rows=[("a\ta", None, "a"), ("a a", None, "b")])
def test_same_text_is_nfc_and_runs_of_white_space_whatever_the_mix(rows: list[tuple[str, str | None, str]]) -> None:
    texts, langs, intents = (list(c) for c in zip(*rows, strict=True))
    found = [f for f in validate_obj(_labelled(texts, langs, intents), source="t.json")[1] if f.code == "HF011"]
    keys = [(" ".join(unicodedata.normalize("NFC", t).split()), g) for t, g in zip(texts, langs, strict=True)]
    expected = set()
    for k, key in enumerate(keys):
        same = [j for j in range(len(keys)) if keys[j] == key]
        if len({intents[j] for j in same}) > 1 and k != same[0] and intents[k] != intents[same[0]]:
            expected.add(f"/examples/{k}/intents")
    assert {f.pointer for f in found} == expected


def test_a_replacement_character_is_no_match_for_a_cut_or_a_lone_surrogate() -> None:
    def span_codes(text: str, atext: str, lo: int, hi: int) -> list[str]:
        ann = {"entity_id": "e", "name": "e", "text": atext, "span": {"from_character": lo, "to_character": hi}}
        obj = {
            "intents": [{"id": "i", "name": "n"}],
            "entities": [{"id": "e", "name": "e"}],
            "examples": [{"id": "x", "text": text, "intents": [{"intent_id": "i"}], "entities": [ann]}],
        }
        return [f.code for f in validate_obj(obj, source="t.json")[1] if f.pointer.endswith("/span")]

    assert span_codes("a\u00e9b", "\ufffdb", 2, 4) == ["HF009"]  # starts inside the 2 bytes of é
    assert span_codes("a\u00e9b", "a\ufffd", 0, 2) == ["HF009"]  # ends inside it
    assert span_codes("a\ud800b", "\ud800", 1, 4) == ["HF010"]  # the lone surrogate is no UTF-8
    assert span_codes("a\u00e9b", "\u00e9b", 1, 4) == []


def _clu() -> dict[str, Any]:
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": "p", "language": "en-us"},
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": "None"}, {"category": "greet"}],
            "entities": [{"category": "city"}],
            "utterances": [
                {
                    "text": "hi 😀 Paris",
                    "language": "en-us",
                    "intent": "greet",
                    "dataset": "Train",
                    "entities": [{"category": "city", "offset": 6, "length": 5}],
                },
                {"text": "hello", "intent": "greet"},
            ],
        },
    }


CLU_DEFECTS: list[tuple[str, Mutation, str, str]] = [
    (
        "undeclared intent",
        lambda o: o["assets"]["utterances"][1].update(intent="bye"),
        "CLU001",
        "/assets/utterances/1/intent",
    ),
    (
        "undeclared entity",
        lambda o: o["assets"]["utterances"][0]["entities"][0].update(category="town"),
        "CLU002",
        "/assets/utterances/0/entities/0/category",
    ),
    # the text is 11 UTF-16 units (😀 counts 2): offset 7 + length 5 runs past the end
    (
        "label past the end",
        lambda o: o["assets"]["utterances"][0]["entities"][0].update(offset=7),
        "CLU003",
        "/assets/utterances/0/entities/0",
    ),
    (
        "label cuts the emoji",
        lambda o: o["assets"]["utterances"][0]["entities"][0].update(offset=4, length=2),
        "CLU004",
        "/assets/utterances/0/entities/0",
    ),
    (
        "duplicate utterance (language defaults to the project's)",
        lambda o: o["assets"]["utterances"].append({"text": "hello", "language": "en-us", "intent": "greet"}),
        "CLU005",
        "/assets/utterances/2/text",
    ),
    (
        "too many intents",
        lambda o: o["assets"]["intents"].extend({"category": f"i{n}"} for n in range(500)),
        "CLU006",
        "/assets/intents",
    ),
    (
        "utterance too long",
        lambda o: o["assets"]["utterances"][1].update(text="x" * 501),
        "CLU006",
        "/assets/utterances/1/text",
    ),
    (
        "name too long",
        lambda o: o["assets"]["intents"].append({"category": "n" * 51}),
        "CLU007",
        "/assets/intents/2/category",
    ),
    (
        "forbidden character",
        lambda o: o["assets"]["entities"][0].update(category="ci/ty"),
        "CLU007",
        "/assets/entities/0/category",
    ),
    (
        "declared twice",
        lambda o: o["assets"]["intents"].append({"category": "greet"}),
        "CLU008",
        "/assets/intents/2/category",
    ),
    (
        "unknown language",
        lambda o: o["assets"]["utterances"][1].update(language="xx-yy"),
        "CLU009",
        "/assets/utterances/1/language",
    ),
    (
        "unknown dataset",
        lambda o: o["assets"]["utterances"][1].update(dataset="Dev"),
        "CLU010",
        "/assets/utterances/1/dataset",
    ),
]


@pytest.mark.parametrize(("label", "mutate", "code", "ptr"), CLU_DEFECTS, ids=[d[0] for d in CLU_DEFECTS])
def test_each_clu_defect_is_found_where_it_is(label: str, mutate: Mutation, code: str, ptr: str) -> None:
    obj = _clu()
    assert _codes(obj) == []
    mutate(obj)
    assert (code, ptr) in _codes(obj), label


HF_FOR_CLU: list[tuple[str, Mutation, str, str]] = [
    ("long path", lambda o: o["intents"][1].update(name="r" * 45), "CLU101", "/intents/1/name"),
    ("forbidden char", lambda o: o["intents"][2].update(name="greet?"), "CLU102", "/intents/2/name"),
    ("delimiter in a name", lambda o: o["intents"][2].update(name="greet---hi"), "CLU103", "/intents/2/name"),
    (
        "two intents, one CLU name",
        lambda o: o["intents"].append({"id": "intent-x", "name": "billing---refund"}),
        "CLU104",
        "/intents/3/name",
    ),
    ("utterance too long", lambda o: o["examples"][2].update(text="y" * 501), "CLU106", "/examples/2/text"),
    ("long entity name", lambda o: o["entities"][0].update(name="c" * 51), "CLU101", "/entities/0/name"),
]


@pytest.mark.parametrize(("label", "mutate", "code", "ptr"), HF_FOR_CLU, ids=[d[0] for d in HF_FOR_CLU])
def test_target_clu_checks_an_hf_file_after_flattening(
    label: str, mutate: Mutation, code: str, ptr: str, make_small
) -> None:
    obj = make_small()
    assert [c for c in _codes(obj, target="clu") if c[0].startswith("CLU")] == []
    mutate(obj)
    assert (code, ptr) in _codes(obj, target="clu"), label
    assert (code, ptr) not in _codes(obj)  # only with --target clu


def test_target_clu_counts_limits(make_small) -> None:
    obj = make_small()
    obj["intents"] += [{"id": f"intent-{n}", "name": f"i{n}"} for n in range(500)]
    assert ("CLU105", "/intents") in _codes(obj, target="clu")


# -- corpora and CLI ------------------------------------------------------------------------------------------

runner = CliRunner()


def test_corpora_have_no_errors(hf_corpus, clu_corpus) -> None:
    files = [str(p) for p in hf_corpus + clu_corpus]
    res = runner.invoke(app, ["validate", *files, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["files"] == len(files) and doc["summary"]["errors"] == 0
    assert [f["format"] for f in doc["files"]] == ["hf"] * len(hf_corpus) + ["clu"] * len(clu_corpus)


def test_target_clu_reports_long_academy_intent_paths(hf_corpus) -> None:
    academy = [str(p) for p in hf_corpus if p.name.startswith("Academy")]
    res = runner.invoke(app, ["validate", "--target", "clu", "--format", "json", *academy])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    for entry in doc["files"]:
        long_paths = [f for f in entry["findings"] if f["code"] == "CLU101"]
        assert long_paths, entry["path"]
        for f in long_paths:
            assert f["pointer"].startswith("/intents/") and "CLU allows 50" in f["message"]
    ex07 = next(e for e in doc["files"] if e["path"].endswith("Ex07-High-Coverage.json"))
    assert sorted(f["message"].split("'")[1] for f in ex07["findings"] if f["code"] == "CLU101") == [
        "membership_enquiries---subscription_added_by_mistake",
        "membership_enquiries---what_happens_if_late_with_payment",
    ]


def test_cli_json_document_shape_and_exit_codes(tmp_path, make_small, write_json) -> None:
    good = write_json(tmp_path / "good.json", make_small())
    warn_obj = make_small()
    warn_obj["intents"].append({"id": "intent-e", "name": "empty"})
    warn = write_json(tmp_path / "warn.json", warn_obj)
    bad_obj = make_small()
    bad_obj["examples"][2]["intents"][0]["intent_id"] = "intent-zz"
    bad = write_json(tmp_path / "bad.json", bad_obj)

    assert runner.invoke(app, ["validate", good]).exit_code == 0
    assert runner.invoke(app, ["validate", good, warn]).exit_code == 0
    assert runner.invoke(app, ["validate", good, warn, "--strict"]).exit_code == 1
    res = runner.invoke(app, ["validate", good, bad, "--format", "json"])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert set(doc) == {"files", "summary"}
    assert doc["summary"] == {"files": 2, "errors": 1, "warnings": 0, "unreadable": 0}
    finding = doc["files"][1]["findings"][0]
    assert set(finding) == {"code", "severity", "file", "pointer", "message", "hint"}
    assert (finding["code"], finding["pointer"], finding["file"]) == ("HF004", "/examples/2/intents/0/intent_id", bad)
    text = runner.invoke(app, ["validate", bad]).stdout
    assert "HF004" in text and "/examples/2/intents/0/intent_id" in text and "hint:" in text


def test_cli_unreadable_input_exits_2(tmp_path, make_small, write_json) -> None:
    good = write_json(tmp_path / "good.json", make_small())
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"intents": [')
    array = tmp_path / "array.json"
    array.write_text("[1, 2]")
    res = runner.invoke(
        app, ["validate", good, str(broken), str(array), str(tmp_path / "nope.json"), "--format", "json"]
    )
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["summary"]["unreadable"] == 3
    assert [f["format"] for f in doc["files"]] == ["hf", None, None, None]
    assert all(f["findings"][0]["code"] == "IO001" for f in doc["files"][1:])


def test_target_hf_on_a_clu_file_reports_what_the_conversion_normalizes(corpora) -> None:
    obj = json.loads((corpora / "clu/FlightBooking.json").read_text())
    findings = validate_obj(copy.deepcopy(obj), target="hf")[1]
    assert {f.code for f in findings} == {"CLU107"}
    assert all(f.severity == "warning" for f in findings)


def test_cli_reads_stdin(make_small) -> None:
    obj = make_small()
    obj["intents"][1]["parent_intent_id"] = "intent-zz"
    res = runner.invoke(app, ["validate", "-", "--format", "json"], input=json.dumps(obj))
    assert res.exit_code == 1
    assert json.loads(res.stdout)["files"][0]["findings"][0]["code"] == "HF002"


def test_what_only_the_reader_refuses_is_still_an_error(make_small) -> None:
    obj = make_small()
    obj["intents"].append({"name": "no id"})  # allowed by the schema, but hfx needs ids to resolve references
    found = validate_obj(obj, source="t.json")[1]
    assert [(f.code, f.pointer) for f in found] == [("HF099", "/intents/3")]


def test_broken_structure_is_reported_not_crashed_on() -> None:
    obj = _clu()
    obj["assets"]["entities"][0]["prebuilts"] = [{"category": {"not": "a string"}}]
    for target in (None, "hf", "clu"):
        found = validate_obj(copy.deepcopy(obj), target=target)[1]
        assert [f.code for f in found] == ["CLU000"] and found[0].pointer.startswith("/assets/entities/0/prebuilts")


def test_cli_groups_repeated_findings_and_json_keeps_each(corpora, tmp_path) -> None:
    obj = json.loads((corpora / "clu/FlightBooking.json").read_text())
    utterances = obj["assets"]["utterances"]
    obj["assets"]["utterances"] = [
        dict(u, text=f"{u['text']} {n}", language="xx-zz") for n in range(40) for u in utterances
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(obj))
    count = len(obj["assets"]["utterances"])

    text = runner.invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    lines = [line for line in text.stdout.splitlines() if "CLU009" in line]
    assert len(lines) == 1, text.stdout  # one line per code and pointer pattern ...
    assert "/assets/utterances/*/language" in lines[0]
    assert f"({count:,} times; first at /assets/utterances/0/language)" in lines[0]  # ... with a count
    assert "--format json lists every finding" in text.stdout
    assert count > 1000 and f"1 file: 0 errors, {count:,} warnings" in text.stdout  # 1,000s as in the count

    obj["assets"]["utterances"][1]["language"] = "qq-qq"  # the first message no longer speaks for all of them
    path.write_text(json.dumps(obj))
    text = runner.invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    line = next(line for line in text.stdout.splitlines() if "CLU009" in line)
    assert "'xx-zz'" in line and f"({count:,} times, 1 other message like it; first at" in line

    doc = json.loads(runner.invoke(app, ["validate", str(path), "--format", "json"]).stdout)
    pointers = [f["pointer"] for f in doc["files"][0]["findings"] if f["code"] == "CLU009"]
    assert pointers == [f"/assets/utterances/{i}/language" for i in range(count)]


def test_cli_progress_only_on_a_terminal(make_small, write_json, tmp_path) -> None:
    good = write_json(tmp_path / "good.json", make_small())
    piped = runner.invoke(app, ["validate", good])
    assert piped.exit_code == 0 and piped.stderr == ""  # CI logs get no progress residue
    terminal = runner.invoke(app, ["validate", good], env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"})
    assert terminal.exit_code == 0 and "validating" in terminal.stderr
    quiet = runner.invoke(app, ["-q", "validate", good], env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"})
    assert quiet.stderr == "" and "1 file: 0 errors, 0 warnings" in quiet.stdout  # -q keeps the result


def test_validate_reports_steps_for_progress(make_small, write_json, tmp_path) -> None:
    from hfx.ops.validate import validate_file

    steps: list[str] = []
    validate_file(write_json(tmp_path / "good.json", make_small()), on_stage=steps.append)
    assert steps == ["reading", "schema", "rules", "reader"]
