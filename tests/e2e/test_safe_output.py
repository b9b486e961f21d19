"""Outputs are written into what the user named, never over an input, never into a folder hfx invents.

Every case runs the real CLI as a subprocess in a temp folder; the only real device used is /dev/stdout
through a pipe (FIFOs and symlinks are made in the temp folder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def hfx(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hfx", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


@pytest.fixture()
def work(tmp_path: Path, corpora: Path) -> Path:
    (tmp_path / "p.json").write_bytes((corpora / "clu" / "EmailProject.json").read_bytes())
    return tmp_path


@pytest.fixture()
def expected(work: Path) -> bytes:
    done = hfx("convert", "clu-to-hf", "p.json", cwd=work)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_symlink_is_written_through_and_kept(work: Path, expected: bytes) -> None:
    (work / "real.json").write_text("old", encoding="utf-8")
    (work / "link.json").symlink_to("real.json")
    done = hfx("convert", "clu-to-hf", "p.json", "-o", "link.json", cwd=work)
    assert done.returncode == 0, done.stderr
    assert (work / "link.json").is_symlink() and os.readlink(work / "link.json") == "real.json"
    assert (work / "real.json").read_bytes() == expected


def test_a_fifo_reader_receives_the_document(work: Path, expected: bytes) -> None:
    fifo = work / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = hfx("convert", "clu-to-hf", "p.json", "-o", "pipe", cwd=work)
    reader.join(60)
    assert done.returncode == 0, done.stderr
    assert received == [expected]
    assert fifo.is_fifo()


def test_dev_stdout_through_a_pipe(work: Path, expected: bytes) -> None:
    done = hfx("convert", "clu-to-hf", "p.json", "-o", "/dev/stdout", cwd=work)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    # stdout appended to a file (a shell's >>): written through it, never replacing the file
    log = work / "log.txt"
    log.write_bytes(b"earlier\n")
    with open(log, "ab") as out:
        appended = subprocess.run(
            [sys.executable, "-m", "hfx", "convert", "clu-to-hf", "p.json", "-o", "/dev/stdout"],
            cwd=work,
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert appended.returncode == 0, appended.stderr
    assert log.read_bytes() == b"earlier\n" + expected


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "stdin"])
def test_an_input_is_never_the_output(work: Path, how: str) -> None:
    before = (work / "p.json").read_bytes()
    target = "p.json"
    if how == "symlink":
        (work / "alias.json").symlink_to("p.json")
        target = "alias.json"
    elif how == "hardlink":
        os.link(work / "p.json", work / "alias.json")
        target = "alias.json"
    if how == "stdin":
        with open(work / "p.json", "rb") as stdin:
            done = subprocess.run(
                [sys.executable, "-m", "hfx", "convert", "clu-to-hf", "-", "-o", "p.json"],
                cwd=work,
                stdin=stdin,
                capture_output=True,
                timeout=120,
            )
    else:
        done = hfx("convert", "clu-to-hf", "p.json", "-o", target, cwd=work)
    assert done.returncode == 2
    assert b"is also an input" in done.stderr and target.encode() in done.stderr
    assert (work / "p.json").read_bytes() == before


def test_merge_and_hierarchy_refuse_an_input_as_output(work: Path, expected: bytes) -> None:
    (work / "ws.json").write_bytes(expected)
    merged = hfx("merge", "ws.json", "p.json", "-o", "ws.json", cwd=work)
    assert merged.returncode == 2 and b"is also an input" in merged.stderr
    report = hfx("merge", "ws.json", "p.json", "-o", "out.json", "--report", "p.json", cwd=work)
    assert report.returncode == 2 and b"is also an input" in report.stderr
    flat = hfx("hierarchy", "flatten", "ws.json", "-d", "/", "-o", "ws.json", cwd=work)
    assert flat.returncode == 2 and b"is also an input" in flat.stderr
    assert (work / "ws.json").read_bytes() == expected and not (work / "out.json").exists()


def test_a_missing_folder_is_refused_not_created(work: Path) -> None:
    done = hfx("convert", "clu-to-hf", "p.json", "-o", "nowhere/deeper/x.json", cwd=work)
    assert done.returncode == 2
    assert b"nowhere/deeper/x.json" in done.stderr and b"does not exist" in done.stderr
    assert not (work / "nowhere").exists()


def test_a_folder_as_output_is_named_never_a_temp_file(work: Path) -> None:
    (work / "out").mkdir()
    done = hfx("convert", "clu-to-hf", "p.json", "-o", "out", cwd=work)
    assert done.returncode == 2
    assert b"out: is a folder" in done.stderr and b".tmp" not in done.stderr
    assert list((work / "out").iterdir()) == []


def test_report_dash_is_stdout(work: Path) -> None:
    done = hfx("convert", "clu-to-hf", "p.json", "-o", "ws.json", "--report", "-", cwd=work)
    assert done.returncode == 0, done.stderr
    assert "summary" in json.loads(done.stdout)
    assert not (work / "-").exists() and (work / "ws.json").exists()
    both = hfx("convert", "clu-to-hf", "p.json", "--report", "-", cwd=work)
    assert both.returncode == 2 and b"stdout" in both.stderr and both.stdout == b""
    same = hfx("convert", "clu-to-hf", "p.json", "-o", "x.json", "--report", "x.json", cwd=work)
    assert same.returncode == 2 and not (work / "x.json").exists()


def test_clu_export_into_dev_stdout(work: Path, flight_booking_path: Path) -> None:
    from hfx.clu.client import CluClient
    from hfx.clu.emulator import start_emulator

    key = "safe-output-test-key"
    with start_emulator(key=key) as emu:
        env = {"HFX_CLU_ENDPOINT": emu.url, "HFX_CLU_KEY": key}
        imported = hfx(
            "clu", "import", str(flight_booking_path), "--project", "Flights", "--data-dir", "data", cwd=work, env=env
        )
        assert imported.returncode == 0, imported.stderr
        plain = hfx("clu", "export", "Flights", cwd=work, env=env)
        into = hfx("clu", "export", "Flights", "-o", "/dev/stdout", cwd=work, env=env)
        (work / "link.json").symlink_to("exported.json")
        linked = hfx("clu", "export", "Flights", "-o", "link.json", cwd=work, env=env)
        as_hf = hfx("clu", "export", "Flights", "--to", "hf", cwd=work, env=env)
        with CluClient(emu.url, key) as client:
            info = client.get_project("Flights")
    assert plain.returncode == into.returncode == linked.returncode == 0, into.stderr
    assert len(plain.stdout) > 1000 and into.stdout == plain.stdout
    assert (work / "exported.json").read_bytes() == plain.stdout and (work / "link.json").is_symlink()
    # --to hf: marked as from CLU, and what hfx creates is timed by the project's own dates
    doc = json.loads(as_hf.stdout)
    assert json.loads(doc["metadata"]["hfx"])["source"] == "clu"
    assert {e["created_at"] for e in doc["examples"]} == {info["createdDateTime"][:19] + "Z"}
    assert {e["updated_at"] for e in doc["examples"]} == {info["lastModifiedDateTime"][:19] + "Z"}


@pytest.fixture()
def flight_booking_path(corpora: Path) -> Path:
    return corpora / "clu" / "FlightBooking.json"


def test_evaluate_html_never_replaces_the_workspace(work: Path, expected: bytes) -> None:
    (work / "ws.json").write_bytes(expected)
    done = hfx("evaluate", "ws.json", "--html", "ws.json", cwd=work)
    assert done.returncode == 2 and b"is also an input" in done.stderr
    assert (work / "ws.json").read_bytes() == expected
