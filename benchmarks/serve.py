"""Benchmark: import and export a generated ~100 MB HF workspace through a real ``hfx serve`` (mTLS, loopback).

Prints the server's time (wall and CPU: the server process's user + system time, which a busy machine does not
inflate) as a ratio to a plain in-process ``json.loads`` + ``json.dumps`` (C encoder, no indent) of the same
bytes, and the server's peak memory as a ratio to the payload (the uncompressed workspace), all measured in this
one run (each side in its own process, so peaks do not mix). Targets (issue 12): time <= 1.5x, peak <= 4x::

    python benchmarks/serve.py [--size-mb 100] [--keep DIR] [--compare OLD_TREE]

Peak memory is the process's RSS high-water mark (Linux ``/proc/<pid>/status`` VmHWM); "above idle" subtracts
the RSS the process had before the work started (the interpreter, grpc and hfx imports).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WORDS = (
    "account balance card transfer refund payment order delivery address password login reset email phone "
    "plan upgrade cancel subscription invoice receipt flight hotel booking seat café naïve 東京 😀"
).split()


def generate(size_bytes: int, seed: int = 0) -> bytes:
    """A deterministic HF workspace of about ``size_bytes`` (intent hierarchy, entities, spans, tags)."""
    rng = random.Random(seed)
    tags = [{"id": f"tag-{i}", "name": name, "color": "#7ec4e6"} for i, name in enumerate(["Train", "Test", "x"])]
    intents = []
    for p in range(20):
        intents.append({"id": f"intent-p{p}", "name": f"parent{p}"})
        for c in range(10):
            intents.append(
                {
                    "id": f"intent-p{p}c{c}",
                    "name": f"child{c}",
                    "parent_intent_id": f"intent-p{p}",
                    "metadata": {"owner": "bench"},
                }
            )
    leaves = [i["id"] for i in intents if "parent_intent_id" in i]
    entities = [
        {
            "id": f"entity-{e}",
            "name": f"ent{e}",
            "values": [
                {
                    "id": f"entval-{e}-{v}",
                    "key_value": f"value{v}",
                    "synonyms": [{"value": f"value{v}"}, {"value": f"v{v}"}],
                }
                for v in range(5)
            ],
        }
        for e in range(10)
    ]
    head = {
        "$schema": "https://docs.humanfirst.ai/hf-json-schema.json",
        "name": "bench",
        "description": "generated",
        "tags": tags,
        "intents": intents,
        "entities": entities,
    }
    # size one example to know how many are needed
    examples = []
    approx = len(json.dumps(head, indent=2))
    n = 0
    while approx < size_bytes:
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
        e = rng.randrange(10)
        v = rng.randrange(5)
        value = f"value{v}"
        prefix = " ".join(words[:3]) + " "
        text = prefix + value + " " + " ".join(words[3:])
        start = len(prefix.encode())
        ex = {
            "id": f"phrase-{n}",
            "text": text,
            "intents": [{"intent_id": rng.choice(leaves)}],
            "tags": [{"id": "tag-1" if n % 5 == 0 else "tag-0"}],
            "entities": [
                {
                    "entity_id": f"entity-{e}",
                    "name": f"ent{e}",
                    "text": value,
                    "value": value,
                    "value_id": f"entval-{e}-{v}",
                    "span": {"from_character": start, "to_character": start + len(value)},
                }
            ],
            "metadata": {"source": "bench", "n": str(n)},
            "created_at": "2024-01-01T00:00:00Z",
        }
        examples.append(ex)
        approx += len(json.dumps({"e": [ex]}, indent=2, ensure_ascii=False).encode()) - 12
        n += 1
    head["examples"] = examples
    return (json.dumps(head, indent=2, ensure_ascii=False) + "\n").encode()


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {key} for pid {pid}")


BASELINE = r"""
import json, sys, time
from pathlib import Path
def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
path = sys.argv[1]
idle = status("VmRSS")
start, cpu = time.perf_counter(), time.process_time()
with open(path, "rb") as f:
    data = f.read()
obj = json.loads(data)
out = json.dumps(obj, ensure_ascii=False).encode()
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
assert len(out) > 0
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak": status("VmHWM"), "idle": idle}))
"""


def _reset_peak(pid: int) -> None:
    """Start the process's RSS high-water mark again from its current RSS (Linux: ``clear_refs`` 5), so that
    the export's peak is told from the import's; without the permission both are one peak."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (``/proc/<pid>/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baseline(path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", BASELINE, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def through_server(data: bytes, work: Path, tree: Path = REPO) -> dict[str, float]:
    import grpc

    from hfx.proto.external_integration.v1alpha1 import workspace_pb2 as ws_pb
    from hfx.proto.external_integration.v1alpha1 import workspace_pb2_grpc
    from hfx.proto.playbook.data.config.v1alpha1 import config_pb2
    from hfx.server.tls import channel_credentials, generate_credentials, load_credentials

    files = generate_credentials(work / f"creds-{abs(hash(str(tree)))}")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    data_dir = work / f"data-{abs(hash(str(tree)))}"
    serve = ["serve", "--creds", str(files.credentials), "--address", f"127.0.0.1:{port}", "--data-dir", str(data_dir)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfx", *serve, "--log-level", "warning"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    limit = 512 << 20
    channel = grpc.secure_channel(
        f"localhost:{port}",
        channel_credentials(load_credentials(files.client_credentials)),
        options=[("grpc.max_send_message_length", limit), ("grpc.max_receive_message_length", limit)],
    )
    try:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = workspace_pb2_grpc.WorkspacesStub(channel)
        ws = stub.CreateWorkspace(ws_pb.CreateWorkspaceRequest(workspace=ws_pb.Workspace(name="bench")))
        params = stub.GetImportParameters(ws_pb.GetImportParametersRequest(workspace_id=ws.id))
        payload = gzip.compress(data, compresslevel=6) if params.format_options.gzip_encoding else data
        idle = _status(proc.pid, "VmRSS")
        cpu0 = _cpu(proc.pid)
        start = time.perf_counter()
        stub.ImportWorkspace(
            ws_pb.ImportWorkspaceRequest(
                workspace_id=ws.id,
                data_format=config_pb2.INTENTS_FORMAT_HF_JSON,
                format_options=params.format_options,
                data=payload,
            ),
            timeout=600,
        )
        imported = time.perf_counter()
        cpu1 = _cpu(proc.pid)
        peak_import = _status(proc.pid, "VmHWM")
        _reset_peak(proc.pid)
        reply = stub.ExportWorkspace(ws_pb.ExportWorkspaceRequest(workspace_id=ws.id), timeout=600)
        exported = time.perf_counter()
        cpu2 = _cpu(proc.pid)
        peak_export = _status(proc.pid, "VmHWM")
        peak = max(peak_import, peak_export)
        back = gzip.decompress(reply.data) if reply.format_options.gzip_encoding else reply.data
        if back != data:
            raise SystemExit("round trip changed the workspace")
        return {
            "import": imported - start,
            "export": exported - imported,
            "seconds": exported - start,
            "cpu_import": cpu1 - cpu0,
            "cpu_export": cpu2 - cpu1,
            "cpu": cpu2 - cpu0,
            "peak": peak,
            "peak_import": peak_import,
            "peak_export": peak_export,
            "idle": idle,
            "wire": len(payload),
        }
    finally:
        channel.close()
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def report(name: str, srv: dict[str, float], base: dict[str, float], payload: int) -> None:
    mib = 1 << 20
    print(
        f"{name}: import (gzip {srv['wire'] / mib:.1f} MiB on the wire) {srv['import']:.2f} s "
        f"({srv['cpu_import']:.2f} s CPU), export {srv['export']:.2f} s ({srv['cpu_export']:.2f} s CPU), "
        f"peak RSS {srv['peak'] / mib:.0f} MiB ({(srv['peak'] - srv['idle']) / mib:.0f} MiB above idle; "
        f"import {srv['peak_import'] / mib:.0f} MiB, export {srv['peak_export'] / mib:.0f} MiB)"
    )
    wall, cpu = srv["seconds"] / base["seconds"], srv["cpu"] / base["cpu"]
    print(
        f"  time, import + export over the floor: ratio {wall:.2f} wall, {cpu:.2f} CPU "
        f"(target <= 1.5: {'ok' if wall <= 1.5 else 'OVER'} wall, {'ok' if cpu <= 1.5 else 'OVER'} CPU)"
    )
    print(
        f"  peak memory over the payload ({payload / mib:.0f} MiB): ratio {srv['peak'] / payload:.2f} "
        f"(target <= 4: {'ok' if srv['peak'] <= 4 * payload else 'OVER'}); above idle "
        f"{(srv['peak'] - srv['idle']) / payload:.2f}; the floor's {base['peak'] / payload:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    parser.add_argument("--compare", type=Path, help="also run the server of this source tree (e.g. a git archive)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hfx-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        data = generate(int(args.size_mb * (1 << 20)))
        path = work / "workspace.json"
        path.write_bytes(data)
        mib = 1 << 20
        count = data.count(b'"id": "phrase-')
        print(f"workspace: {len(data) / mib:.1f} MiB, {count} examples")
        base = baseline(path)
        print(
            f"JSON floor (json.loads + json.dumps of the bytes, one process): {base['seconds']:.2f} s "
            f"({base['cpu']:.2f} s CPU), peak RSS {base['peak'] / mib:.0f} MiB "
            f"({(base['peak'] - base['idle']) / mib:.0f} MiB above idle)"
        )
        report("this tree", through_server(data, work), base, len(data))
        if args.compare:
            report(f"compared tree {args.compare}", through_server(data, work, args.compare.resolve()), base, len(data))


if __name__ == "__main__":
    main()
