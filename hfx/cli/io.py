"""Reading the CLI's inputs (a file, or stdin for ``-``) and writing its outputs (into what the user named)."""

from __future__ import annotations

import os
import sys
from typing import Any

from hfx.cli.exits import fail
from hfx.fileio import Data, check_output, joined, write_user_file
from hfx.formats.clu_names import resource_name_problem
from hfx.formats.detect import Format, detect_format, parse_json


def require_object(obj: Any, source: str, expected: str) -> None:
    """Refuse a JSON document that is not an object (an array is neither HF JSON nor a CLU project file)."""
    if not isinstance(obj, dict):
        kinds = {list: "an array", str: "a string", bool: "true/false", type(None): "null"}
        found = kinds.get(type(obj), "a number")
        raise fail(f"{source}: not a JSON object ({found}): expected {expected}")


def read_input(path: str) -> bytes:
    """Read a file, or stdin for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def write_output(path: str | None, data: Data, inputs: tuple[str | None, ...] = ()) -> None:
    """Write into what the user named (``-`` or ``None``: stdout); refused when it is one of ``inputs``.
    ``data`` can come in pieces (a file is written as they come). See :func:`hfx.fileio.write_user_file`."""
    if path is None or path == "-":
        sys.stdout.buffer.write(joined(data))
        sys.stdout.buffer.flush()
        return
    write_user_file(path, data, inputs)


def check_outputs(outputs: dict[str, str | None], inputs: tuple[str | None, ...] = ()) -> None:
    """Before any work: refuse outputs (option name -> path) that are inputs, folders or in a missing folder,
    two documents for stdout (``-``), or two outputs naming the same file."""
    named = {opt: path for opt, path in outputs.items() if path is not None}
    on_stdout = [opt for opt, path in named.items() if path == "-"]
    if len(on_stdout) > 1:
        raise fail(f"{' and '.join(on_stdout)} both write to stdout ('-'); send one of them to a file")
    files = {opt: path for opt, path in named.items() if path != "-"}
    for opt, path in files.items():
        check_output(path, inputs)
        for other, other_path in files.items():
            if other < opt and _same_target(path, other_path):
                raise fail(f"{other} and {opt} name the same file ({path})")


def _same_target(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def require_resource_name(name: str, label: str, kind: str) -> None:
    """Refuse, before CLU is called, a project, model or deployment name CLU would reject (``label``: the
    option or argument that gave it; ``kind``: e.g. ``model label``)."""
    why = resource_name_problem(name)
    if why:
        raise fail(f"{label} {name!r}: a CLU {kind} {why}")


def read_document(path: str, expected: str | None = "HF JSON or a CLU project file") -> tuple[str, Any, Format]:
    """Parse the JSON of ``path`` (``-`` = stdin) and detect its format: ``(source name, parsed JSON, format)``.

    ``expected`` names what the command reads, for the message refusing a document that is not a JSON object
    (None: the format detection's own message)."""
    source = "<stdin>" if path == "-" else path
    obj = parse_json(read_input(path), source)
    if expected is not None:
        require_object(obj, source, expected)
    return source, obj, detect_format(obj, source)
