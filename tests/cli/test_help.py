"""Every help page reads well at 80 columns: placeholders not Python types, nothing cut, every option described."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from hfx.cli.main import app


def _commands() -> list[tuple[list[str], object]]:
    """(argv path, click command) of the root, every group and every command."""
    root = typer.main.get_command(app)
    found: list[tuple[list[str], object]] = []

    def walk(path: list[str], cmd: object) -> None:
        found.append((path, cmd))
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk([*path, name], sub)

    walk([], root)
    return found


COMMANDS = _commands()
IDS = [" ".join(path) or "hfx" for path, _ in COMMANDS]


def _help(path: list[str], flag: str = "--help") -> str:
    result = CliRunner().invoke(app, [*path, flag], env={"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_help_at_80_columns_has_placeholders_and_cuts_nothing(path, cmd):
    text = _help(path)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text, text  # rich cuts a cell with an ellipsis
    for python_type in ("<bool>", "<str>", "<int", "<float", "<path>", "list[", "{"):
        assert python_type not in text, (python_type, text)
    for param in cmd.params:
        if getattr(param, "hidden", False):
            continue
        for name in [*param.opts, *param.secondary_opts]:
            if name.startswith("--"):
                assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), (name, text)


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_every_option_and_argument_is_described(path, cmd):
    undescribed = [p.name for p in cmd.params if not getattr(p, "hidden", False) and not (p.help or "").strip()]
    assert not undescribed, f"hfx {' '.join(path)}: {undescribed}"


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_dash_h_is_help(path, cmd):
    assert _help(path, "-h") == _help(path, "--help")


MAIN = [
    "serve",
    "convert clu-to-hf",
    "convert hf-to-clu",
    "validate",
    "diff",
    "merge",
    "clu import",
    "clu train",
    "clu deploy",
    "clu predict",
]


@pytest.mark.parametrize("command", MAIN)
def test_main_commands_show_examples(command):
    text = _help(command.split())
    assert "Examples" in text
    assert f"hfx {command}" in text


@pytest.mark.parametrize(
    ("path", "cmd"),
    [c for c in COMMANDS if "Examples:" in (c[1].epilog or "")],
    ids=[i for i, c in zip(IDS, COMMANDS, strict=True) if "Examples:" in (c[1].epilog or "")],
)
def test_examples_are_not_wrapped_at_80_columns(path, cmd):
    """An example broken across lines by the terminal cannot be pasted (the health example cut its --creds path)."""
    lines = [line.strip() for line in _help(path).splitlines()]
    examples = [line.strip() for line in cmd.epilog.split("Examples:", 1)[1].splitlines() if line.strip()]
    for example in examples:
        assert example in lines, (example, lines)


def test_shell_completion_is_offered_and_works():
    listed = _help([])
    assert "--install-completion" in listed and "--show-completion" in listed
    # The script --show-completion prints for bash, asked for by name: --show-completion itself detects the
    # shell from the process tree, which a test runner's workers do not reliably have.
    source = {**os.environ, "_HFX_COMPLETE": "source_bash"}
    script = subprocess.run([sys.executable, "-m", "hfx"], env=source, capture_output=True, text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    assert "complete -o default -F _hfx_completion hfx" in script.stdout
    env = {**os.environ, "_HFX_COMPLETE": "complete_bash", "COMP_WORDS": "hfx clu tr", "COMP_CWORD": "2"}
    words = subprocess.run([sys.executable, "-m", "hfx"], env=env, capture_output=True, text=True, timeout=60)
    assert words.stdout.split() == ["train"]


@pytest.mark.parametrize(
    ("alias", "setting"),
    [
        ("--no-clu-multilingual", {"clu_multilingual": False}),
        ("--clu-multilingual", {"clu_multilingual": True}),
        ("--clu-cleanup", {"clu_cleanup": True}),
    ],
)
def test_serve_keeps_the_names_its_help_no_longer_lists(alias, setting, tmp_path, monkeypatch):
    import hfx.backends.directory as directory

    seen: dict[str, object] = {}

    def capture(settings):
        seen.update(settings.options)
        raise typer.Exit(0)

    monkeypatch.setattr(directory, "create_backend", capture)
    result = CliRunner().invoke(app, ["serve", "--insecure", "--data-dir", str(tmp_path), alias])
    assert result.exit_code == 0, result.output
    assert setting.items() <= seen.items()
    listed = _help(["serve"])
    for hidden in ("--clu-cleanup", "--no-clu-multilingual"):  # one row per setting in the help
        assert not re.search(rf"^│ +{hidden}\s", listed, re.M)
