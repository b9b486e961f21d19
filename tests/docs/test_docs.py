"""The documentation stays true to the code: every command, option and code is documented, README links resolve.

The MkDocs site itself (links between pages, anchors, the nav) is checked by ``mkdocs build --strict`` in .ci/run.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from hfx.cli.main import app
from hfx.ops.validate import RULES

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

#: The reference page of each top-level command; a command missing here must be documented somewhere in docs/.
PAGES = {
    "convert": ["convert.md"],
    "validate": ["validate.md"],
    "diff": ["diff.md"],
    "merge": ["merge.md"],
    "hierarchy": ["hierarchy.md"],
    "serve": ["serve.md", "server-clu.md", "server-models.md"],
    "health": ["health.md"],
    "creds": ["creds.md"],
    "clu": ["clu.md"],
    "train": ["models.md"],
    "predict": ["models.md"],
    "evaluate": ["models.md"],
}
#: Strings shaped like conversion report codes that are not codes (environment variables, format names).
NOT_REPORT_CODES = {"CLU_ENDPOINT", "CLU_KEY", "HF_JSON"}


def _docs_text(pages: list[str] | None = None) -> str:
    files = [DOCS / p for p in pages if (DOCS / p).exists()] if pages else sorted(DOCS.glob("*.md"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def _commands(cmd, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    """Every command and group (the root is ``()``), with its options."""
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(("hfx", *p)) for p, _ in COMMANDS])
def test_every_command_and_option_is_documented(path: tuple[str, ...], cmd) -> None:
    text = _docs_text(PAGES.get(path[0]) if path else ["cli.md"])
    assert " ".join(("hfx", *path)) in text, f"`hfx {' '.join(path)}` is not documented in docs/"
    missing = [
        flag
        for param in cmd.params
        if param.param_type_name == "option" and not getattr(param, "hidden", False)
        for flag in (*param.opts, *param.secondary_opts)
        if flag not in ("--help", "-h") and not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text)
    ]
    assert not missing, f"options of `hfx {' '.join(path)}` missing from docs: {missing}"


def _codes_table() -> dict[str, str]:
    """Code -> severity, from the tables of docs/codes.md."""
    rows = re.findall(r"^\| `([A-Z]+[0-9]{3}|[A-Z]+(?:_[A-Z0-9]+)+)` \| (\w+) \|", _docs_text(["codes.md"]), re.M)
    return dict(rows)


def test_every_validation_rule_is_documented_with_its_severity() -> None:
    table = _codes_table()
    wrong = {code: (rule.severity, table.get(code)) for code, rule in RULES.items() if table.get(code) != rule.severity}
    assert not wrong, f"docs/codes.md: code -> (severity in code, in docs): {wrong}"


@functools.cache
def _sources() -> tuple[ast.AST, ...]:
    """The parsed modules of hfx/ (the generated gRPC stubs excepted)."""
    files = [f for f in sorted((REPO / "hfx").rglob("*.py")) if "proto" not in f.relative_to(REPO / "hfx").parts]
    return tuple(ast.parse(f.read_text(encoding="utf-8")) for f in files)


@functools.cache
def _report_codes() -> frozenset[str]:
    """Every string literal in hfx/ shaped like a conversion report code (CLU_NAME_TOO_LONG, HF_TAG_DROPPED, ...)."""
    codes: set[str] = set()
    for tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"(CLU|HF)(_[A-Z0-9]+)+", node.value):
                    codes.add(node.value)
    return frozenset(codes - NOT_REPORT_CODES)


def _report_severities() -> dict[str, set[str]]:
    """Code -> severities, from the calls that add report items: ``report.loss("HF_TAG_DROPPED", ...)``,
    ``report.add("loss", "HF_SECOND_INTENT", ...)`` (codes passed around in variables are not found here)."""
    found: dict[str, set[str]] = {}
    for tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args[:2]]
            if node.func.attr in ("error", "loss", "normalized") and args:
                severity, code = node.func.attr, args[0]
            elif node.func.attr == "add" and len(args) == 2:
                severity, code = args
            else:
                continue
            if isinstance(code, str) and code in _report_codes():
                found.setdefault(code, set()).add(severity)
    return found


def test_every_conversion_report_code_is_documented_with_its_severity() -> None:
    codes, table = _report_codes(), _codes_table()
    assert {"HF_TAG_DROPPED", "CLU_NAME_TOO_LONG", "CLU_DATASET_MISSING"} <= codes  # the scan finds codes at all
    missing = sorted(codes - table.keys())
    assert not missing, f"conversion report codes missing from docs/codes.md: {missing}"
    severities = _report_severities()
    assert len(severities) > 20  # most codes are added with a literal severity
    wrong = {code: (sorted(sev), table[code]) for code, sev in severities.items() if table[code] not in sev}
    assert not wrong, f"docs/codes.md: code -> (severities in code, in docs): {wrong}"


def test_readme_links_resolve() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert local, "the README links into docs/"
    broken = [t for t in local if not (REPO / t).exists()]
    assert not broken, f"README.md links to files that do not exist: {broken}"


def test_every_docs_page_is_in_the_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s*- (?:[^:\n]+: )?([\w./-]+\.md)\s*$", nav, re.M))
    pages = {p.name for p in DOCS.glob("*.md")}
    assert pages <= listed, f"pages missing from the nav of mkdocs.yml: {sorted(pages - listed)}"
    assert listed <= pages, f"nav entries without a page: {sorted(listed - pages)}"
