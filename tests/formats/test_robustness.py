"""Any structurally wrong input gives an InputError (a clear message, exit 2), never a crash."""

from __future__ import annotations

import copy
import json
from typing import Any

from clu_projects import normalized, rich_project
from corpora import CORPORA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsondiff import json_diff

from hfx.errors import InputError
from hfx.formats.clu_json import CluWriteOptions, dumps_clu, read_clu, write_clu
from hfx.formats.hf_json import dumps_hf, read_hf

HF_DOC = json.loads((CORPORA / "hf" / "hierarchy-with-parts.json").read_bytes())
RASA_DOC = json.loads((CORPORA / "hf" / "rasa-moodbot-export.json").read_bytes())
CLU_DOC = json.loads((CORPORA / "clu" / "EmailProject.json").read_bytes())
FLIGHT_DOC = json.loads((CORPORA / "clu" / "FlightBooking.json").read_bytes())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def node_paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(node_paths(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(node_paths(v, (*prefix, i)))
    return out


@st.composite
def mutated(draw: st.DrawFn, doc: Any) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = node_paths(doc)
        path = draw(st.sampled_from(paths))
        value = draw(json_values)
        if not path:
            return value
        target = doc
        for part in path[:-1]:
            target = target[part]
        if isinstance(target, dict) and draw(st.booleans()):
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(HF_DOC), mutated(RASA_DOC)))
def test_mutated_hf_input_reads_or_fails_cleanly(doc: Any) -> None:
    try:
        ws = read_hf(doc, source="m.json")
    except InputError as exc:
        assert str(exc).startswith("m.json: ")
        return
    dumps_hf(ws)
    project, _, _ = write_clu(ws, CluWriteOptions(invalid_names="rewrite"))
    dumps_clu(project)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(CLU_DOC), mutated(FLIGHT_DOC)))
def test_mutated_clu_input_reads_or_fails_cleanly(doc: Any) -> None:
    try:
        ws, _ = read_clu(doc, source="m.json")
    except InputError as exc:
        assert str(exc).startswith("m.json: ")
        return
    hf = dumps_hf(ws)
    project, _, _ = write_clu(read_hf(json.loads(hf)), CluWriteOptions(invalid_names="rewrite"))
    dumps_clu(project)


def _rich() -> Any:
    return rich_project()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(mutated(CLU_DOC), mutated(_rich())))
def test_mutated_clu_that_reads_cleanly_round_trips_losslessly(doc: Any) -> None:
    """Whatever odd shape a component has (unknown keys, nulls, missing languages), a project that reads
    without anything but the documented normalizations comes back through HF JSON unchanged."""
    try:
        ws, report = read_clu(copy.deepcopy(doc))
    except InputError:
        return
    if {i.code for i in report} - {"CLU_DATASET_MISSING", "CLU_LANGUAGE_MISSING"}:
        return  # undeclared intents/entities get declared: a documented, reported normalization
    if not isinstance(doc["metadata"].get("language"), str) or None in doc["metadata"].values():
        return  # no project language: the writer has to pick one
    back, out_report, _ = write_clu(read_hf(json.loads(dumps_hf(ws))))
    if out_report.errors or out_report.losses:
        return  # e.g. a mutation produced a duplicate utterance: reported, not silent
    assert not (diff := json_diff(normalized(doc), back)), "\n".join(diff)
