"""``hfx convert`` writes the same bytes as the release before the speed work, on every corpus file.

The digests were recorded with ``main`` at 9af47db, without the speed work (orjson writing, the lean model build,
the compiled schema check); first recorded at c06fbe1 and re-recorded at 9af47db for the deliberate output changes
that landed in between (provenance, parts, loss items of issue 9). The HF JSON digests (clu-to-hf output, and the
way back of hf-to-clu) were re-recorded once more for the typed format extensions of issue 11: CLU details and hfx's
marks now travel under one metadata key, ``hfx`` (the CLU digests and every report stayed the same; files of the
previous release are pinned by test_previous_release.py). A changed digest means a user's files would
change on upgrade: that needs a deliberate decision and a CHANGELOG entry, never a silent re-pin.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app

runner = CliRunner()

# name -> (sha256 of the converted file, sha256 of its --report file)
CLU_TO_HF = {
    "EmailProject": (
        "edb33c4ec2f478ea30398e5f7791b0af954069be3d4121857fd8145851b7a8a1",
        "c01768a2160adad70990cc810d5b216409dfbee09a38f153f3af6d11a7172452",
    ),
    "FlightBooking": (
        "10181dda0dcd8fda0cb8206589f7ccd228f900e08e56331c96540d07150118cf",
        "f43c3c21bd5239a403cfe0884451709f0513e8480d6453efd27d997e0375f2f4",
    ),
}
# hf-to-clu with --invalid-names rewrite (the Academy names are not valid CLU names), then back to HF
HF_TO_CLU = {
    "Academy-Ex03-Disambiguation": (
        "b92a1b0829726e58e242ec573249574f774128958eb764f16ad0990e92db6f13",
        "38154fb2dd2d309385dd8769339cec20ade61b1d7e6a3661e6016dd0fef576e3",
    ),
    "Academy-Ex04-BlindSets-PartA": (
        "aa27896f0d895412a8b2e07f68ff7f4c00e476f5c5d315c8b9ca2d546a6365b9",
        "dc1a0393cbd911ee5cdd8eb665415112154d71753fcccc03f19765d294a069b1",
    ),
    "Academy-Ex06-Entities": (
        "66bf262cdcbe9e177f334b0432c727c7d2355b853463434caf0fe4280b43b74b",
        "ec14bf84f2e1895ccd803f310a842a9cc2b15077f08e3336207b26a2804a1ff2",
    ),
    "Academy-Ex07-High-Coverage": (
        "e1e2316b6df3c8b66a2e37e7bb61273678d4b4451068c43a806bbcf7771efb64",
        "73f556220bb8e090456e8578e07f7026e02586a99c474752c4510a41f6498555",
    ),
    "hierarchy-with-parts": (
        "7ba39282ddf90e7a670565c7318f89bf82d20c098139171accffb073a9906d61",
        "d500299159bbee26060a010d4dc4f983ce65125e84b70d5090622c918d384b35",
    ),
    "rasa-moodbot-export": (
        "7710ea40b99f4af9842c15991c8793845ab51fe620eeaa48c11cfe1883cb0193",
        "8bd70bfa3ea718cd4bcf21cff3d126cebd85f20a70aea00e4b09ebb65d203094",
    ),
}
# the loss report of plain hf-to-clu (which refuses the Academy names: its report lists the errors)
HF_TO_CLU_REPORT = {
    "Academy-Ex03-Disambiguation": "92190327b1d7ce4a296017fef87df9854ae4d6595f37940f03bfc52d89bc2a3f",
    "Academy-Ex04-BlindSets-PartA": "554c8aeac83326671287db6af7752cc858a9128396d06d49244c6c78e8e9ad56",
    "Academy-Ex06-Entities": "2f265840844c455764117fc59da2feb43169b21bc175f4b462b3c60cb37a0155",
    "Academy-Ex07-High-Coverage": "32c08bbc5be67a1954effc2db1f3c42dfdedf0f32a832b648689a7453f6ced2a",
    "hierarchy-with-parts": "18f5e355d353ed4ff28bef34fd9be13fe807869adf87b18c51df31c042345a80",
    "rasa-moodbot-export": "59cf43aefa6fa0702dd1cb9d5aea0f2d98978feaf94ce28285f329323455ef24",
}
CLU_ROUND_TRIP = {  # clu-to-hf, then hf-to-clu --invalid-names rewrite
    "EmailProject": "d294c87c2ac4d62193cc4e7c62bdd33c056c4ef1bddf25e2925c0dfab6cff869",
    "FlightBooking": "c8df5b8d42137b74ed2f96808cc71b61786ac622a97fc786e08d26a111ab230f",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def default_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the dates of created objects are part of the bytes


def convert(direction: str, source: Path, out: Path, *extra: str) -> int:
    return runner.invoke(app, ["convert", direction, str(source), "-o", str(out), *extra]).exit_code


@pytest.mark.parametrize("name", sorted(CLU_TO_HF))
def test_clu_to_hf_output_is_unchanged(name: str, corpora: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "ws.json", tmp_path / "report.json"
    assert convert("clu-to-hf", corpora / "clu" / f"{name}.json", out, "--report", str(report)) == 0
    assert (sha256(out), sha256(report)) == CLU_TO_HF[name]
    back = tmp_path / "back.json"
    assert convert("hf-to-clu", out, back, "--invalid-names", "rewrite") == 0
    assert sha256(back) == CLU_ROUND_TRIP[name]


@pytest.mark.parametrize("name", sorted(HF_TO_CLU))
def test_hf_to_clu_output_and_report_are_unchanged(name: str, corpora: Path, tmp_path: Path) -> None:
    source = corpora / "hf" / f"{name}.json"
    report = tmp_path / "report.json"
    convert("hf-to-clu", source, tmp_path / "refused.json", "--report", str(report))
    assert sha256(report) == HF_TO_CLU_REPORT[name]
    out, back = tmp_path / "project.json", tmp_path / "back.json"
    assert convert("hf-to-clu", source, out, "--invalid-names", "rewrite") == 0
    assert convert("clu-to-hf", out, back) == 0
    assert (sha256(out), sha256(back)) == HF_TO_CLU[name]
