"""HF JSON files written by the previous release (CLU details as ``clu.*`` JSON strings in metadata, the
``hfx.implicit_parent`` mark) still convert to CLU exactly as that release converted them.

The files and their expected output were recorded with that release (tests/data/hf-previous-release/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import DATA
from typer.testing import CliRunner

from hfx.cli.main import app

PREVIOUS = DATA / "hf-previous-release"
NAMES = sorted(p.name.removesuffix(".hf.json") for p in PREVIOUS.glob("*.hf.json"))

runner = CliRunner()


@pytest.fixture(autouse=True)
def default_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_the_recorded_files_are_there() -> None:
    assert NAMES == ["EmailProject", "FlightBooking", "odd", "rich"]


@pytest.mark.parametrize("name", NAMES)
def test_a_file_of_the_previous_release_converts_to_the_same_clu_bytes(name: str, tmp_path: Path) -> None:
    out, report = tmp_path / "project.json", tmp_path / "report.json"
    args = ["convert", "hf-to-clu", str(PREVIOUS / f"{name}.hf.json"), "-o", str(out), "--report", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (PREVIOUS / f"{name}.clu.json").read_bytes()
    assert report.read_bytes() == (PREVIOUS / f"{name}.report.json").read_bytes()
