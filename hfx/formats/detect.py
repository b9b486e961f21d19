"""Format detection and loading any supported file into the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from hfx.errors import InputError, json_kind
from hfx.formats.clu_json import CluReadOptions, read_clu
from hfx.formats.hf_json import read_hf
from hfx.formats.jsontext import parse_json
from hfx.model import Workspace
from hfx.report import Report

Format = Literal["hf", "clu"]


#: Keys only a CLU project file has at its root: a file with any of them is read (and refused) as CLU,
#: even when its ``metadata`` is missing, so a broken CLU file never passes as an empty HF workspace.
CLU_ROOT_KEYS = ("assets", "stringIndexType", "projectFileVersion", "api-version")
#: Keys of a LUIS app export (``luis_schema_version`` is in every version).
LUIS_ROOT_KEYS = ("luis_schema_version",)


def detect_format(obj: Any, source: str = "<input>") -> Format:
    """``clu`` for a CLU project file (any of :data:`CLU_ROOT_KEYS`), else ``hf``.

    Refused with an :class:`InputError`: a document that is not a JSON object (``null``, an array, a scalar)
    and a LUIS app export (hfx does not read LUIS).
    """
    if not isinstance(obj, dict):
        raise InputError(f"not a JSON object ({json_kind(obj)}): neither HF JSON nor a CLU project file", source=source)
    if any(key in obj for key in LUIS_ROOT_KEYS):
        raise InputError(
            "this is a LUIS app export, which hfx does not read; import it into a CLU project "
            "(Language Studio: Import, LUIS app) and export that ('hfx clu export')",
            source=source,
        )
    if any(key in obj for key in CLU_ROOT_KEYS):
        return "clu"
    return "hf"


def read_any(
    obj: Any, *, source: str = "<input>", delimiter: str = "---", test_tags: tuple[str, ...] = ("Test",)
) -> tuple[Format, Workspace, Report]:
    fmt = detect_format(obj, source)
    if fmt == "clu":
        ws, report = read_clu(obj, source=source, options=CluReadOptions(delimiter=delimiter, test_tags=test_tags))
        return fmt, ws, report
    return fmt, read_hf(obj, source=source), Report()


def load_workspace(
    path: str | Path, *, delimiter: str = "---", test_tags: tuple[str, ...] = ("Test",)
) -> tuple[Format, Workspace, Report]:
    """Read an HF or CLU file (auto-detected) into the model."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source=source) from None
    return read_any(parse_json(data, source), source=source, delimiter=delimiter, test_tags=test_tags)
