"""Workspaces over CLU through a real mTLS gRPC server: backups, the sync base, lossless round trips."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import grpc
import pytest
from clu_backend_support import HF_JSON, LONG_LEAF, hf_bytes, options, tagged_workspace

from hfx.formats.hf_json import dumps_hf, loads_hf
from hfx.proto.external_integration.v1alpha1 import workspace_pb2


def _export(g: Any, project: str) -> bytes:
    answer = g.workspaces.ExportWorkspace(workspace_pb2.ExportWorkspaceRequest(workspace_id=project), timeout=30)
    assert answer.data_format == HF_JSON
    return gzip.decompress(answer.data) if answer.format_options.gzip_encoding else answer.data


def _import(g: Any, project: str, data: bytes, delimiter: str = "") -> None:
    g.workspaces.ImportWorkspace(
        workspace_pb2.ImportWorkspaceRequest(
            workspace_id=project, data_format=HF_JSON, format_options=options(delimiter), data=data
        ),
        timeout=30,
    )


def _defaults_explicit(project_file: dict[str, Any]) -> dict[str, Any]:
    """CLU reads an utterance without ``dataset``/``language`` as Train in the project language; hfx writes both."""
    out = json.loads(json.dumps(project_file))
    for utt in out["assets"]["utterances"]:
        utt.setdefault("dataset", "Train")
        utt.setdefault("language", out["metadata"]["language"])
    return out


def _seed(client: Any, project_file: dict[str, Any]) -> str:
    name = project_file["metadata"]["projectName"]
    client.import_project(name, project_file)
    return name


def test_create_list_get(grpc_server: Any, client: Any) -> None:
    g = grpc_server
    created = g.workspaces.CreateWorkspace(
        workspace_pb2.CreateWorkspaceRequest(
            workspace=workspace_pb2.Workspace(name="Bank bot: FAQ (v2)", description="from HF")
        )
    )
    assert created.id == "Bank_bot__FAQ__v2_"  # the real CLU project name, valid for CLU
    project = client.get_project(created.id)
    assert (project["language"], project["multilingual"], project["settings"]["confidenceThreshold"]) == (
        "en-us",
        False,
        0.25,
    )
    again = g.workspaces.CreateWorkspace(
        workspace_pb2.CreateWorkspaceRequest(workspace=workspace_pb2.Workspace(name="Bank bot: FAQ (v2)"))
    )
    assert again.id == "Bank_bot__FAQ__v2_-2"
    with pytest.raises(grpc.RpcError) as err:
        g.workspaces.CreateWorkspace(
            workspace_pb2.CreateWorkspaceRequest(workspace=workspace_pb2.Workspace(id=created.id, name="x"))
        )
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    client.create_or_update_project("hfx-0123456789ab", {"projectKind": "Conversation", "language": "en-us"})
    listed = g.workspaces.ListWorkspaces(workspace_pb2.ListWorkspacesRequest()).workspaces
    assert [(w.id, w.description) for w in listed] == [(created.id, "from HF"), (again.id, "")]
    assert g.workspaces.GetWorkspace(workspace_pb2.GetWorkspaceRequest(workspace_id=created.id)).id == created.id
    for unknown in ("nope", "../etc"):
        with pytest.raises(grpc.RpcError) as err:
            g.workspaces.GetWorkspace(workspace_pb2.GetWorkspaceRequest(workspace_id=unknown))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("corpus", ["FlightBooking.json", "EmailProject.json"])
def test_export_import_export_of_a_seeded_project_is_lossless(
    grpc_server: Any, client: Any, clu_file: Any, corpus: str
) -> None:
    project = _seed(client, clu_file(corpus))
    before = client.export_project(project)
    first = _export(grpc_server, project)
    _import(grpc_server, project, first)
    second = _export(grpc_server, project)
    assert second == first
    after = client.export_project(project)
    assert _defaults_explicit(after) == _defaults_explicit(before)  # CLU holds what it held before the round trip
    assert all(u["dataset"] in ("Train", "Test") for u in after["assets"]["utterances"])


def test_import_backs_up_the_prior_project_and_keeps_its_settings(
    grpc_server: Any, client: Any, clu_file: Any, config: Any
) -> None:
    seeded = clu_file("FlightBooking.json")
    seeded["metadata"]["settings"] = {"confidenceThreshold": 0.6}
    seeded["metadata"]["description"] = "owned by the CLU team"
    project = _seed(client, seeded)
    prior = client.export_project(project)
    _import(grpc_server, project, hf_bytes(tagged_workspace()))
    backups = sorted((Path(config.data_dir) / "backups" / project).glob("*.json"))
    assert len(backups) == 1
    assert json.loads(backups[0].read_text(encoding="utf-8")) == prior
    now = client.export_project(project)
    assert now["metadata"]["settings"] == {"confidenceThreshold": 0.6}
    assert now["metadata"]["description"] == "owned by the CLU team"
    assert now["metadata"]["language"] == prior["metadata"]["language"]
    assert {u["text"] for u in now["assets"]["utterances"]} == {e.text for e in tagged_workspace().examples}
    sync = Path(config.data_dir) / "sync"
    sent = hf_bytes(tagged_workspace(), compress=False)
    assert loads_hf((sync / f"{project}.json").read_bytes()) == loads_hf(sent)  # the base is what was imported


def test_failed_import_answers_an_error_and_leaves_the_backup(
    grpc_server: Any, client: Any, clu_file: Any, config: Any
) -> None:
    project = _seed(client, clu_file("EmailProject.json"))
    prior = client.export_project(project)
    ws = tagged_workspace()
    ws.examples[0].text = "x" * 600  # CLU allows 500 characters per utterance
    with pytest.raises(grpc.RpcError) as err:
        _import(grpc_server, project, hf_bytes(ws))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "/examples/0/text" in err.value.details()
    backups = list((Path(config.data_dir) / "backups" / project).glob("*.json"))
    assert [json.loads(b.read_text(encoding="utf-8")) for b in backups] == [prior]
    assert client.export_project(project) == prior
    assert not (Path(config.data_dir) / "sync" / f"{project}.json").exists()


@pytest.mark.parametrize(
    "key", ["hfx", "clu.list", "clu.prebuilts", "clu.regex", "clu.requiredComponents", "clu.extra"]
)
def test_a_hand_edited_clu_extension_is_invalid_argument_and_leaves_the_project(
    grpc_server: Any, client: Any, clu_file: Any, key: str
) -> None:
    project = _seed(client, clu_file("EmailProject.json"))
    prior = client.export_project(project)
    ws = tagged_workspace()
    ws.entities[0].metadata[key] = "{not json"
    with pytest.raises(grpc.RpcError) as err:
        _import(grpc_server, project, hf_bytes(ws))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"/entities/0/metadata/{key}" in err.value.details()
    assert client.export_project(project) == prior


def test_hf_workspace_keeps_tags_ids_and_long_names_through_clu(grpc_server: Any, client: Any) -> None:
    g = grpc_server
    project = g.workspaces.CreateWorkspace(
        workspace_pb2.CreateWorkspaceRequest(workspace=workspace_pb2.Workspace(name="bank"))
    ).id
    ws = tagged_workspace()
    with pytest.raises(grpc.RpcError) as err:
        _import(g, project, hf_bytes(ws), delimiter="/")  # CLU forbids / in names
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "delimiter" in err.value.details()
    _import(g, project, hf_bytes(ws), delimiter="--")
    clu = client.export_project(project)
    names = {i["category"] for i in clu["assets"]["intents"]}
    assert "billing--refund" in names and "greeting" in names  # the request's delimiter was used
    assert all(len(n) <= 50 for n in names) and not any(LONG_LEAF in n for n in names)  # rewritten for CLU
    assert sum(u["dataset"] == "Test" for u in clu["assets"]["utterances"]) == 1

    back = _export(g, project)
    assert back == dumps_hf(ws)  # ids, tags, metadata, long name: all of it came back

    # an edit made in CLU comes back too, merged over the sync base
    clu["assets"]["utterances"].append(
        {"text": "hey you", "intent": "greeting", "language": "en-us", "dataset": "Train", "entities": []}
    )
    client.import_project(project, clu)
    merged = loads_hf(_export(g, project))
    assert {t.name for t in merged.tags} == {"vip", "Test"}
    by_text = {e.text: e for e in merged.examples}
    assert by_text["hey you"].intents[0].intent_id == "intent-greet-0003"
    assert by_text["good morning bot"].tags == ["tag-vip"] and by_text["good morning bot"].id == "ex-g2"
    assert {i.id for i in merged.intents} == {i.id for i in ws.intents}


def test_export_without_sync_base_is_plain_conversion(
    grpc_server: Any, client: Any, clu_file: Any, tmp_path: Path
) -> None:
    from hfx.formats.clu_json import read_clu

    project = _seed(client, clu_file("EmailProject.json"))
    expected, _ = read_clu(client.export_project(project))
    assert _export(grpc_server, project) == dumps_hf(expected)
