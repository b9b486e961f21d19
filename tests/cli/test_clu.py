"""``hfx clu ...`` commands against the real emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.clu.backup import list_backups, project_bytes, write_backup
from hfx.clu.client import CluClient
from hfx.errors import HfxError
from hfx.formats.hf_json import loads_hf

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(emulator, key, monkeypatch):
    """Invoke ``hfx`` in-process with the emulator's endpoint and key in the environment."""
    for var in ("CLU_ENDPOINT", "CLU_KEY", "HFX_CLU_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    env = {"HFX_CLU_ENDPOINT": emulator.url, "HFX_CLU_KEY": key, "COLUMNS": "200"}

    def invoke(*args: str, env_override: dict | None = None):
        return CliRunner().invoke(app, list(args), env={**env, **(env_override or {})}, catch_exceptions=False)

    return invoke


@pytest.fixture
def flight_file(clu_corpus) -> Path:
    return next(p for p in clu_corpus if p.name == "FlightBooking.json")


def test_projects_lists_every_page(run, client):
    for i in range(12):
        client.create_or_update_project(
            f"P{i:02d}", {"projectKind": "Conversation", "language": "en-us", "description": f"[red]team {i}[/red]"}
        )
    result = run("clu", "projects", "--json")
    assert result.exit_code == 0, result.output
    assert [p["projectName"] for p in json.loads(result.stdout)] == [f"P{i:02d}" for i in range(12)]
    table = run("clu", "projects")
    assert table.exit_code == 0 and "P11" in table.stdout and "12 CLU projects" in table.stdout
    assert "[red]team 11[/red]" in table.stdout  # descriptions shown literally, not as rich markup
    narrow = run("clu", "projects", env_override={"COLUMNS": "80"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    stamp = client.get_project("P11")["lastModifiedDateTime"]
    assert f"{stamp[:10]} {stamp[11:16]}" in narrow.stdout  # a timestamp is never broken mid-word
    assert "…" not in narrow.stdout


def test_import_clu_then_export_both_formats(run, client, flight_file, tmp_path):
    result = run("clu", "import", str(flight_file), "--project", "Flights", "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    assert "47 utterances" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing existed, so nothing was backed up

    out = tmp_path / "flights.json"
    exported = run("clu", "export", "Flights", "-o", str(out))
    assert exported.exit_code == 0
    assert exported.stderr.splitlines() == [f"exported Flights to {out} (clu)"]  # no progress residue in logs
    assert json.loads(out.read_text(encoding="utf-8")) == client.export_project("Flights")

    hf = run("clu", "export", "Flights", "--to", "hf")
    assert hf.exit_code == 0, hf.output
    ws = loads_hf(hf.stdout_bytes)
    source = json.loads(flight_file.read_text(encoding="utf-8"))
    assert sorted(e.text for e in ws.examples) == sorted(u["text"] for u in source["assets"]["utterances"])


def test_import_backs_up_the_prior_project_and_the_backup_restores_it(run, client, flight_file, tmp_path):
    data = tmp_path / "data"
    assert run("clu", "import", str(flight_file), "--project", "Flights", "--data-dir", str(data)).exit_code == 0
    original = client.export_project("Flights")

    changed = json.loads(flight_file.read_text(encoding="utf-8"))
    changed["assets"]["utterances"] = changed["assets"]["utterances"][:5]
    changed["metadata"]["description"] = "changed"
    changed_file = tmp_path / "changed.json"
    changed_file.write_text(json.dumps(changed), encoding="utf-8")
    result = run("clu", "import", str(changed_file), "--project", "Flights", "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    assert len(client.export_project("Flights")["assets"]["utterances"]) == 5

    backups = list_backups(data, "Flights")
    assert len(backups) == 1 and str(backups[0]) in result.stderr.replace("\n", "")
    assert backups[0].parent == data / "backups" / "Flights"
    assert backups[0].read_bytes() == project_bytes(original)  # the backup is exactly the prior project

    restored = run("clu", "import", str(backups[0]), "--project", "Flights", "--data-dir", str(data))
    assert restored.exit_code == 0, restored.output
    assert client.export_project("Flights") == original
    assert len(list_backups(data, "Flights")) == 2  # restoring backed up the replaced state too


def test_import_hf_with_invalid_names(run, client, hf_corpus, flight_file, tmp_path):
    hf_file = next(p for p in hf_corpus if p.name == "Academy-Ex06-Entities.json")
    data = tmp_path / "data"
    assert run("clu", "import", str(flight_file), "--project", "Ex06", "--data-dir", str(data)).exit_code == 0
    before = client.export_project("Ex06")

    refused = run("clu", "import", str(hf_file), "--project", "Ex06", "--data-dir", str(data))
    assert refused.exit_code == 1
    assert "CLU_NAME_TOO_LONG" in refused.stderr and "nothing was imported" in refused.stderr
    assert client.export_project("Ex06") == before
    assert list_backups(data, "Ex06") == []

    result = run(
        "clu", "import", str(hf_file), "--project", "Ex06", "--data-dir", str(data), "--invalid-names", "rewrite"
    )
    assert result.exit_code == 0, result.output
    after = client.export_project("Ex06")
    assert after["metadata"]["description"] == before["metadata"]["description"]  # project metadata kept
    ws = loads_hf(hf_file.read_bytes())
    assert len(after["assets"]["utterances"]) > 0
    assert {u["text"] for u in after["assets"]["utterances"]} <= {e.text for e in ws.examples}
    assert len(list_backups(data, "Ex06")) == 1


def test_failed_import_job_exits_1_and_keeps_the_backup(run, client, flight_file, tmp_path):
    data = tmp_path / "data"
    assert run("clu", "import", str(flight_file), "--project", "Flights", "--data-dir", str(data)).exit_code == 0
    broken = json.loads(flight_file.read_text(encoding="utf-8"))
    broken["assets"]["utterances"][0]["intent"] = "Undeclared"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = run("clu", "import", str(path), "--project", "Flights", "--data-dir", str(data))
    assert result.exit_code == 1
    assert "#/assets/utterances/0/intent" in result.stderr
    assert result.stderr.count("Undeclared") == 1  # each problem once: listed, not repeated in the error line
    assert "CLU rejected the import" in result.stderr and "(1 problem above)" in result.stderr
    assert len(list_backups(data, "Flights")) == 1


def test_predict(run, client, flight_file):
    body = json.loads(flight_file.read_text(encoding="utf-8"))
    body["metadata"]["projectName"] = "Flights"
    client.import_project("Flights", body)
    client.train("Flights", "m1")
    client.deploy("Flights", "prod", "m1")
    texts = ["a flight to Washington from Cairo", "cancel that"]
    result = run("clu", "predict", "Flights", "prod", *texts, "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query"] for r in lines] == texts
    assert lines[0]["prediction"]["topIntent"] == "BookFlight"
    table = run("clu", "predict", "Flights", "prod", texts[0])
    assert table.exit_code == 0 and "BookFlight" in table.stdout
    missing = run("clu", "predict", "Flights", "nope", "hello")
    assert missing.exit_code == 1
    assert "no deployment 'nope' (its deployments: prod)" in missing.stderr
    assert "hfx clu deploy Flights nope" in missing.stderr
    empty = run("clu", "predict", "Flights", "prod", "hello", " ")
    assert empty.exit_code == 2 and "TEXT 2 is empty" in empty.stderr  # refused before calling CLU
    assert run("clu", "predict", "Flights", "prod", "x" * 1001).exit_code == 2
    assert run("clu", "predict", "Flights", "prod", "hi", "--string-index-type", "Bytes").exit_code == 2
    markup = run("clu", "predict", "Flights", "prod", "[bold]cancel[/bold] that")
    assert markup.exit_code == 0 and "[bold]cancel[/bold] that" in markup.stdout  # shown literally


def test_configuration_sources_and_errors(run, key, emulator, tmp_path):
    key_file = tmp_path / "clu.key"
    key_file.write_text(key + "\n", encoding="utf-8")
    by_file = run("clu", "projects", "--clu-key-file", str(key_file), env_override={"HFX_CLU_KEY": None})
    assert by_file.exit_code == 0, by_file.output
    by_option = run(
        "clu",
        "projects",
        "--clu-endpoint",
        emulator.url,
        env_override={"HFX_CLU_ENDPOINT": None, "HFX_CLU_KEY": None, "CLU_KEY": key},
    )
    assert by_option.exit_code == 0, by_option.output

    no_key = run("clu", "projects", env_override={"HFX_CLU_KEY": None})
    assert no_key.exit_code == 2 and "HFX_CLU_KEY" in no_key.stderr
    no_endpoint = run("clu", "projects", env_override={"HFX_CLU_ENDPOINT": None})
    assert no_endpoint.exit_code == 2 and "--clu-endpoint" in no_endpoint.stderr
    assert run("clu", "projects", "--clu-key", key).exit_code == 2  # no such option: keys never go in argv
    wrong = run("clu", "projects", env_override={"HFX_CLU_KEY": "wrong"})
    assert wrong.exit_code == 1 and "401" in wrong.stderr
    missing = run("clu", "export", "Nope")
    assert missing.exit_code == 1 and "ProjectNotFound" in missing.stderr


def test_verbose_logs_urls_but_never_the_key(emulator, key):
    env = {**os.environ, "HFX_CLU_ENDPOINT": emulator.url, "HFX_CLU_KEY": key}
    proc = subprocess.run(
        [sys.executable, "-m", "hfx", "clu", "projects", "-vv"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "/language/authoring/analyze-conversations/projects" in proc.stderr
    assert key not in proc.stderr and key not in proc.stdout
    assert all(key not in path for _, path in emulator.request_log)


def test_verbose_in_process_logs_to_that_run_and_leaves_nothing_behind(run, client, capsys):
    """`-v` run twice in one process (a notebook, a test runner): each run's log lines once, in that run's
    stderr; afterwards hfx's loggers are as before (the autouse guard checks) and a late log line prints nothing."""
    import logging

    for _ in range(2):
        result = run("clu", "projects", "-vv")
        assert result.exit_code == 0, result.output
        assert result.stderr.count("DEBUG hfx.clu: GET ") == 1  # once: no handler added by the run before
    logging.getLogger("hfx.clu").warning("after the command")  # before the fix: `--- Logging error ---`
    assert capsys.readouterr().err == ""


def test_emulator_command_serves_until_sigterm(tmp_path, key):
    key_file = tmp_path / "emu.key"
    key_file.write_text(key, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("HFX_CLU_KEY", "CLU_KEY")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hfx",
            "clu",
            "emulator",
            "--port",
            "0",
            "--key-file",
            str(key_file),
            "--job-delay-ms",
            "10",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("CLU emulator listening on http://127.0.0.1:"), line
        url = line.split()[-1]
        with CluClient(url, key, poll_interval=0.01) as client:
            client.create_or_update_project("Demo", {"projectKind": "Conversation", "language": "en-us"})
            assert [p["projectName"] for p in client.list_projects()] == ["Demo"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "emulator stopped after" in err


def test_emulator_command_needs_a_key(monkeypatch):
    for var in ("HFX_CLU_KEY", "CLU_KEY", "HFX_CLU_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(app, ["clu", "emulator", "--port", "0"])
    assert result.exit_code == 2 and "HFX_CLU_KEY" in result.stderr
    assert "--key-file FILE" in result.stderr and "--clu-key-file" not in result.stderr  # the emulator's option


def test_emulator_on_a_busy_port_names_it(monkeypatch):
    import socket

    monkeypatch.setenv("HFX_CLU_KEY", "k")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["clu", "emulator", "--port", str(port)])
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_backups_sort_chronologically_and_never_overwrite(tmp_path):
    from datetime import datetime, timezone

    when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    first = write_backup(tmp_path, "P", {"n": 1}, now=when)
    second = write_backup(tmp_path, "P", {"n": 2}, now=when)
    third = write_backup(tmp_path, "P", {"n": 3}, now=when.replace(second=6))
    assert first.name == "20260102T030405.000006Z.json"
    assert list_backups(tmp_path, "P") == [first, second, third]
    assert [json.loads(p.read_text())["n"] for p in (first, second, third)] == [1, 2, 3]
    for bad in ("..", "a/b", ""):
        with pytest.raises(HfxError):
            write_backup(tmp_path, bad, {})
    late = when.replace(second=7, microsecond=999_999)  # a clash on the last microsecond of a second
    fourth, fifth = (write_backup(tmp_path, "P", {"n": n}, now=late) for n in (4, 5))
    assert list_backups(tmp_path, "P")[-2:] == [fourth, fifth]
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(HfxError, match="cannot write the backup of 'P'"):
        write_backup(a_file, "P", {})


def test_import_of_a_broken_clu_file_stops_before_calling_clu(run, emulator, flight_file, tmp_path):
    broken = json.loads(flight_file.read_text(encoding="utf-8"))
    broken["assets"]["utterances"][3]["entities"][0]["offset"] = "twelve"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = run("clu", "import", str(path), "--project", "Flights", "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 2
    assert str(path) in result.stderr and "/assets/utterances/3/entities/0/offset" in result.stderr
    assert emulator.request_log == []


def test_import_train_deploy_predict(run, client, flight_file, tmp_path):
    """The newcomer's path: import a file, train it, deploy it, ask it - nothing else needed."""
    assert run("clu", "import", str(flight_file), "-p", "Flights").exit_code == 0
    before = run("clu", "predict", "Flights", "production", "book a flight")
    assert before.exit_code == 1
    assert "has no deployment 'production' (it has no deployment yet)" in before.stderr
    assert "hfx clu train Flights && hfx clu deploy Flights production" in before.stderr
    untrained = run("clu", "deploy", "Flights")
    assert untrained.exit_code == 1 and "no trained model 'latest'" in untrained.stderr

    trained = run("clu", "train", "Flights")
    assert trained.exit_code == 0, trained.output
    assert "trained model latest of Flights (standard" in trained.stderr
    assert [m["label"] for m in client.list_models("Flights")] == ["latest"]
    deployed = run("clu", "deploy", "Flights")
    assert deployed.exit_code == 0, deployed.output
    assert "deployed model latest of Flights as production" in deployed.stderr
    assert client.get_deployment("Flights", "production")["modelId"].startswith("latest-")

    answer = run("clu", "predict", "Flights", "production", "book a flight to Cairo", "--json")
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["prediction"]["topIntent"] == "BookFlight"


def test_train_modes_labels_and_evaluation(run, client, flight_file, emulator):
    body = json.loads(flight_file.read_text(encoding="utf-8"))
    body["metadata"].update(projectName="Vols", language="fr-fr")
    client.import_project("Vols", body)
    result = run("clu", "train", "Vols", "-m", "v2", "--evaluation", "manual")
    assert result.exit_code == 0, result.output
    assert "(advanced" in result.stderr  # standard training is for English projects only
    assert "hfx clu deploy Vols production -m v2" in result.stderr
    jobs = [j for j in emulator.state.jobs.values() if j.kind == "train"]
    assert jobs[-1].payload["trainingMode"] == "advanced"
    refused = run("clu", "train", "Vols", "--mode", "standard")
    assert refused.exit_code == 1 and "standard training supports only English" in refused.stderr
    assert run("clu", "train", "Vols", "-m", "bad label!").exit_code == 2
    assert run("clu", "deploy", "Vols", "staging", "-m", "v2").exit_code == 0
    assert client.get_deployment("Vols", "staging")["modelId"].startswith("v2-")


def test_predict_shows_each_score_next_to_its_own_intent(run, client, flight_file):
    body = json.loads(flight_file.read_text(encoding="utf-8"))
    body["metadata"].update(projectName="Flights", settings={"confidenceThreshold": 0.9})
    client.import_project("Flights", body)
    client.train("Flights", "m1")
    client.deploy("Flights", "prod", "m1")
    raw = client.analyze("book a flight to Cairo", "Flights", "prod")["prediction"]
    best = raw["intents"][0]
    assert raw["topIntent"] == "None" and best["category"] == "BookFlight"  # under the 0.9 threshold
    none_score = next(i["confidenceScore"] for i in raw["intents"] if i["category"] == "None")

    table = run("clu", "predict", "Flights", "prod", "book a flight to Cairo")
    assert table.exit_code == 0, table.output
    row = next(line for line in table.stdout.splitlines() if "book a flight" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[1:4] == [
        "None",
        f"{none_score:.3f}",
        f"BookFlight {best['confidenceScore']:.3f} (under the threshold)",
    ]
    assert (
        "1 text: the best intent scored under the project's confidence threshold (0.9), so CLU answered None"
        in table.stderr
    )


def test_import_keeps_backups_in_hfx_data_dir(run, client, flight_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "elsewhere"
    env = {"HFX_DATA_DIR": str(data)}
    assert run("clu", "import", str(flight_file), "-p", "Flights", env_override=env).exit_code == 0
    assert run("clu", "import", str(flight_file), "-p", "Flights", env_override=env).exit_code == 0
    assert len(list_backups(data, "Flights")) == 1
    assert not (tmp_path / "hfx-data").exists()


def test_import_messages_say_what_happened_once(run, client, hf_corpus, tmp_path):
    hf_file = next(p for p in hf_corpus if p.name == "Academy-Ex06-Entities.json")
    names = run("clu", "import", str(hf_file), "-p", "Ex06")
    assert names.exit_code == 1 and "--invalid-names rewrite" in names.stderr  # names are the problem

    doc = json.loads(hf_file.read_text(encoding="utf-8"))
    doc["examples"][0]["text"] = "x" * 600  # too long for CLU: no name would fix that
    long_file = tmp_path / "long.json"
    long_file.write_text(json.dumps(doc), encoding="utf-8")
    other = run("clu", "import", str(long_file), "-p", "Ex06", "--invalid-names", "rewrite")
    assert other.exit_code == 1 and "CLU_UTTERANCE_TOO_LONG" in other.stderr
    assert "--invalid-names" not in other.stderr

    rewritten = run("clu", "import", str(hf_file), "-p", "Ex06", "--invalid-names", "rewrite")
    assert rewritten.exit_code == 0, rewritten.output
    renamed = [line for line in rewritten.stderr.splitlines() if "->" in line]
    assert renamed and len(renamed) == len(set(renamed))
    assert all(line.startswith("renamed ") for line in renamed)  # once each, not again as a report item
    assert not any(a == b for a, b in (line.removeprefix("renamed ").split(" -> ") for line in renamed))


def test_train_shows_progress_on_a_terminal_only(run, client, flight_file):
    body = json.loads(flight_file.read_text(encoding="utf-8"))
    body["metadata"]["projectName"] = "Flights"
    client.import_project("Flights", body)
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}
    shown = run("clu", "train", "Flights", env_override=terminal)
    assert shown.exit_code == 0 and "training Flights (latest, standard)" in shown.stderr
    piped = run("clu", "train", "Flights")
    assert piped.exit_code == 0 and piped.stderr.startswith("trained model latest")  # no progress residue
    quiet = run("-q", "clu", "train", "Flights", env_override=terminal)
    assert quiet.exit_code == 0 and quiet.stderr == ""


@pytest.mark.parametrize("how", ["missing", "null"])
def test_a_clu_file_without_metadata_never_empties_a_project(run, client, emulator, flight_file, tmp_path, how):
    assert (
        run("clu", "import", str(flight_file), "--project", "Flights", "--data-dir", str(tmp_path / "d")).exit_code == 0
    )
    before = client.export_project("Flights")
    broken = json.loads(flight_file.read_text(encoding="utf-8"))
    if how == "missing":
        del broken["metadata"]
    else:
        broken["metadata"] = None
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = run("clu", "import", str(path), "--project", "Flights", "--data-dir", str(tmp_path / "d"))
    assert result.exit_code == 2 and "/metadata" in result.stderr
    assert client.export_project("Flights")["assets"] == before["assets"]
