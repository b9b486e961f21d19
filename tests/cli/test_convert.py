"""``hfx convert`` as a user runs it: files, stdin/stdout, reports, exit codes, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.formats.clu_json import read_clu
from hfx.formats.hf_json import dumps_hf

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str, stdin: bytes | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture()
def email(corpora: Path) -> Path:
    return corpora / "clu" / "EmailProject.json"


@pytest.fixture()
def hf_file(corpora: Path) -> Any:
    return lambda name: corpora / "hf" / name


def test_clu_to_hf_file_to_file(email: Path, tmp_path: Path) -> None:
    out = tmp_path / "ws.json"
    result = run("convert", "clu-to-hf", str(email), "-o", str(out))
    assert result.exit_code == 0, result.output
    ws, _ = read_clu(json.loads(email.read_bytes()))
    assert out.read_bytes() == dumps_hf(ws)
    assert f"wrote {out}" in result.stderr
    assert result.stdout == ""


def test_hf_to_clu_file_to_file_and_back(hf_file: Any, tmp_path: Path) -> None:
    clu = tmp_path / "p.json"
    result = run(
        "convert",
        "hf-to-clu",
        str(hf_file("hierarchy-with-parts.json")),
        "-o",
        str(clu),
        "--invalid-names",
        "rewrite",
        "--project-name",
        "Parts",
        "--language",
        "de-de",
    )
    assert result.exit_code == 0, result.output
    project = json.loads(clu.read_bytes())
    assert project["metadata"]["projectName"] == "Parts"
    assert project["metadata"]["language"] == "de-de"
    assert "about platforms---Does it work on mobile _6b860ed4" in [i["category"] for i in project["assets"]["intents"]]
    back = tmp_path / "back.json"
    assert run("convert", "clu-to-hf", str(clu), "-o", str(back)).exit_code == 0
    names = {i["name"] for i in json.loads(back.read_bytes())["intents"]}
    assert {"about platforms", "about billing", "how much does it cost_"} <= names


def test_stdin_to_stdout_keeps_stdout_clean(email: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hfx", "convert", "clu-to-hf", "-"],
        input=email.read_bytes(),
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ws, _ = read_clu(json.loads(email.read_bytes()))
    assert proc.stdout == dumps_hf(ws)
    proc2 = subprocess.run(
        [sys.executable, "-m", "hfx", "convert", "hf-to-clu", "-", "-o", "-"],
        input=proc.stdout,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert proc2.returncode == 0, proc2.stderr
    assert json.loads(proc2.stdout) == {**json.loads(email.read_bytes()), "stringIndexType": "Utf16CodeUnit"}


def test_report_file(hf_file: Any, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run(
        "convert",
        "hf-to-clu",
        str(hf_file("rasa-moodbot-export.json")),
        "-o",
        str(tmp_path / "p.json"),
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(report.read_bytes())
    assert set(doc) == {"items", "renames", "summary"}
    codes = {i["code"]: i for i in doc["items"]}
    assert codes["HF_ANNOTATION_ROLE"]["severity"] == "loss"
    assert codes["HF_ANNOTATION_ROLE"]["pointer"].startswith("/examples/")
    assert all(set(i) == {"severity", "code", "pointer", "message"} for i in doc["items"])
    assert doc["summary"]["loss"] == sum(1 for i in doc["items"] if i["severity"] == "loss")
    assert doc["renames"] == {}
    assert "HF_ANNOTATION_ROLE" in result.stderr  # the summary table


def test_strict_exits_1_on_loss_and_0_without(hf_file: Any, email: Path, tmp_path: Path) -> None:
    result = run(
        "convert", "hf-to-clu", str(hf_file("rasa-moodbot-export.json")), "-o", str(tmp_path / "p.json"), "--strict"
    )
    assert result.exit_code == 1
    assert "--strict" in result.stderr
    result = run("convert", "clu-to-hf", str(email), "-o", str(tmp_path / "w.json"), "--strict")
    assert result.exit_code == 0, result.output


def test_errors_exit_1_and_write_nothing(hf_file: Any, tmp_path: Path) -> None:
    out, report = tmp_path / "p.json", tmp_path / "r.json"
    result = run(
        "convert",
        "hf-to-clu",
        str(hf_file("Academy-Ex03-Disambiguation.json")),
        "-o",
        str(out),
        "--report",
        str(report),
    )
    assert result.exit_code == 1
    assert not out.exists()
    assert "nothing was written" in result.stderr and "--invalid-names rewrite" in result.stderr
    doc = json.loads(report.read_bytes())
    assert doc["summary"]["error"] == 6  # every violation at once
    assert {i["code"] for i in doc["items"] if i["severity"] == "error"} == {"CLU_NAME_TOO_LONG"}
    # and nothing on stdout either
    result = run("convert", "hf-to-clu", str(hf_file("hierarchy-with-parts.json")))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("CLU_NAME_") == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"examples": [', "not valid JSON"),
        (b'{"examples": [{"id": "x", "text": 5}]}', "/examples/0/text: expected a string"),
        (
            json.dumps(
                {
                    "intents": [{"id": "i", "name": "a"}],
                    "examples": [
                        {
                            "id": "x",
                            "text": "© [b]",
                            "intents": [{"intent_id": "i"}],
                            "entities": [
                                {"name": "e", "text": "[b]", "span": {"from_character": 1, "to_character": 3}}
                            ],
                        }
                    ],
                }
            ).encode(),
            "/examples/0/entities/0/span: span [1, 3) in UTF-8 bytes",
        ),
    ],
)
def test_bad_input_exits_2_naming_file_and_pointer(tmp_path: Path, content: bytes, expected: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-m", "hfx", "convert", "hf-to-clu", str(bad), "-o", str(out)],
        capture_output=True,
        cwd=REPO,
        check=False,
        text=True,
    )
    assert proc.returncode == 2
    assert f"{bad}:" in proc.stderr
    assert expected in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_bad_clu_input_names_the_pointer(tmp_path: Path, email: Path) -> None:
    doc = json.loads(email.read_bytes())
    doc["assets"]["utterances"][3]["entities"] = [{"category": "x", "offset": 0, "length": 999}]
    bad = tmp_path / "bad clu.json"
    bad.write_text(json.dumps(doc))
    result = run("convert", "clu-to-hf", str(bad))
    assert result.exit_code == 2
    assert f"{bad}: /assets/utterances/3/entities/0: offset 0, length 999" in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_wrong_direction_and_missing_file_exit_2(email: Path, hf_file: Any, tmp_path: Path) -> None:
    result = run("convert", "hf-to-clu", str(email))
    assert result.exit_code == 2 and "clu-to-hf" in result.stderr
    result = run("convert", "clu-to-hf", str(hf_file("rasa-moodbot-export.json")))
    assert result.exit_code == 2 and "hf-to-clu" in result.stderr
    result = run("convert", "clu-to-hf", str(tmp_path / "missing.json"))
    assert result.exit_code == 2 and "missing.json" in result.stderr


def test_test_tag_is_repeatable(hf_file: Any, tmp_path: Path) -> None:
    src = hf_file("Academy-Ex04-BlindSets-PartA.json")
    doc = json.loads(src.read_bytes())
    tag_names = {t["id"]: t["name"] for t in doc["tags"]}
    chosen = {"test-analyst", "test-regression"}
    want = {ex["text"] for ex in doc["examples"] if any(tag_names[t["id"]] in chosen for t in ex.get("tags", []))}
    out = tmp_path / "p.json"
    result = run(
        "convert",
        "hf-to-clu",
        str(src),
        "-o",
        str(out),
        "--invalid-names",
        "rewrite",
        "--test-tag",
        "test-analyst",
        "--test-tag",
        "test-regression",
    )
    assert result.exit_code == 0, result.output
    utts = json.loads(out.read_bytes())["assets"]["utterances"]
    assert want and {u["text"] for u in utts if u["dataset"] == "Test"} == want
    # clu-to-hf: the first test tag names CLU's Test utterances
    back = tmp_path / "w.json"
    assert run("convert", "clu-to-hf", str(out), "-o", str(back), "--test-tag", "blind").exit_code == 0
    ws = json.loads(back.read_bytes())
    assert [t["name"] for t in ws["tags"]] == ["blind"]
    assert {e["text"] for e in ws["examples"] if e.get("tags")} == want


def test_empty_delimiter_means_no_hierarchy(tmp_path: Path, hf_file: Any) -> None:
    clu = tmp_path / "p.json"
    run("convert", "hf-to-clu", str(hf_file("hierarchy-with-parts.json")), "-o", str(clu), "--invalid-names", "rewrite")
    flat = tmp_path / "flat.json"
    result = run("convert", "clu-to-hf", str(clu), "-o", str(flat), "--delimiter", "")
    assert result.exit_code == 0, result.output
    intents = json.loads(flat.read_bytes())["intents"]
    assert all("parent_intent_id" not in i for i in intents)
    assert "about billing---how much does it cost_" in {i["name"] for i in intents}
    # and '' on the way out joins nothing: the flat names come back as they were
    out = tmp_path / "p2.json"
    result = run("convert", "hf-to-clu", str(flat), "-o", str(out), "--delimiter", "")
    assert result.exit_code == 0, result.output
    assert [i["category"] for i in json.loads(out.read_bytes())["assets"]["intents"]] == [
        i["category"] for i in json.loads(clu.read_bytes())["assets"]["intents"]
    ]


def test_base_option(email: Path, hf_file: Any, tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = run("convert", "hf-to-clu", str(hf_file("rasa-moodbot-export.json")), "-o", str(out), "--base", str(email))
    assert result.exit_code == 0, result.output
    meta = json.loads(out.read_bytes())["metadata"]
    base = json.loads(email.read_bytes())["metadata"]
    assert meta["settings"] == base["settings"] and meta["projectName"] == "EmailProject"
    result = run(
        "convert",
        "hf-to-clu",
        str(hf_file("rasa-moodbot-export.json")),
        "--base",
        str(hf_file("rasa-moodbot-export.json")),
    )
    assert result.exit_code == 2 and "--base must be a CLU project file" in result.stderr


def test_output_is_atomic_when_writing_fails(email: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hfx.fileio

    out = tmp_path / "ws.json"
    out.write_bytes(b"previous content\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(hfx.fileio.os, "fsync", broken_fsync)
    result = run("convert", "clu-to-hf", str(email), "-o", str(out))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert out.read_bytes() == b"previous content\n"  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["ws.json"]  # no temp file left behind


def test_errors_leave_an_existing_output_untouched(hf_file: Any, tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    out.write_bytes(b"previous\n")
    result = run("convert", "hf-to-clu", str(hf_file("hierarchy-with-parts.json")), "-o", str(out))
    assert result.exit_code == 1
    assert out.read_bytes() == b"previous\n"


def test_markup_in_user_data_is_printed_literally(tmp_path: Path) -> None:
    ws = {"intents": [{"id": "i", "name": "[/bold] what?"}], "examples": []}
    src = tmp_path / "ws.json"
    src.write_text(json.dumps(ws))
    result = run("convert", "hf-to-clu", str(src))
    assert result.exit_code == 1
    assert "'[/bold] what?'" in " ".join(result.stderr.split())


def test_output_file_gets_the_usual_permissions(email: Path, tmp_path: Path) -> None:
    import os
    import stat

    mask = os.umask(0o022)
    try:
        out, report = tmp_path / "new.json", tmp_path / "report.json"
        assert run("convert", "clu-to-hf", str(email), "-o", str(out), "--report", str(report)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not mkstemp's 0600
        assert stat.S_IMODE(report.stat().st_mode) == 0o644
        kept = tmp_path / "kept.json"
        kept.write_bytes(b"{}")
        kept.chmod(0o640)
        assert run("convert", "clu-to-hf", str(email), "-o", str(kept)).exit_code == 0
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640  # a replaced file keeps its mode
    finally:
        os.umask(mask)


def test_atomic_write_stays_private_by_default(tmp_path: Path) -> None:
    import stat

    from hfx.fileio import atomic_write

    atomic_write(tmp_path / "secret.pem", b"key")  # hfx creds relies on this for private keys
    assert stat.S_IMODE((tmp_path / "secret.pem").stat().st_mode) == 0o600
