"""The committed protobuf stubs match the wire contract and the generator."""

from __future__ import annotations

import filecmp
import hashlib
from importlib.metadata import version
from pathlib import Path

import pytest

from hfx.proto import _generate

REPO = Path(__file__).resolve().parents[2]
PROTO_PKG = REPO / "hfx" / "proto"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name not in _generate.KEEP
    }


def test_protos_identical_to_the_pinned_wire_contract(corpora: Path) -> None:
    # tests/data/reference/protos.sha256 pins the digest of every file of the wire contract, verified against
    # HumanFirst's generated code: protos/ must hold exactly these files with exactly these bytes.
    pinned = {}
    for line in (corpora / "reference" / "protos.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        pinned[name] = digest
    assert pinned, "no pinned proto digests"
    ours = {
        str(p.relative_to(REPO)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((REPO / "protos").rglob("*"))
        if p.is_file()
    }
    assert ours == pinned, "protos/ differs from the wire contract (tests/data/reference/protos.sha256)"


def test_committed_stubs_are_fresh(tmp_path: Path) -> None:
    tools = version("grpcio-tools")
    assert tools == _generate.PINNED_TOOLS, f"install grpcio-tools=={_generate.PINNED_TOOLS} (found {tools})"
    _generate.generate(tmp_path, REPO / "protos")
    fresh, committed = _tree(tmp_path), _tree(PROTO_PKG)
    assert sorted(fresh) == sorted(committed), "stub files added/removed: run python -m hfx.proto._generate"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale stubs {stale}: run python -m hfx.proto._generate"
    assert not filecmp.dircmp(tmp_path, PROTO_PKG).diff_files


def test_stubs_import_as_package_with_installed_runtime() -> None:
    from hfx.proto.external_integration.v1alpha1 import models_pb2, workspace_pb2, workspace_pb2_grpc
    from hfx.proto.playbook.data.config.v1alpha1 import config_pb2

    req = workspace_pb2.ImportWorkspaceRequest(
        workspace_id="w",
        data_format=config_pb2.INTENTS_FORMAT_HF_JSON,
        format_options=config_pb2.IntentsDataOptions(gzip_encoding=True),
        data=b"{}",
    )
    again = workspace_pb2.ImportWorkspaceRequest.FromString(req.SerializeToString())
    assert again.format_options.gzip_encoding and again.data == b"{}"
    assert workspace_pb2.Workspace.__module__ == "hfx.proto.external_integration.v1alpha1.workspace_pb2"
    assert hasattr(workspace_pb2_grpc, "WorkspacesServicer")
    assert models_pb2.TrainModelRequest.DESCRIPTOR.fields_by_name["data"].number == 6


@pytest.mark.parametrize("top", ["external_integration", "external_nlu", "playbook", "tags"])
def test_no_absolute_generated_imports_left(top: str) -> None:
    for path in PROTO_PKG.rglob("*.py*"):
        if path.suffix not in {".py", ".pyi"} or path.name in _generate.KEEP:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not line.startswith((f"from {top}.", f"from {top} import", f"import {top}.")), (path, line)
