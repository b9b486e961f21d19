"""k-fold and held-out evaluation: the numbers agree with each other and with the confusion counts."""

from __future__ import annotations

import dataclasses

import pytest

from hfx.model import Tag, Workspace
from hfx.nlu.errors import TrainingError
from hfx.nlu.evaluate import cross_validate, held_out
from hfx.nlu.report import to_html, to_markdown
from hfx.nlu.settings import TrainSettings


def test_k_fold_metrics_are_consistent(small: Workspace) -> None:
    ev = cross_validate(small, TrainSettings(delimiter="/"), folds=3, seed=1)
    assert ev.example_count == 19 == sum(ev.matrix.values()) == sum(s.support for s in ev.intents)
    diagonal = sum(n for (e, p), n in ev.matrix.items() if e == p)
    assert ev.accuracy == round(diagonal / 19, 4)
    assert ev.macro_f1 == pytest.approx(sum(s.f1 for s in ev.intents) / len(ev.intents), abs=1e-4)
    assert sum(c.count for c in ev.confusions) == 19 - diagonal
    assert [c.count for c in ev.confusions] == sorted((c.count for c in ev.confusions), reverse=True)
    assert {s.name for s in ev.intents} == {"billing", "billing/refund", "greet"}
    assert ev.to_json() == cross_validate(small, TrainSettings(delimiter="/"), folds=3, seed=1).to_json()
    [dessert] = [s for s in ev.entities if s.name == "dessert"]
    assert dessert.support == 1


def test_held_out_by_tag_name_or_id(small: Workspace) -> None:
    examples = [dataclasses.replace(e, tags=["tag-blind"]) if n % 4 == 0 else e for n, e in enumerate(small.examples)]
    ws = dataclasses.replace(small, examples=examples, tags=[Tag("tag-blind", "blind")])
    by_name = held_out(ws, "blind")
    assert by_name.example_count == 5 and by_name.method == "test-tag blind"
    assert held_out(ws, "tag-blind").to_json()["intents"] == by_name.to_json()["intents"]
    with pytest.raises(TrainingError, match="no labelled example has the tag"):
        held_out(ws, "other")


def test_bad_fold_counts(small: Workspace) -> None:
    with pytest.raises(TrainingError):
        cross_validate(small, folds=1)
    with pytest.raises(TrainingError, match="at least 50"):
        cross_validate(small, folds=50)
    # 19 examples, but no intent has 8 (scikit-learn's ValueError was a traceback on a small CLU project)
    with pytest.raises(
        TrainingError,
        match="8-fold evaluation needs an intent with at least 8 examples; the largest has 7: use --folds 7 or fewer",
    ):
        cross_validate(small, folds=8)


def test_reports_escape_names(small: Workspace) -> None:
    intents = [dataclasses.replace(i, name="<b>greet|hi</b>") if i.id == "intent-greet" else i for i in small.intents]
    ev = cross_validate(dataclasses.replace(small, intents=intents), folds=2)
    html = to_html(ev, source="<ws>.json")
    assert "<b>greet" not in html and "&lt;b&gt;greet|hi&lt;/b&gt;" in html
    markdown = to_markdown(ev)
    assert "<b>" not in markdown and "&lt;b&gt;greet\\|hi&lt;/b&gt;" in markdown
