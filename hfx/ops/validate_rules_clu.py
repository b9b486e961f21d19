"""CLU rules in ``hfx validate``: native CLU project files (CLU001-CLU099) and HF files checked against CLU
(CLU101-). The rules themselves live in :mod:`hfx.formats.clu_rules` and the CLU writer; here they become
findings with validate's codes."""

from __future__ import annotations

from typing import Any

from hfx.errors import InputError, show
from hfx.formats import clu_names, clu_rules
from hfx.formats.clu_json import CluReadOptions, CluWriteOptions, check_clu, read_clu
from hfx.formats.hf_json import read_hf
from hfx.model import Workspace
from hfx.ops.findings import Findings
from hfx.ops.validate_rules_hf import _str
from hfx.report import ReportItem

#: What a finding of :func:`hfx.formats.clu_rules.check_assets` is called in validate's rule table; ``None``:
#: not reported here (``CLU000``: the JSON Schema check reports what makes a part unreadable).
_PROJECT_CODES: dict[str, str | None] = {
    "CLU000": None,
    "CLU_NAME_EMPTY": "CLU007",
    "CLU_NAME_TOO_LONG": "CLU007",
    "CLU_NAME_FORBIDDEN_CHAR": "CLU007",
    "CLU_LIMIT": "CLU006",
    "CLU_UTTERANCE_TOO_LONG": "CLU006",
}

#: What ``hf-to-clu`` refuses (its report's error codes) is called in validate's rule table; other refusals
#: are ``CLU108`` with the writer's code in the message.
_WRITER_CODES = {
    "CLU_NAME_EMPTY": "CLU101",
    "CLU_NAME_TOO_LONG": "CLU101",
    "CLU_NAME_FORBIDDEN_CHAR": "CLU102",
    "CLU_DELIMITER_FORBIDDEN": "CLU102",
    "CLU_NAME_HAS_DELIMITER": "CLU103",
    "CLU_DUPLICATE_INTENT": "CLU104",
    "CLU_LIMIT": "CLU105",
    "CLU_UTTERANCE_TOO_LONG": "CLU106",
}


# -- native CLU project files ----------------------------------------------------------------------------


def check(root: dict[str, Any], f: Findings) -> None:
    """CLU's rules on a CLU project file (:mod:`hfx.formats.clu_rules`, as the emulator applies them)."""
    raw_meta = root.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    project_name = meta.get("projectName")
    why = clu_names.resource_name_problem(project_name) if isinstance(project_name, str) else None
    if why:
        f.add("CLU012", "/metadata/projectName", f"project name {show(project_name)}: a CLU project name {why}")
    project_lang = _str(meta, "language")
    why = clu_rules.language_problem(project_lang)
    if why:
        f.add("CLU009", "/metadata/language", why)
    for v in clu_rules.check_assets(root.get("assets"), project_lang):
        code = _PROJECT_CODES.get(v.code, v.code)
        if code is not None:
            f.add(code, v.pointer, v.message)


def check_clu_for_hf(root: dict[str, Any], f: Findings, delimiter: str) -> None:
    """``--target hf`` on a CLU file: what the conversion would refuse, normalize or lose."""
    try:
        _, report = read_clu(root, source=f.source, options=CluReadOptions(delimiter=delimiter))
    except InputError as exc:
        f.add("CLU099", exc.pointer, exc.message)
        return
    for item in report:
        f.add(
            "CLU107",
            item.pointer,
            f"{item.code}: {item.message}",
            severity="error" if item.severity == "error" else "warning",
        )


# -- an HF file against CLU's rules -------------------------------------------------------------------------


def check_hf_for_clu(root: dict[str, Any], f: Findings, delimiter: str) -> bool:
    """``--target clu`` on an HF file: exactly what ``hfx convert hf-to-clu`` would refuse (it runs the same
    writer, without writing), each refusal with its rule code. A file the HF reader refuses is left to the
    HF rules and the reader check; returns whether the reader accepted it."""
    try:
        ws = read_hf(root, source=f.source)
    except InputError:
        return False
    for item in clu_refusals(ws, delimiter):
        code = _WRITER_CODES.get(item.code)
        f.add(code or "CLU108", item.pointer, _message(item) if code else f"{item.code}: {item.message}")
    return True


def _message(item: ReportItem) -> str:
    """A refusal in validate's words: a name's kind first; the length rule says CLU's limit plainly."""
    if item.subject is None:
        return item.message
    noun = "intent" if item.pointer.startswith("/intents/") else "entity"
    if item.code == "CLU_NAME_TOO_LONG":
        name = item.subject
        return f"{noun} name {show(name)} has {len(name)} characters; CLU allows {clu_names.MAX_NAME}"
    return f"{noun} name {item.message}"


def clu_refusals(ws: Workspace, delimiter: str) -> list[ReportItem]:
    """The errors of ``hf-to-clu`` (default options but the delimiter) on ``ws``."""
    return check_clu(ws, CluWriteOptions(delimiter=delimiter)).errors
