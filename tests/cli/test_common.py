"""What the CLI prints around its data: -q/--quiet, terminal width per invocation, plurals, readable conflicts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hfx.cli.common import plural
from hfx.cli.main import app
from hfx.cli.workspace_ops import readable

runner = CliRunner()


def test_quiet_leaves_the_data_and_drops_the_report_table(corpora: Path, tmp_path: Path) -> None:
    source = corpora / "hf" / "Academy-Ex06-Entities.json"
    loud = runner.invoke(app, ["convert", "hf-to-clu", str(source), "--invalid-names", "rewrite"])
    assert loud.exit_code == 0 and "conversion report" in loud.stderr
    quiet = runner.invoke(app, ["-q", "convert", "hf-to-clu", str(source), "--invalid-names", "rewrite"])
    assert quiet.exit_code == 0
    assert quiet.stderr == ""  # no table, no notes
    assert quiet.stdout_bytes == loud.stdout_bytes  # the data is the same
    out = tmp_path / "p.json"
    written = runner.invoke(
        app, ["--quiet", "convert", "hf-to-clu", str(source), "--invalid-names", "rewrite", "-o", str(out)]
    )
    assert written.exit_code == 0 and written.stderr == "" and out.exists()  # not even "wrote FILE"


def test_quiet_still_shows_errors(corpora: Path) -> None:
    source = corpora / "hf" / "Academy-Ex06-Entities.json"
    result = runner.invoke(app, ["-q", "convert", "hf-to-clu", str(source)])
    assert result.exit_code == 1
    assert "CLU_NAME_TOO_LONG" in result.stderr and "nothing was written" in result.stderr
    assert "normalized" not in result.stderr and "loss" not in result.stderr  # only the errors are left
    missing = runner.invoke(app, ["-q", "validate", "no-such-file.json"])
    assert missing.exit_code == 2 and "no-such-file.json" in missing.stdout


def test_each_invocation_uses_its_own_terminal_width(corpora: Path) -> None:
    """The consoles follow COLUMNS of each run, not of whoever imported hfx first."""
    source = str(corpora / "hf" / "Academy-Ex06-Entities.json")
    widths = []
    for columns in ("200", "70", "120"):
        result = runner.invoke(
            app, ["convert", "hf-to-clu", source, "--invalid-names", "rewrite"], env={"COLUMNS": columns}
        )
        widths.append(max(len(line) for line in result.stderr.splitlines()))
    assert widths[1] <= 70 < widths[2] <= 120 < widths[0] <= 200


def test_counts_are_spelled_right(corpora: Path, tmp_path: Path) -> None:
    assert [plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert plural(1, "entity", "entities") == "1 entity" and plural(3, "entity", "entities") == "3 entities"
    doc = json.loads((corpora / "hf" / "Academy-Ex06-Entities.json").read_text())
    doc["examples"][0]["text"] = "x" * 600
    path = tmp_path / "one-error.json"
    path.write_text(json.dumps(doc))
    result = runner.invoke(app, ["convert", "hf-to-clu", str(path), "--invalid-names", "rewrite"])
    assert result.exit_code == 1 and "1 error; nothing was written." in result.stderr
    assert "--invalid-names" not in result.stderr.split("nothing was written.")[1]  # names are not the problem


def test_readable_values() -> None:
    assert readable([[["billing", "refund"], False], [["billing"], True]]) == "billing / refund, not billing"
    assert readable({"name": "x", "tags": ["a", "b"]}) == "name=x, tags=(a, b)"
    assert readable(None) == "-" and readable("") == "''" and readable(True) == "yes"


def test_a_json_array_is_not_called_hf_json(tmp_path: Path) -> None:
    array = tmp_path / "array.json"
    array.write_text("[1, 2]")
    for args, expected in (
        (["convert", "clu-to-hf"], "a CLU project file"),
        (["convert", "hf-to-clu"], "HF JSON"),
        (["clu", "import", "-p", "X"], "HF JSON or a CLU project file"),
    ):
        result = runner.invoke(
            app, [*args, str(array)], env={"HFX_CLU_ENDPOINT": "http://127.0.0.1:9", "HFX_CLU_KEY": "k"}
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"error: {array}: not a JSON object (an array): expected {expected}"
