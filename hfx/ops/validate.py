"""``hfx validate``: schema check, then semantic rules with stable codes, on the raw JSON.

Rules run on the parsed JSON (not the model) so every finding carries a JSON pointer into the file
and one broken reference does not hide the others. The rule tables are :data:`RULES` (code ->
severity, title, hint); HF rules live in :mod:`hfx.ops.validate_rules_hf`, CLU rules (native files and
``--target clu``) in :mod:`hfx.ops.validate_rules_clu`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hfx.errors import InputError
from hfx.formats.clu_json import CluReadOptions, read_clu
from hfx.formats.detect import detect_format
from hfx.formats.hf_json import read_hf
from hfx.formats.jsontext import parse_json
from hfx.ops import validate_rules_clu, validate_rules_hf
from hfx.ops.findings import RULES, Finding, Findings, Severity

Format = Literal["hf", "clu"]
#: Told the name of each step of a file's check as it starts (reading, schema, rules, reader) - for progress.
StageCallback = Callable[[str], None]


def _no_stage(stage: str) -> None:
    pass


@dataclass
class FileResult:
    path: str
    format: Format | None
    findings: list[Finding] = field(default_factory=list)
    unreadable: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "findings": [f.to_json() for f in self.findings]}


def _schema_errors(obj: Any, kind: Format) -> list[tuple[str, str]]:
    """The schema check."""
    from hfx.formats.schemas import schema_errors  # jsonschema: loaded when a file is validated

    return list(schema_errors(obj, kind))


def detect(obj: Any, source: str = "<input>") -> Format:
    return detect_format(obj, source)


def validate_obj(
    obj: Any,
    *,
    source: str = "<input>",
    fmt: Format | None = None,
    target: Format | None = None,
    delimiter: str = "---",
    on_stage: StageCallback = _no_stage,
    reader_check: bool = True,
) -> tuple[Format, list[Finding]]:
    """Validate parsed JSON. ``target`` (default: the file's own format) adds the other format's rules.

    ``reader_check=False`` leaves out the last step, the reader's own refusals (``HF099``/``CLU099``): for a
    document hfx's writer has just written from a model its reader built, where only what the rules look for (a
    reference, an id, a span that came with the input) can still be wrong."""
    fmt = fmt or detect(obj, source)
    findings = Findings(source)
    on_stage("schema")
    schema = _schema_errors(obj, fmt)
    for ptr, message in schema:
        findings.add("HF000" if fmt == "hf" else "CLU000", ptr, message)
    if not isinstance(obj, dict):
        return fmt, list(findings)
    on_stage("rules")
    read = not reader_check  # whether the reader has accepted the file already (or is not asked to)
    if fmt == "hf":
        validate_rules_hf.check(obj, findings)
        if target == "clu":
            read = validate_rules_clu.check_hf_for_clu(obj, findings, delimiter) or read
    else:
        validate_rules_clu.check(obj, findings)
    if not any(x.severity == "error" for x in findings):
        # the readers only run on files without errors: they stop at the first problem
        on_stage("reader")
        if fmt == "clu" and target == "hf":
            validate_rules_clu.check_clu_for_hf(obj, findings, delimiter)
        elif not read:
            _reader_check(obj, fmt, findings, delimiter)
    order = {"error": 0, "warning": 1}
    out = sorted(findings, key=lambda f: (order[f.severity], f.code, _pointer_key(f.pointer)))
    return fmt, out


def _reader_check(obj: dict[str, Any], fmt: Format, findings: Findings, delimiter: str) -> None:
    """Last safety net: anything the reader still refuses (e.g. an intent without an id) is an error."""
    try:
        if fmt == "hf":
            read_hf(obj, source=findings.source)
        else:
            read_clu(obj, source=findings.source, options=CluReadOptions(delimiter=delimiter))
    except InputError as exc:
        findings.add("HF099" if fmt == "hf" else "CLU099", exc.pointer, exc.message)


def _pointer_key(ptr: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ptr.split("/"))


def validate_file(
    path: str, *, target: Format | None = None, delimiter: str = "---", on_stage: StageCallback = _no_stage
) -> FileResult:
    """Read and validate one file (``-`` = stdin); unreadable input gives a result with ``unreadable=True``."""
    import sys

    on_stage("reading")
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        return _unreadable(path, f"cannot read the file: {exc.strerror or exc}")
    try:
        obj = parse_json(data, path)
    except InputError as exc:
        return _unreadable(path, exc.message)
    try:
        fmt, findings = validate_obj(obj, source=path, target=target, delimiter=delimiter, on_stage=on_stage)
    except InputError as exc:  # not a JSON object, a LUIS export
        return _unreadable(path, exc.message, exc.pointer)
    return FileResult(path, fmt, findings)


def _unreadable(path: str, message: str, ptr: str = "") -> FileResult:
    rule = RULES["IO001"]
    return FileResult(path, None, [Finding("IO001", "error", path, ptr, message, rule.hint)], unreadable=True)


def summary(results: list[FileResult]) -> dict[str, int]:
    return {
        "files": len(results),
        "errors": sum(r.errors for r in results),
        "warnings": sum(r.warnings for r in results),
        "unreadable": sum(1 for r in results if r.unreadable),
    }


def exit_code(results: list[FileResult], *, strict: bool = False) -> int:
    """0 clean, 1 errors (or warnings with ``strict``), 2 when any input is unreadable."""
    if any(r.unreadable for r in results):
        return 2
    s = summary(results)
    if s["errors"] or (strict and s["warnings"]):
        return 1
    return 0


def to_json(results: list[FileResult]) -> dict[str, Any]:
    return {"files": [r.to_json() for r in results], "summary": summary(results)}


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one code whose pointers differ only in array indexes (``/examples/*/language``)."""

    code: str
    severity: Severity
    pattern: str
    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    def __len__(self) -> int:
        return len(self.findings)


_INDEX = re.compile(r"(?<=/)\d+(?=/|$)")


def pointer_pattern(ptr: str) -> str:
    """``/examples/12/language`` -> ``/examples/*/language``."""
    return _INDEX.sub("*", ptr)


def group_findings(findings: list[Finding]) -> list[FindingGroup]:
    """One group per (severity, code, pointer pattern), in the order of each group's first finding."""
    groups: dict[tuple[Severity, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.severity, f.code, pointer_pattern(f.pointer)), []).append(f)
    return [FindingGroup(code, severity, pattern, tuple(items)) for (severity, code, pattern), items in groups.items()]
