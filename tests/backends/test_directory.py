"""Directory backend without gRPC: safe names, history bound, payload decoding limits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hfx.backends.base import CallContext, DataOptions, InvalidInput, NotFound, TooLarge
from hfx.backends.directory import DirectoryBackend, id_from_name, safe_name
from hfx.backends.payload import decode_payload, gunzip_capped

CTX = CallContext("ns", "intg")


@given(st.text(min_size=1, max_size=60))
def test_safe_name_round_trips_and_never_escapes(workspace_id: str) -> None:
    try:
        name = safe_name(workspace_id)
    except InvalidInput:
        return  # too long once encoded
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".")
    assert id_from_name(name) == workspace_id
    assert (Path("/data/workspaces") / f"{name}.json").parent == Path("/data/workspaces")


def _ws(name: str, n: int = 1) -> bytes:
    return json.dumps({"name": name, "examples": [{"id": f"e{i}", "text": f"text {i}"} for i in range(n)]}).encode()


def test_history_is_bounded_and_keeps_previous_versions(tmp_path: Path) -> None:
    backend = DirectoryBackend(tmp_path, history_limit=3)
    ws = backend.create_workspace(CTX, "Bank bot")
    assert ws.id == "bank-bot"
    for i in range(6):
        backend.import_data(CTX, ws.id, _ws(f"v{i}"), DataOptions())
    versions = backend.history(ws.id)
    assert [json.loads(p.read_bytes())["name"] for p in versions] == ["v2", "v3", "v4"]
    assert backend.export_data(CTX, ws.id).data == _ws("v5")
    assert all(p.parent.parent == tmp_path / "history" for p in versions)


def test_create_makes_unique_ids_and_lists_names(tmp_path: Path) -> None:
    backend = DirectoryBackend(tmp_path)
    a = backend.create_workspace(CTX, "Support", "first")
    b = backend.create_workspace(CTX, "Support", "second")
    assert (a.id, b.id) == ("support", "support-2")
    listed = backend.list_workspaces(CTX)
    assert [(w.id, w.name, w.description) for w in listed] == [
        ("support", "Support", "first"),
        ("support-2", "Support", "second"),
    ]
    with pytest.raises(NotFound):
        backend.get_workspace(CTX, "nope")


def test_gzip_bomb_stops_at_cap_without_inflating_everything() -> None:
    bomb = gzip.compress(b"{" + b" " * (64 << 20) + b"}")  # 64 MiB of spaces, ~64 KiB compressed
    with pytest.raises(TooLarge):
        gunzip_capped(bomb, 1 << 20)
    assert decode_payload(gzip.compress(b"{}"), DataOptions(gzip=False)) == b"{}"  # magic wins over the flag
    assert decode_payload(b"{}", DataOptions(gzip=True)) == b"{}"
    with pytest.raises(TooLarge):
        decode_payload(b"{" + b" " * 2048 + b"}", DataOptions(), max_bytes=1024)
    with pytest.raises(InvalidInput):
        decode_payload(gzip.compress(b"{}")[:-6], DataOptions())  # truncated
    with pytest.raises(InvalidInput):
        decode_payload(b"{}", DataOptions(format="RASA_YAML"))
    assert gunzip_capped(gzip.compress(b"ab") + gzip.compress(b"cd"), 10) == b"abcd"


def test_payloads_decoded_at_once_are_limited(tmp_path: Path) -> None:
    import threading

    from hfx.backends import payload

    backend = DirectoryBackend(tmp_path)
    ws = backend.create_workspace(CTX, "Busy")
    done = threading.Event()
    held = [payload._decoding.acquire() for _ in range(payload.MAX_CONCURRENT_DECODES)]
    worker = threading.Thread(
        target=lambda: (backend.import_data(CTX, ws.id, gzip.compress(_ws("late")), DataOptions()), done.set())
    )
    worker.start()
    try:
        assert not done.wait(0.3)  # every slot is taken: the import waits, it does not inflate
    finally:
        for _ in held:
            payload._decoding.release()
    worker.join(30)
    assert done.is_set() and json.loads(backend.export_data(CTX, ws.id).data)["name"] == "late"


def test_temp_files_of_interrupted_writes_are_removed_at_start(tmp_path: Path) -> None:
    backend = DirectoryBackend(tmp_path)
    ws = backend.create_workspace(CTX, "Crashy")
    orphans = [
        tmp_path / "workspaces" / f".{ws.id}.json.a1b2c3d4.hfx.tmp",
        tmp_path / "workspaces" / f".{ws.id}.json.z9y8x7w6.tmp",  # written by an earlier hfx
        tmp_path / "history" / ws.id / ".000001.json.abcdefgh.hfx.tmp",
    ]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"{" * 1000)
    kept = tmp_path / "workspaces" / ".notes.tmp"  # not ours: left alone
    kept.write_text("mine", encoding="utf-8")
    DirectoryBackend(tmp_path)
    assert not any(o.exists() for o in orphans) and kept.exists()
    assert [w.id for w in DirectoryBackend(tmp_path).list_workspaces(CTX)] == [ws.id]


def test_a_hand_placed_file_nested_too_deep_still_lists(tmp_path: Path) -> None:
    backend = DirectoryBackend(tmp_path)
    (tmp_path / "workspaces" / "deep.json").write_bytes(b'{"name": "x", "d": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert [(w.id, w.name) for w in backend.list_workspaces(CTX)] == [("deep", "deep")]
