"""HF JSON -> CLU -> HF JSON: what CLU can hold comes back, the rest is in the loss report."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from corpora import corpus_files
from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.formats.clu_json import CluReadOptions, CluWriteOptions, dumps_clu, read_clu, write_clu
from hfx.formats.clu_names import FORBIDDEN, MAX_NAME, name_problems, rewrite_names
from hfx.formats.hf_json import dumps_hf, loads_hf, read_hf
from hfx.intent_paths import join_path, split_name
from hfx.model import Workspace

HF_FILES = corpus_files("hf")


def load(path: Path) -> Workspace:
    return loads_hf(path.read_bytes(), source=str(path))


def used_tag(ws: Workspace) -> str:
    """A tag the corpus file really uses on examples (so membership is tested), else ``Test``."""
    used = Counter(t for ex in ws.examples for t in ex.tags)
    names = {t.id: t.name for t in ws.tags}
    return names[min(used)] if used else "Test"


def to_clu_and_back(ws: Workspace, test_tag: str) -> tuple[Workspace, Any, dict[str, str], bytes]:
    project, report, renames = write_clu(ws, CluWriteOptions(invalid_names="rewrite", test_tags=(test_tag,)))
    assert not report.errors, report.errors
    text = dumps_clu(project)
    back, _ = read_clu(json.loads(text), options=CluReadOptions(test_tags=(test_tag,)))
    back = loads_hf(dumps_hf(back))  # through HF JSON text, as a user would
    return back, report, renames, text


def expected_path(path: tuple[str, ...], renames: dict[str, str]) -> tuple[str, ...]:
    flat = join_path(path, "---")
    return split_name(renames.get(flat, flat), "---")


def _assert_intent_paths(ws: Workspace, back: Workspace, report: Any, renames: dict[str, str]) -> dict[str, Any]:
    # Every intent path comes back: unchanged when CLU accepts it, else as the renames map says, and
    # the rewritten names are distinct from every other name.
    orig_paths = ws.intent_paths()
    back_paths = set(back.intent_paths().values())
    expected = {iid: expected_path(p, renames) for iid, p in orig_paths.items()}
    assert set(expected.values()) <= back_paths
    assert len(set(expected.values())) == len(expected)
    for iid, p in orig_paths.items():
        flat = join_path(p, "---")
        if not name_problems(flat):
            assert expected[iid] == p
            assert flat not in renames
        else:
            assert flat in renames
            assert f"{flat!r} -> {renames[flat]!r}" in {i.message for i in report if i.code == "CLU_NAME_REWRITTEN"}
    return expected


def _assert_losses_reported(ws: Workspace, back: Workspace, report: Any, test_ids: set[str]) -> None:
    # What CLU cannot hold is in the loss report.
    losses = {i.code for i in report.losses}
    examples = ws.examples
    if any(not ex.positive_intents for ex in examples):
        assert "HF_UNLABELLED_EXAMPLE" in losses
    if any(r.negative for ex in examples for r in ex.intents):
        assert "HF_NEGATIVE_INTENT" in losses
    if any(len(ex.positive_intents) > 1 for ex in examples):
        assert "HF_SECOND_INTENT" in losses
    dropped = {t for ex in examples for t in ex.tags if t not in test_ids}
    names = {t.id: t.name for t in ws.tags}
    dropped_messages = " ".join(i.message for i in report if i.code == "HF_TAG_DROPPED")
    for t in dropped:
        assert repr(names[t]) in dropped_messages
    if any(ex.metadata for ex in examples):
        assert "HF_EXAMPLE_METADATA" in losses
    if any(a.role for ex in examples for a in ex.annotations):
        assert "HF_ANNOTATION_ROLE" in losses
    # Annotation values that do not come back are reported.
    back_values = {(ex.text, a.start, a.end): a.value for ex in back.examples for a in ex.annotations}
    changed = [
        a
        for ex in examples
        if ex.positive_intents
        for a in ex.annotations
        if a.value is not None and back_values.get((ex.text, a.start, a.end)) != a.value
    ]
    assert bool(changed) == ("HF_ANNOTATION_VALUE" in losses)


@pytest.mark.parametrize("path", HF_FILES, ids=lambda p: p.name)
def test_hf_to_clu_to_hf_keeps_what_clu_can_hold(path: Path) -> None:
    ws = load(path)
    tag = used_tag(ws)
    back, report, renames, _ = to_clu_and_back(ws, tag)
    codes = {i.code for i in report}

    expected = _assert_intent_paths(ws, back, report, renames)

    # Every labelled example comes back with its (first) intent, its annotations and its test-tag membership.
    test_ids = {t.id for t in ws.tags if t.name == tag}
    back_test_ids = {t.id for t in back.tags if t.name == tag}

    def rows(w: Workspace, paths: dict[str, tuple[str, ...]], tags: set[str], rename: Any) -> Counter[Any]:
        out: Counter[Any] = Counter()
        for ex in w.examples:
            pos = ex.positive_intents
            if not pos:
                continue
            anns = tuple(sorted((rename(a.entity), a.start, a.end, a.text) for a in ex.annotations))
            out[(ex.text, paths[pos[0]], anns, bool(tags.intersection(ex.tags)))] += 1
        return out

    want = rows(ws, expected, test_ids, lambda n: renames.get(n, n))
    got = rows(back, back.intent_paths(), back_test_ids, lambda n: n)
    if "HF_DUPLICATE_UTTERANCE" not in codes:
        assert got == want
    else:
        assert got <= want
    assert any(back_test_ids.intersection(ex.tags) for ex in back.examples) == any(
        test_ids.intersection(ex.tags) for ex in ws.examples
    )

    _assert_losses_reported(ws, back, report, test_ids)


@pytest.mark.parametrize("path", HF_FILES, ids=lambda p: p.name)
def test_output_is_deterministic(path: Path) -> None:
    ws = load(path)
    opts = CluWriteOptions(invalid_names="rewrite", test_tags=(used_tag(ws),))
    first = dumps_clu(write_clu(ws, opts)[0])
    assert dumps_clu(write_clu(load(path), opts)[0]) == first


def bad_names(ws: Workspace) -> list[str]:
    """Flat intent paths and entity names that break CLU's documented rules, computed independently."""
    flats = [join_path(p, "---") for p in ws.intent_paths().values()] + [e.name for e in ws.entities]
    return [n for n in flats if len(n) > 50 or any(c in ":$&%*()+~#/?" for c in n)]


@pytest.mark.parametrize("path", HF_FILES, ids=lambda p: p.name)
def test_error_mode_reports_every_violation_at_once(path: Path) -> None:
    ws = load(path)
    _, report, renames = write_clu(ws, CluWriteOptions(invalid_names="error"))
    assert renames == {}
    flagged = {re.match(r"'(.*)': ", i.message).group(1) for i in report.errors}  # type: ignore[union-attr]
    assert flagged == set(bad_names(ws))
    assert all(i.code in {"CLU_NAME_TOO_LONG", "CLU_NAME_FORBIDDEN_CHAR"} for i in report.errors)


def test_the_corpus_has_the_violations_we_expect() -> None:
    by_name = {p.name: load(p) for p in HF_FILES}
    assert any(len(n) > 50 for n in bad_names(by_name["Academy-Ex03-Disambiguation.json"]))
    assert any("?" in n for n in bad_names(by_name["hierarchy-with-parts.json"]))
    _, report, _ = write_clu(by_name["hierarchy-with-parts.json"])
    codes = Counter(i.code for i in report.errors)
    assert codes == {"CLU_NAME_FORBIDDEN_CHAR": 2, "CLU_NAME_TOO_LONG": 1}
    assert {i.pointer for i in report.errors} == {"/intents/0/name", "/intents/2/name"}


# -- a workspace with everything CLU cannot hold ---------------------------------------------------------


def lossy_workspace() -> dict[str, Any]:
    return {
        "name": "Lossy ws",
        "metadata": {"owner": "me"},
        "tags": [{"id": "tag-t", "name": "Test"}, {"id": "tag-o", "name": "other"}],
        "intents": [
            {"id": "i-a", "name": "a"},
            {"id": "i-b", "name": "b", "parent_intent_id": "i-a", "description": "kept?", "metadata": {"k": "v"}},
        ],
        "entities": [
            {
                "id": "e-c",
                "name": "city",
                "values": [{"id": "v-1", "key_value": "Paris", "synonyms": [{"value": "Paris"}]}],
            }
        ],
        "examples": [
            {"id": "x1", "text": "unlabelled"},
            {"id": "x2", "text": "neg", "intents": [{"intent_id": "i-a"}, {"intent_id": "i-b", "negative": True}]},
            {
                "id": "x3",
                "text": "two",
                "intents": [{"intent_id": "i-a"}, {"intent_id": "i-b"}],
                "tags": [{"id": "tag-o"}, {"id": "tag-t"}],
            },
            {"id": "x4", "text": "meta", "intents": [{"intent_id": "i-b"}], "metadata": {"m": "1"}},
            {
                "id": "x5",
                "text": "to Paris 😀 Paris",
                "intents": [{"intent_id": "i-b"}],
                "entities": [
                    {
                        "entity_id": "e-c",
                        "name": "city",
                        "text": "Paris",
                        "value": "Lutetia",
                        "span": {"from_character": 3, "to_character": 8},
                    },
                    {
                        "entity_id": "e-c",
                        "name": "city",
                        "text": "Paris",
                        "role": "to",
                        "span": {"from_character": 14, "to_character": 19},
                    },
                ],
            },
            {"id": "x6", "text": "meta", "intents": [{"intent_id": "i-a"}]},
        ],
    }


def test_everything_clu_cannot_hold_is_reported() -> None:
    ws = read_hf(lossy_workspace())
    project, report, _ = write_clu(ws)
    items = {i.code: i for i in report}
    expected = {
        "HF_UNLABELLED_EXAMPLE": ("/examples/0", "1 unlabelled"),
        "HF_NEGATIVE_INTENT": ("/examples/1", "1 negative"),
        "HF_SECOND_INTENT": ("/examples/2", "1 examples"),
        "HF_TAG_DROPPED": ("/tags/1", "'other' on 1 examples"),
        "HF_EXAMPLE_METADATA": ("/examples/3", "1 examples"),
        "HF_INTENT_METADATA": ("/intents/1", "1 intents"),
        "HF_ANNOTATION_VALUE": ("/examples/4/entities/0", "1 annotations"),
        "HF_ANNOTATION_ROLE": ("/examples/4/entities/1", "1 annotation"),
        "HF_DUPLICATE_UTTERANCE": ("/examples/5", "1 examples"),
    }
    for code, (ptr, text) in expected.items():
        assert code in items, code
        assert items[code].severity == "loss"
        assert items[code].pointer == ptr
        assert text in items[code].message
    utts = project["assets"]["utterances"]
    assert [u["text"] for u in utts] == ["neg", "two", "meta", "to Paris 😀 Paris"]
    assert [u["dataset"] for u in utts] == ["Train", "Test", "Train", "Train"]
    assert utts[3]["entities"] == [
        {"category": "city", "offset": 3, "length": 5},
        {"category": "city", "offset": 12, "length": 5},
    ]
    assert [i["category"] for i in project["assets"]["intents"]] == ["a", "a---b"]


def test_base_project_keeps_metadata_and_settings(corpora: Path) -> None:
    base = json.loads((corpora / "clu" / "EmailProject.json").read_bytes())
    ws = read_hf(lossy_workspace())
    project, _, _ = write_clu(ws, CluWriteOptions(base=base))
    meta = project["metadata"]
    for key in ("projectName", "settings", "multilingual", "description", "language"):
        assert meta[key] == base["metadata"][key], key
    # explicit options still win over the base
    project, _, _ = write_clu(ws, CluWriteOptions(base=base, project_name="Other", language="de-de"))
    assert project["metadata"]["projectName"] == "Other"
    assert project["metadata"]["language"] == "de-de"
    assert {u["language"] for u in project["assets"]["utterances"]} == {"de-de"}


def test_project_name_and_language_without_base() -> None:
    project, report, _ = write_clu(read_hf(lossy_workspace()))
    assert project["metadata"]["projectName"] == "Lossy_ws"
    assert project["metadata"]["language"] == "en-us"
    assert "HF_NO_LANGUAGE" in {i.code for i in report}


# -- the name rewrite ------------------------------------------------------------------------------------

segment = st.text(alphabet=st.sampled_from("ab-_ ?:/#中😀" + "".join(FORBIDDEN)), min_size=1, max_size=30)
paths = st.lists(st.lists(segment, min_size=1, max_size=3).map(tuple), min_size=1, max_size=12, unique=True)


@settings(max_examples=300, deadline=None)
@given(paths, st.randoms(use_true_random=False))
def test_rewritten_names_are_valid_unique_and_order_independent(case: list[tuple[str, ...]], rnd: Any) -> None:
    flats = [join_path(p, "---") for p in case]
    rows = dict(zip(flats, case, strict=True))  # two paths may join to the same flat name; keep one
    names, splits = list(rows), list(rows.values())
    renames = rewrite_names(names, splits, "---")
    final = [renames.get(n, n) for n in names]
    assert len(set(final)) == len(final)
    for name, segs, new in zip(names, splits, final, strict=True):
        ok = not name_problems(name) and split_name(name, "---") == segs
        if ok and name in renames:  # only when its parent was renamed: it follows its parent
            assert len(segs) > 1 and split_name(renames[name], "---")[:-1] != segs[:-1]
        else:
            assert not name_problems(new), (name, new)
            assert len(new) <= MAX_NAME and not set(new) & FORBIDDEN
    shuffled = list(zip(names, splits, strict=True))
    rnd.shuffle(shuffled)
    assert rewrite_names([n for n, _ in shuffled], [s for _, s in shuffled], "---") == renames


def test_intent_and_entity_renames_do_not_mix() -> None:
    # The entity 'a?' alone could become 'a_'; the intent 'a?' cannot, since an intent 'a_' exists. Both get
    # the same new name so the one renames map stays unambiguous.
    ws = read_hf(
        {
            "intents": [{"id": "i1", "name": "a?"}, {"id": "i2", "name": "a_"}],
            "entities": [{"id": "e1", "name": "a?"}],
            "examples": [
                {
                    "id": "x",
                    "text": "t",
                    "intents": [{"intent_id": "i1"}],
                    "entities": [{"name": "a?", "text": "t", "span": {"from_character": 0, "to_character": 1}}],
                }
            ],
        }
    )
    project, report, renames = write_clu(ws, CluWriteOptions(invalid_names="rewrite"))
    assert not report.errors
    intents = [i["category"] for i in project["assets"]["intents"]]
    assert len(set(intents)) == 2 and "a_" in intents
    assert renames["a?"] in intents
    assert project["assets"]["entities"][0]["category"] == renames["a?"]
    assert project["assets"]["utterances"][0]["entities"][0]["category"] == renames["a?"]
    assert {i.message for i in report if i.code == "CLU_NAME_REWRITTEN"} == {f"'a?' -> {renames['a?']!r}"}


def test_broken_references_are_errors_with_pointers() -> None:
    ws = read_hf(
        {
            "intents": [
                {"id": "i1", "name": "a", "parent_intent_id": "i2"},
                {"id": "i2", "name": "b", "parent_intent_id": "i1"},
                {"id": "i3", "name": "ok"},
            ],
            "examples": [
                {"id": "x1", "text": "t1", "intents": [{"intent_id": "i3", "negative": True}, {"intent_id": "nope"}]},
                {
                    "id": "x2",
                    "text": "t2",
                    "intents": [{"intent_id": "i3"}],
                    "entities": [{"name": "ghost", "text": "t", "span": {"from_character": 0, "to_character": 1}}],
                },
            ],
        }
    )
    _, report, _ = write_clu(ws)
    errors = {(i.code, i.pointer) for i in report.errors}
    assert errors == {
        ("HF_BROKEN_HIERARCHY", "/intents/0"),
        ("HF_BROKEN_HIERARCHY", "/intents/1"),
        ("HF_DANGLING_INTENT", "/examples/0/intents/1"),
        ("HF_DANGLING_ENTITY", "/examples/1/entities/0"),
    }


# -- generated HF workspaces -----------------------------------------------------------------------------

leaf = st.text(alphabet=st.sampled_from("ab-?:/#( é中😀_"), min_size=1, max_size=30).filter(lambda s: s.strip())
word = st.text(alphabet=st.sampled_from("xyz é©中😀👍🏽"), min_size=1, max_size=6).filter(lambda s: s.strip() == s)


@st.composite
def hf_workspaces(draw: st.DrawFn) -> dict[str, Any]:
    intents: list[dict[str, Any]] = []
    for k in range(draw(st.integers(1, 8))):
        parent = draw(st.one_of(st.none(), st.integers(0, k - 1))) if k else None
        siblings = {
            i["name"] for i in intents if i.get("parent_intent_id") == (f"i{parent}" if parent is not None else None)
        }
        name = draw(leaf.filter(lambda n, s=siblings: n not in s))
        intent = {"id": f"i{k}", "name": name}
        if parent is not None:
            intent["parent_intent_id"] = f"i{parent}"
        intents.append(intent)
    entities = [
        {"id": f"e{k}", "name": name, "values": [{"id": f"v{k}", "key_value": "K", "synonyms": [{"value": "K"}]}]}
        for k, name in enumerate(draw(st.lists(leaf, max_size=3, unique=True)))
    ]
    tags = [{"id": "t-test", "name": "Test"}, {"id": "t-other", "name": "other"}]
    examples = []
    texts: set[str] = set()
    for k in range(draw(st.integers(0, 10))):
        pieces = draw(st.lists(word, min_size=1, max_size=5))
        text = " ".join(pieces)
        if text in texts:
            continue
        texts.add(text)
        ex: dict[str, Any] = {"id": f"x{k}", "text": text}
        if draw(st.integers(0, 5)):
            ex["intents"] = [{"intent_id": f"i{draw(st.integers(0, len(intents) - 1))}"}]
        ex["tags"] = [{"id": t} for t in draw(st.lists(st.sampled_from(["t-test", "t-other"]), unique=True))]
        if entities and draw(st.booleans()):
            j = draw(st.integers(0, len(pieces) - 1))
            start = len(" ".join(pieces[:j]) + (" " if j else ""))
            lo = len(text[:start].encode())
            ex["entities"] = [
                {
                    "entity_id": "e0",
                    "name": entities[0]["name"],
                    "text": pieces[j],
                    "span": {"from_character": lo, "to_character": lo + len(pieces[j].encode())},
                }
            ]
        examples.append(ex)
    return {"intents": intents, "entities": entities, "tags": tags, "examples": examples}


@settings(max_examples=200, deadline=None)
@given(hf_workspaces())
def test_generated_hf_workspaces_survive_clu(doc: dict[str, Any]) -> None:
    ws = read_hf(doc)
    back, report, renames, _ = to_clu_and_back(ws, "Test")
    orig_paths = ws.intent_paths()
    expected = {iid: expected_path(p, renames) for iid, p in orig_paths.items()}
    assert len(set(expected.values())) == len(expected)
    assert set(expected.values()) <= set(back.intent_paths().values())
    want = Counter(
        (
            ex.text,
            expected[ex.positive_intents[0]],
            "t-test" in ex.tags,
            tuple((renames.get(a.entity, a.entity), a.start, a.end) for a in ex.annotations),
        )
        for ex in ws.examples
        if ex.positive_intents
    )
    test_ids = {t.id for t in back.tags if t.name == "Test"}
    bp = back.intent_paths()
    got = Counter(
        (
            ex.text,
            bp[ex.positive_intents[0]],
            bool(test_ids.intersection(ex.tags)),
            tuple((a.entity, a.start, a.end) for a in ex.annotations),
        )
        for ex in back.examples
    )
    assert got == want
    if any(not ex.positive_intents for ex in ws.examples):
        assert "HF_UNLABELLED_EXAMPLE" in {i.code for i in report}


def test_empty_delimiter_writes_leaf_names_and_reports_lost_parents(hf_corpus: list[Path]) -> None:
    path = next(p for p in hf_corpus if p.name == "hierarchy-with-parts.json")
    ws = load(path)
    project, report, renames = write_clu(ws, CluWriteOptions(delimiter="", invalid_names="rewrite"))
    assert not report.errors
    names = [i["category"] for i in project["assets"]["intents"]]
    assert names == [renames.get(i.name, i.name) for i in ws.intents]
    assert "about billing" in names and "how much does it cost_" in names
    lost = next(i for i in report if i.code == "HF_HIERARCHY_FLATTENED")
    assert lost.severity == "loss" and "2 intents" in lost.message


@pytest.mark.parametrize("mode", ["error", "rewrite"])
def test_a_delimiter_clu_forbids_is_an_error_in_both_modes(mode: str) -> None:
    ws = loads_hf(
        json.dumps(
            {
                "intents": [{"id": "p", "name": "billing"}, {"id": "c", "name": "refund", "parent_intent_id": "p"}],
                "examples": [{"id": "x", "text": "refund me", "intents": [{"intent_id": "c"}]}],
            }
        )
    )
    _, report, _ = write_clu(ws, CluWriteOptions(delimiter="/", invalid_names=mode))  # type: ignore[arg-type]
    assert "CLU_DELIMITER_FORBIDDEN" in {i.code for i in report.errors}
    # A flat workspace never joins names, so the same delimiter is harmless there.
    flat = loads_hf(
        json.dumps(
            {
                "intents": [{"id": "p", "name": "billing"}],
                "examples": [{"id": "x", "text": "bill", "intents": [{"intent_id": "p"}]}],
            }
        )
    )
    _, report, _ = write_clu(flat, CluWriteOptions(delimiter="/", invalid_names=mode))  # type: ignore[arg-type]
    assert not report.errors


@settings(max_examples=150, deadline=None)
@given(paths)
def test_rewritten_children_stay_under_their_rewritten_parent(case: list[tuple[str, ...]]) -> None:
    full = {p[:k] for p in case for k in range(1, len(p) + 1)}  # every parent is an intent too
    rows = {join_path(p, "---"): p for p in sorted(full, key=len)}
    names, splits = list(rows), list(rows.values())
    lost: set[str] = set()
    renames = rewrite_names(names, splits, "---", lost)
    final = {p: renames.get(n, n) for n, p in rows.items()}
    for name, path in rows.items():
        if len(path) == 1 or name in lost or rows.get(join_path(path[:-1], "---")) != path[:-1]:
            continue
        assert split_name(final[path], "---")[:-1] == split_name(final[path[:-1]], "---"), (name, final[path])
        assert not name_problems(final[path])


def test_a_long_parent_keeps_its_children_and_an_impossible_fit_is_a_loss() -> None:
    parent, child = "p" * 45, "c" * 30
    ws = read_hf(
        {
            "intents": [
                {"id": "a", "name": parent},
                {"id": "b", "name": child, "parent_intent_id": "a"},
                {"id": "c", "name": "x" * 60},
                {"id": "d", "name": "y" * 60, "parent_intent_id": "c"},
            ],
            "examples": [{"id": f"e{k}", "text": f"t{k}", "intents": [{"intent_id": i}]} for k, i in enumerate("abcd")],
        }
    )
    project, report, renames = write_clu(ws, CluWriteOptions(invalid_names="rewrite"))
    names = [i["category"] for i in project["assets"]["intents"]]
    assert names[0] == parent  # valid: untouched
    # 45 + 3 leaves 2 characters: not enough for a cut leaf and its hash, so the child becomes a root (a loss)
    lost = {i.pointer: i for i in report if i.code == "CLU_NAME_HIERARCHY_LOST"}
    assert set(lost) == {"/intents/1/name"} and lost["/intents/1/name"].severity == "loss"
    assert "---" not in names[1]
    # a long parent is cut on its own; its child keeps it as prefix
    assert len(names[2]) <= MAX_NAME and names[3].startswith(names[2] + "---") and len(names[3]) <= MAX_NAME
    back, _ = read_clu(json.loads(dumps_clu(project)))
    paths = {back.intent_path(i.id) for i in back.intents}
    assert (names[2], names[3][len(names[2]) + 3 :]) in paths


def _workspace_with(examples: int, *, duplicates: int = 0, intents: int = 1) -> Workspace:
    from hfx.model import Example, Intent, IntentRef

    ws = Workspace(
        name="big", language="en-us", intents=[Intent(id=f"i{k}", name=f"intent{k}") for k in range(intents)]
    )
    ws.examples = [
        Example(
            id=f"x{n}",
            text=f"utterance {n - duplicates if n >= examples - duplicates else n}",
            intents=[IntentRef(f"i{n % intents}")],
        )
        for n in range(examples)
    ]
    return ws


def test_a_workspace_over_the_utterance_limit_is_refused_before_its_utterances_are_converted() -> None:
    limit = 50_000
    project, report, _ = write_clu(_workspace_with(limit + 1))
    assert [(i.code, i.message) for i in report.errors] == [
        ("CLU_LIMIT", f"{limit + 1} utterances; CLU allows at most {limit} per project")
    ]
    assert project["assets"]["utterances"] == []
    assert [i["category"] for i in project["assets"]["intents"]] == ["intent0"]


def test_the_utterance_limit_counts_what_clu_would_receive() -> None:
    # 50,002 examples, two of them repeating an earlier text: 50,000 utterances, within the limit
    project, report, _ = write_clu(_workspace_with(50_002, duplicates=2))
    assert not report.errors
    assert len(project["assets"]["utterances"]) == 50_000
    assert [i.code for i in report.losses] == ["HF_DUPLICATE_UTTERANCE"]


def test_the_intent_limit_is_checked_too() -> None:
    _, report, _ = write_clu(_workspace_with(600, intents=501))
    assert [i.message for i in report.errors] == ["501 intents; CLU allows at most 500 per project"]
