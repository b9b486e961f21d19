"""Fuzzing the CLI with mutated corpus files: every run ends with exit 0, 1 or 2 and a message, never a
traceback, and never exit 0 with an output that ``hfx validate`` rejects.

In-process (Typer's CliRunner) and a bounded number of examples, so it stays fast; derandomized under CI
(the ``ci`` hypothesis profile in tests/conftest.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from corpora import CORPORA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hfx.cli.main import app

runner = CliRunner()
DOCS = {
    "clu": [json.loads((CORPORA / "clu" / n).read_bytes()) for n in ("EmailProject.json", "FlightBooking.json")],
    "hf": [
        json.loads((CORPORA / "hf" / n).read_bytes()) for n in ("hierarchy-with-parts.json", "rasa-moodbot-export.json")
    ],
}

# values that have broken readers and writers before
odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", " ", "a---b", "---", "x" * 300, "Test", "Train", "😀", "a?b", "None", "en-us", "é\u0301"]),
    st.text(max_size=8),
    st.just([]),
    st.just({}),
    st.lists(st.integers(0, 3), max_size=3),
)


def paths_of(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(paths_of(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(paths_of(v, (*prefix, i)))
    return out


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    doc = copy.deepcopy(draw(st.sampled_from(DOCS[kind])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths_of(doc)[1:]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = draw(st.sampled_from(["set", "delete", "duplicate", "copy-sibling"]))
        if action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))  # a second object with the same id or name
        elif action == "copy-sibling" and isinstance(parent, list) and len(parent) > 1:
            parent[key] = copy.deepcopy(parent[draw(st.integers(0, len(parent) - 1))])
        else:
            parent[key] = draw(odd_values)
    text = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    tail = draw(st.sampled_from([b"", b"NaN", b"1e400", b"[" * 200]))
    if tail and text.endswith(b"}"):
        text = text[:-1] + b', "zz": ' + tail + b"}"
    return text


def check(args: list[str], output: Path | None) -> None:
    result = runner.invoke(app, args)
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    assert crash is None, (args, repr(crash))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
    if result.exit_code == 0 and output is not None and output.exists():
        checked = runner.invoke(app, ["validate", str(output), "--format", "json"])
        findings = [f for f in json.loads(checked.stdout)["files"][0]["findings"] if f["severity"] == "error"]
        assert checked.exit_code == 0 and not findings, (args, checked.stdout[:3000])


FUZZ = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(mutated("clu"))
def test_mutated_clu_projects(tmp_path_factory: Any, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    src = folder / "in.json"
    src.write_bytes(data)
    out, back = folder / "out.json", folder / "back.json"
    check(["convert", "clu-to-hf", str(src), "-o", str(out)], out)
    check(["validate", str(src)], None)
    if out.exists():
        check(["convert", "hf-to-clu", str(out), "-o", str(back), "--invalid-names", "rewrite"], back)


@FUZZ
@given(mutated("hf"), st.sampled_from(["error", "rewrite"]))
def test_mutated_hf_workspaces(tmp_path_factory: Any, data: bytes, names: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    src = folder / "in.json"
    src.write_bytes(data)
    out, merged = folder / "out.json", folder / "merged.json"
    check(["convert", "hf-to-clu", str(src), "-o", str(out), "--invalid-names", names], out)
    check(["validate", str(src), "--target", "clu"], None)
    check(["merge", str(src), str(src), "-o", str(merged)], merged)
    check(["hierarchy", "flatten", str(src), "-d", "/", "-o", str(folder / "flat.json")], None)
