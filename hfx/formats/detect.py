"""Format detection and loading any supported file into the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from hfx.errors import InputError
from hfx.formats.clu_json import CluReadOptions, read_clu
from hfx.formats.hf_json import read_hf
from hfx.formats.jsontext import parse_json
from hfx.model import Workspace
from hfx.report import Report

Format = Literal["hf", "clu"]


def detect_format(obj: Any) -> Format:
    """``clu`` for a CLU project file (``metadata`` + ``assets``/``stringIndexType``), else ``hf``."""
    if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict) and (
        "assets" in obj or "stringIndexType" in obj or "projectFileVersion" in obj or "api-version" in obj
    ):
        return "clu"
    return "hf"


def read_any(obj: Any, *, source: str = "<input>", delimiter: str = "---",
             test_tags: tuple[str, ...] = ("Test",)) -> tuple[Format, Workspace, Report]:
    fmt = detect_format(obj)
    if fmt == "clu":
        ws, report = read_clu(obj, source=source, options=CluReadOptions(delimiter=delimiter, test_tags=test_tags))
        return fmt, ws, report
    return fmt, read_hf(obj, source=source), Report()


def load_workspace(path: str | Path, *, delimiter: str = "---",
                   test_tags: tuple[str, ...] = ("Test",)) -> tuple[Format, Workspace, Report]:
    """Read an HF or CLU file (auto-detected) into the model."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source=source) from None
    return read_any(parse_json(data, source), source=source, delimiter=delimiter, test_tags=test_tags)
