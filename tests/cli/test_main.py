"""The root command: every command listed (help, completion) without importing the command modules, and each
command run importing only what it needs (start-up time is most of a small run)."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hfx.cli.main import COMMANDS, app, module_app

CLU_PROJECT = Path(__file__).resolve().parents[1] / "data" / "clu" / "EmailProject.json"
COMMAND_MODULES = sorted({module for _, module, _ in COMMANDS})
#: Libraries a command that does not use them must not import (each costs 0.02-0.5 s of start-up).
HEAVY = ("grpc", "requests", "jsonschema", "sklearn", "numpy", "scipy", "pydantic", "cryptography", "wordllama")


def _built(module: str) -> dict[str, object]:
    """The click commands ``hfx.cli.<module>`` registers, by name."""
    return dict(typer.main.get_group(module_app(module)).commands)


def _first_paragraph(command: object) -> str:
    text = getattr(command, "short_help", None) or getattr(command, "help", None) or ""
    return inspect.cleandoc(text).split("\n\n")[0].strip()


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_the_registry_names_every_command_of_each_module_with_its_help(module: str) -> None:
    listed = {name: summary for name, owner, summary in COMMANDS if owner == module}
    built = _built(module)
    assert sorted(built) == sorted(listed), f"hfx.cli.main.COMMANDS is out of date for hfx.cli.{module}"
    for name, command in built.items():
        assert listed[name] == _first_paragraph(command), f"the help of {name!r} in hfx.cli.main.COMMANDS"


def test_help_lists_every_command_with_the_help_of_its_module() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    rows = [line.strip("│ ").split(None, 1) for line in result.stdout.splitlines() if line.startswith("│ ")]
    shown = {row[0]: row[1].strip() for row in rows if len(row) == 2}
    for module in COMMAND_MODULES:
        for name, command in _built(module).items():
            assert shown.get(name) == _first_paragraph(command), (name, result.stdout)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``hfx ARGS`` in a fresh interpreter; also the modules it imported."""
    script = (
        "import sys, json, atexit\n"
        "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        "from hfx.cli.main import main\n"
        "sys.argv = ['hfx', *sys.argv[1:]]\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
    )
    modules = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    return proc, modules


def _command_modules(modules: set[str]) -> set[str]:
    return {m.rsplit(".", 1)[1] for m in modules if m.startswith("hfx.cli.") and m.rsplit(".", 1)[1] in COMMAND_MODULES}


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["--version"]], ids=["--help", "-h", "none", "--version"])
def test_root_help_and_version_import_no_command(args: list[str]) -> None:
    proc, modules = _run(*args)
    assert proc.returncode == (2 if not args else 0), proc.stderr  # no arguments: the help, as a usage error
    assert _command_modules(modules) == set()
    assert _heavy(modules) == set()
    # Typer's help renderer comes without its Markdown and traceback renderers (markdown-it, pygments)
    assert not {"rich.markdown", "rich.traceback", "markdown_it", "pygments"} & modules
    if args != ["--version"]:
        assert all(name in proc.stdout for name, _, _ in COMMANDS)


def test_convert_imports_its_own_module_only(tmp_path: Path) -> None:
    proc, modules = _run("convert", "clu-to-hf", str(CLU_PROJECT), "-o", str(tmp_path / "hf.json"))
    assert proc.returncode == 0, proc.stderr
    assert _command_modules(modules) == {"convert"}
    assert _heavy(modules) == set()  # the compiled schema check (jsonschema_rs) clears the parts it keeps verbatim
    proc, modules = _run("convert", "hf-to-clu", str(tmp_path / "hf.json"), "-o", str(tmp_path / "clu.json"))
    assert proc.returncode == 0, proc.stderr
    assert _command_modules(modules) == {"convert"}
    assert _heavy(modules) == set()


def test_a_command_that_runs_loads_neither_the_other_commands_nor_typers_help_renderer(tmp_path: Path) -> None:
    workspace = tmp_path / "hf.json"
    workspace.write_text('{"name": "w", "intents": [], "examples": []}', encoding="utf-8")
    proc, modules = _run("validate", str(workspace))
    assert proc.returncode == 0, proc.stderr
    assert _command_modules(modules) == {"validate"}
    assert not {"hfx.ops.diff", "hfx.ops.merge", "hfx.ops.hierarchy"} & modules
    assert "typer.rich_utils" not in modules  # it renders help pages and usage errors only
    assert "rich._emoji_codes" not in modules  # nothing a workspace holds is shown as an emoji


def test_a_usage_error_is_rendered_by_typer_without_markdown_or_tracebacks() -> None:
    proc, modules = _run("validate", "--no-such-option")
    assert proc.returncode == 2
    assert "No such option: --no-such-option" in proc.stderr
    assert "typer.rich_utils" in modules
    assert not {"rich.markdown", "rich.traceback", "markdown_it", "pygments"} & modules


def test_a_command_help_page_imports_that_command_only() -> None:
    proc, modules = _run("merge", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Merge THEIRS into OURS" in proc.stdout
    assert _command_modules(modules) == {"workspace_ops"}
    assert not {"rich.markdown", "rich.traceback"} & modules


def test_top_level_completion_lists_every_command_without_importing_them() -> None:
    env = {"_HFX_COMPLETE": "complete_bash", "COMP_WORDS": "hfx ", "COMP_CWORD": "1"}
    proc, modules = _run(env=env)
    assert proc.stdout.split() == [name for name, _, _ in COMMANDS]
    assert _command_modules(modules) == set()


def test_unknown_and_misspelt_commands_are_usage_errors() -> None:
    result = CliRunner().invoke(app, ["valdate"], env={"COLUMNS": "80"})
    assert result.exit_code == 2
    assert "No such command 'valdate'. Did you mean 'validate'" in result.output


def test_typer_help_renderer_still_renders_markdown_when_asked() -> None:
    """The stand-ins hfx.cli.help gives typer.rich_utils import the real classes when used."""
    from rich.markdown import Markdown

    from hfx.cli.help import load_rich_help

    load_rich_help()
    import typer.rich_utils

    rendered = typer.rich_utils._make_rich_text(text="*x*", style="", markup_mode="markdown")
    assert isinstance(rendered, Markdown)
    assert sys.modules["rich.markdown"].Markdown is Markdown


def test_the_process_ends_with_the_command_s_exit_code_and_all_its_output(tmp_path: Path) -> None:
    """``hfx`` leaves without the interpreter's tear-down (hfx.cli.main._exit_now): the exit code, standard
    output (here a large JSON document into a pipe) and standard error must still all arrive."""
    data = Path(__file__).resolve().parents[1] / "data" / "hf"
    old, new = data / "Academy-Ex06-Entities.json", data / "Academy-Ex07-High-Coverage.json"
    run = [sys.executable, "-m", "hfx"]
    proc = subprocess.run([*run, "diff", str(old), str(new), "--format", "json"], capture_output=True, check=False)
    assert proc.returncode == 1, proc.stderr  # different
    doc = json.loads(proc.stdout)  # complete: it parses
    assert doc["old"] == str(old) and doc["new"] == str(new)
    same = subprocess.run([*run, "diff", str(old), str(old)], capture_output=True, check=False)
    assert same.returncode == 0, same.stderr
    missing = subprocess.run([*run, "validate", str(tmp_path / "none.json")], capture_output=True, check=False)
    assert missing.returncode == 2 and b"IO001" in missing.stdout
    usage = subprocess.run([*run, "no-such-command"], capture_output=True, check=False)
    assert usage.returncode == 2 and b"No such command" in usage.stderr
