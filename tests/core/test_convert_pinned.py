"""``hfx convert`` writes the same bytes as the release before the speed work, on every corpus file.

The digests were recorded with ``main`` at c06fbe1 (before orjson, the lean model build and the compiled schema
check). A changed digest means a user's files would change on upgrade: that needs a deliberate decision and a
CHANGELOG entry, never a silent re-pin.
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
    "EmailProject": ("0dc18cd00ab76aabee1765ac0a26c86f5f54ff7157f691a408979927113abc36",
                     "c01768a2160adad70990cc810d5b216409dfbee09a38f153f3af6d11a7172452"),
    "FlightBooking": ("52f7e829a4df68d8c9362c2509103648e8a8bc8357007b1cba80d49ef33c2e55",
                      "f43c3c21bd5239a403cfe0884451709f0513e8480d6453efd27d997e0375f2f4"),
}
# hf-to-clu with --invalid-names rewrite (the Academy names are not valid CLU names), then back to HF
HF_TO_CLU = {
    "Academy-Ex03-Disambiguation": ("b92a1b0829726e58e242ec573249574f774128958eb764f16ad0990e92db6f13",
                                    "b9de1aa138fec86ca5b16b75fd76e248c5be5359a1d7ece470b352f2891bc2a6"),
    "Academy-Ex04-BlindSets-PartA": ("aa27896f0d895412a8b2e07f68ff7f4c00e476f5c5d315c8b9ca2d546a6365b9",
                                     "e81599add0858c1c82f3edb6d9d281830f6079b77bf17a6a64ca022ff8232565"),
    "Academy-Ex06-Entities": ("66bf262cdcbe9e177f334b0432c727c7d2355b853463434caf0fe4280b43b74b",
                              "b0375806eebbeb38b7496507a31101ebf1a958090d65b46381175ea0f6dfd331"),
    "Academy-Ex07-High-Coverage": ("e1e2316b6df3c8b66a2e37e7bb61273678d4b4451068c43a806bbcf7771efb64",
                                   "a90bc4f54177737515f3359d370789d12729a6d6de89171b1140da47a5126ef1"),
    "hierarchy-with-parts": ("7ba39282ddf90e7a670565c7318f89bf82d20c098139171accffb073a9906d61",
                             "8d87aaa11ec56d57e685e4c742d0cbd4dc55383fc34dc4f6b5a7bc63475c88b9"),
    "rasa-moodbot-export": ("7710ea40b99f4af9842c15991c8793845ab51fe620eeaa48c11cfe1883cb0193",
                            "a6e4c6c60f70fcd357b9d2ae693cf0c28dd6d1bc475722321cd1f2be7b5b13ae"),
}
# the loss report of plain hf-to-clu (which refuses the Academy names: its report lists the errors)
HF_TO_CLU_REPORT = {
    "Academy-Ex03-Disambiguation": "9e5209525bd3c0f0ef0bf86a74d2b209a1f23a60f58fb9e8e4fd45e4529ee7b3",
    "Academy-Ex04-BlindSets-PartA": "c2e01e628960e2480027672580ca664de6937e0eaad55863ecdd16fe57252cd9",
    "Academy-Ex06-Entities": "908d4bf32067951800018019b0932bccafffd14b0c9aaad073eae52c5444479d",
    "Academy-Ex07-High-Coverage": "33b4c1a1958c2b579f712a4be30dd9501d4c21120504d75173db02c00866d190",
    "hierarchy-with-parts": "1362358187238f0647e86d8e696678faa38a87e62472de5ff36018ab330f294b",
    "rasa-moodbot-export": "40f87461bc7b837bd023177b2acd1b203316e4a3a66cf12e0edc84c1848ad16b",
}
CLU_ROUND_TRIP = {  # clu-to-hf, then hf-to-clu --invalid-names rewrite
    "EmailProject": "d294c87c2ac4d62193cc4e7c62bdd33c056c4ef1bddf25e2925c0dfab6cff869",
    "FlightBooking": "c8df5b8d42137b74ed2f96808cc71b61786ac622a97fc786e08d26a111ab230f",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
