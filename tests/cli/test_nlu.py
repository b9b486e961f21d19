"""``hfx train``, ``hfx predict``, ``hfx evaluate`` as a user and a CI pipeline run them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app

DATA = Path(__file__).resolve().parents[1] / "data"
MOODBOT = DATA / "hf" / "rasa-moodbot-export.json"
runner = CliRunner()


def run(*args: str, stdin: str | bytes | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "moodbot"
    result = run("train", str(MOODBOT), "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert "trained model" in result.stderr and str(folder) in result.stderr
    return folder


def test_train_then_predict_json(model_dir: Path) -> None:
    result = run("predict", str(model_dir), "hello there", "I feel very sad", "--format", "json", "--top", "2")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [d["text"] for d in doc] == ["hello there", "I feel very sad"]
    for item in doc:
        assert set(item) == {"text", "matches", "entities"}
        assert len(item["matches"]) == 2
        assert all(set(m) == {"id", "name", "score"} and 0 <= m["score"] <= 1 for m in item["matches"])
        assert item["matches"][0]["score"] >= item["matches"][1]["score"]
    assert doc[0]["matches"][0]["name"] == "greet"
    assert doc[1]["matches"][0]["name"] == "mood_unhappy"


def test_predict_entities_in_json_have_byte_offsets(model_dir: Path) -> None:
    text = "née à New York City ©"
    result = run("predict", str(model_dir), "--input", "-", "--format", "json", stdin=(text + "\n").encode())
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)
    entity, notice = item["entities"]
    assert set(entity) == {"entity_id", "entity_value_id", "text", "value", "start", "end", "score", "extractor"}
    assert text.encode()[entity["start"] : entity["end"]].decode() == entity["text"] == "New York City"
    size = len(text.encode())
    assert (notice["start"], notice["end"], notice["value"]) == (size - 2, size, "©")


def test_predict_text_output_and_input_file(model_dir: Path, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("good morning\n\nbye bye\n", encoding="utf-8")
    result = run("predict", str(model_dir), "--input", str(texts))
    assert result.exit_code == 0, result.output
    assert "good morning" in result.stdout and "bye bye" in result.stdout
    assert re.search(r"\d\.\d{3}\s+greet", result.stdout)


def test_predict_errors_name_the_file(model_dir: Path, tmp_path: Path) -> None:
    result = run("predict", str(tmp_path / "nope"), "hi")
    assert result.exit_code == 2 and "nope: no such model folder (make one with `hfx train" in result.stderr
    result = run("predict", str(MOODBOT), "hi")  # the workspace instead of its model
    assert result.exit_code == 2 and "rasa-moodbot-export.json: a file, not a model folder" in result.stderr
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9\n")
    result = run("predict", str(model_dir), "--input", str(bad))
    assert result.exit_code == 2 and "bad.txt" in result.stderr and "UTF-8" in result.stderr
    result = run("predict", str(model_dir))
    assert result.exit_code == 2 and "no texts" in result.stderr


def test_train_refuses_an_existing_folder_and_bad_input(model_dir: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in model_dir.iterdir())
    result = run("train", str(MOODBOT), "-o", str(model_dir))
    assert result.exit_code == 2 and "exists" in result.stderr
    assert sorted(p.name for p in model_dir.iterdir()) == before
    broken = tmp_path / "broken.json"
    broken.write_text('{"examples": [', encoding="utf-8")
    result = run("train", str(broken), "-o", str(tmp_path / "m"))
    assert result.exit_code == 2 and "broken.json" in result.stderr
    one = tmp_path / "one.json"
    one.write_text(
        json.dumps(
            {
                "intents": [{"id": "i", "name": "i"}],
                "examples": [{"id": "e", "text": "hi", "intents": [{"intent_id": "i"}]}],
            }
        )
    )
    result = run("train", str(one), "-o", str(tmp_path / "m"))
    assert result.exit_code == 2 and "at least 2 intents" in result.stderr
    assert not (tmp_path / "m").exists()


def test_train_reads_a_clu_project(tmp_path: Path) -> None:
    result = run("train", str(DATA / "clu" / "FlightBooking.json"), "-o", str(tmp_path / "m"))
    assert result.exit_code == 0, result.output
    result = run("predict", str(tmp_path / "m"), "book a flight to Paris from Cairo", "--format", "json")
    [item] = json.loads(result.stdout)
    assert item["matches"][0]["name"] == "BookFlight"
    assert {e["text"] for e in item["entities"]} >= {"Paris", "Cairo"}


def test_evaluate_json_shape_and_min_bars(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = run("evaluate", str(MOODBOT), "--folds", "3", "--format", "json", "--html", str(report))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"accuracy", "macro_f1", "intents", "confusions", "entities"} <= set(doc)
    assert 0.5 <= doc["accuracy"] <= 1 and 0 <= doc["macro_f1"] <= 1
    assert {i["name"] for i in doc["intents"]} >= {"greet", "goodbye", "mood_unhappy"}
    for row in doc["intents"] + doc["entities"]:
        assert {"id", "name", "precision", "recall", "f1", "support"} <= set(row)
    f1s = [i["f1"] for i in doc["intents"]]
    assert f1s == sorted(f1s)  # worst first
    assert sum(i["support"] for i in doc["intents"]) == 71
    for c in doc["confusions"]:
        assert {"expected", "predicted", "count", "examples"} <= set(c) and c["expected"] != c["predicted"]
        assert 1 <= len(c["examples"]) <= c["count"]
    assert {e["name"] for e in doc["entities"]} == {"city", "copyright", "timeofday"}
    # the same run again is the same document; a bar above the result fails the build
    again = run(
        "evaluate", str(MOODBOT), "--folds", "3", "--format", "json", "--min-accuracy", str(doc["accuracy"] + 0.001)
    )
    assert again.exit_code == 1 and json.loads(again.stdout) == doc
    assert "accuracy" in again.stderr and "below" in again.stderr
    ok = run(
        "evaluate",
        str(MOODBOT),
        "--folds",
        "3",
        "--format",
        "json",
        "--min-accuracy",
        str(doc["accuracy"]),
        "--min-macro-f1",
        str(doc["macro_f1"]),
    )
    assert ok.exit_code == 0
    assert run("evaluate", str(MOODBOT), "--folds", "3", "--min-macro-f1", "1.0").exit_code == 1


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    assert run("evaluate", str(MOODBOT), "--folds", "2", "--html", str(report)).exit_code == 0
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "mood_unhappy" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "@import" not in html


def test_evaluate_markdown_and_test_tag(tmp_path: Path) -> None:
    ws = DATA / "hf" / "Academy-Ex03-Disambiguation.json"
    doc = json.loads(ws.read_text(encoding="utf-8"))
    doc["tags"] = [{"id": "tag-held", "name": "held-out"}]
    for n, example in enumerate(doc["examples"]):
        if n % 7 == 0:
            example["tags"] = [{"id": "tag-held", "name": "held-out"}]
    tagged = tmp_path / "tagged.json"
    tagged.write_text(json.dumps(doc), encoding="utf-8")
    result = run("evaluate", str(tagged), "--test-tag", "held-out", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| accuracy |" in result.stdout and "test-tag held-out" in result.stdout
    assert "| test examples | 125 |" in result.stdout
    result = run("evaluate", str(tagged), "--test-tag", "nope")
    assert result.exit_code == 2 and "nope" in result.stderr


def test_evaluate_refuses_conflicting_or_bad_options() -> None:
    assert run("evaluate", str(MOODBOT), "--folds", "3", "--test-tag", "x").exit_code == 2
    assert run("evaluate", str(MOODBOT), "--min-accuracy", "90").exit_code == 2
    assert run("evaluate", str(MOODBOT), "--folds", "1").exit_code == 2


def test_evaluate_a_project_too_small_for_the_folds_says_what_to_do() -> None:
    """The sample CLU project: 10 utterances, at most 4 per intent (a scikit-learn traceback before)."""
    result = run("evaluate", str(DATA / "clu" / "EmailProject.json"))
    assert result.exit_code == 2
    assert "5-fold evaluation needs an intent with at least 5 examples" in result.stderr
    assert "--folds 4 or fewer" in result.stderr and "Traceback" not in result.output
    assert run("evaluate", str(DATA / "clu" / "EmailProject.json"), "--folds", "4").exit_code == 0


def test_evaluate_a_clu_projects_test_dataset(tmp_path: Path) -> None:
    project = json.loads((DATA / "clu" / "FlightBooking.json").read_text(encoding="utf-8"))
    for n, utterance in enumerate(project["assets"]["utterances"]):
        utterance["dataset"] = "Test" if n % 5 == 0 else "Train"
    path = tmp_path / "flights.json"
    path.write_text(json.dumps(project), encoding="utf-8")
    result = run("evaluate", str(path), "--test-tag", "Test", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["method"] == "test-tag Test" and doc["examples"] == len(project["assets"]["utterances"][::5])
    assert doc["entities"]  # the learned entities are scored too
