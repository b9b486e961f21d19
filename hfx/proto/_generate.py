"""Regenerate the gRPC/protobuf stubs in ``hfx/proto/`` from the wire contract in ``protos/``.

Run from the repository root::

    python -m hfx.proto._generate            # writes into hfx/proto/
    python -m hfx.proto._generate --out DIR  # writes into DIR (used by the staleness test)

protoc emits absolute imports such as ``from external_nlu.v1alpha1 import service_pb2``; they are rewritten
into ``hfx.proto.`` package imports so the stubs live inside the hfx package without touching ``sys.path``.
The output depends only on the .proto files and the pinned grpcio-tools version (see pyproject ``dev``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

PACKAGE = "hfx.proto"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_PROTOS = REPO / "protos"
PINNED_TOOLS = "1.85.1"

ROOT_INIT = '"""Generated protobuf/gRPC stubs of the HumanFirst custom-integration contract (do not edit).\n\n' \
    'Regenerate with ``python -m hfx.proto._generate``.\n"""\n'
SUB_INIT = '"""Generated package (do not edit)."""\n'
#: Files of the output folder that the generator owns besides the stubs.
KEEP = {"_generate.py"}


def _top_packages(protos: Path) -> list[str]:
    return sorted(p.name for p in protos.iterdir() if p.is_dir() and any(p.rglob("*.proto")))


def _rewrite(text: str, tops: list[str]) -> str:
    alternatives = "|".join(re.escape(t) for t in tops)
    # ``from tags import tags_pb2 as x`` / ``from external_nlu.v1alpha1 import service_pb2``
    text = re.sub(rf"^(\s*from )({alternatives})(\.| import )", rf"\1{PACKAGE}.\2\3", text, flags=re.M)
    # ``import tags.tags_pb2`` (protoc emits this form for some layouts)
    text = re.sub(rf"^(\s*import )({alternatives})\.", rf"\1{PACKAGE}.\2.", text, flags=re.M)
    # the module name recorded on generated classes (``__module__``)
    text = re.sub(
        rf"(BuildTopDescriptorsAndMessages\(DESCRIPTOR, ')({alternatives})\.", rf"\1{PACKAGE}.\2.", text
    )
    return text


def generate(out: Path, protos: Path = DEFAULT_PROTOS) -> list[Path]:
    """Generate stubs for every ``*.proto`` under ``protos`` into ``out``; returns the files written."""
    from grpc_tools import protoc  # dev dependency, imported only here

    sources = sorted(str(p.relative_to(protos)) for p in protos.rglob("*.proto"))
    if not sources:
        raise SystemExit(f"no .proto files under {protos}")
    tops = _top_packages(protos)
    include = str(Path(protoc.__file__).resolve().parent / "_proto")
    with tempfile.TemporaryDirectory(prefix="hfx-protoc-") as tmp:
        args = [
            "grpc_tools.protoc",
            f"-I{protos}",
            f"-I{include}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpc_python_out={tmp}",
            *sources,
        ]
        code = protoc.main(args)
        if code != 0:
            raise SystemExit(f"protoc failed with exit code {code}")
        # Replace the previous stubs (everything except the generator itself).
        out.mkdir(parents=True, exist_ok=True)
        for top in tops:
            shutil.rmtree(out / top, ignore_errors=True)
        written: list[Path] = []
        tmp_root = Path(tmp)
        for src in sorted(tmp_root.rglob("*")):
            if not src.is_file():
                continue
            rel = src.relative_to(tmp_root)
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(_rewrite(src.read_text(encoding="utf-8"), tops), encoding="utf-8", newline="\n")
            written.append(dest)
    # Package markers for every folder between ``out`` and the stubs.
    init = out / "__init__.py"
    init.write_text(ROOT_INIT, encoding="utf-8", newline="\n")
    written.append(init)
    for folder in sorted({p.parent for p in written}):
        current = folder
        while current != out and out in current.parents:
            marker = current / "__init__.py"
            if not marker.exists():
                marker.write_text(SUB_INIT, encoding="utf-8", newline="\n")
                written.append(marker)
            current = current.parent
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hfx.proto._generate", description=__doc__.splitlines()[0])
    parser.add_argument("--protos", type=Path, default=DEFAULT_PROTOS, help="folder of .proto files")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: hfx/proto)")
    ns = parser.parse_args(argv)
    try:
        from importlib.metadata import version

        tools = version("grpcio-tools")
    except Exception:  # noqa: BLE001 - metadata missing is only a warning
        tools = "unknown"
    if tools != PINNED_TOOLS:
        print(f"warning: grpcio-tools {tools} installed, stubs are pinned to {PINNED_TOOLS}", file=sys.stderr)
    files = generate(ns.out.resolve(), ns.protos.resolve())
    print(f"wrote {len(files)} files into {ns.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
