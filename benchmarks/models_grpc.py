"""Benchmark: local models through a real ``hfx serve`` (embedded default backend, mTLS on loopback).

Trains on an HF workspace with ``TrainModel``, then classifies its texts with ``Classify`` in batches of the
server's ``--max-batch-size`` and embeds them with ``Embed``, and prints, all measured in this one run:

* TrainModel wall time, and its ratio to the same training in-process (``NluModel.train``, no gRPC);
* Classify throughput through gRPC (texts/s) and its ratio to in-process ``NluModel.predict`` on the same batches
  (the cost of the server: protobuf, TLS, threads), first call after a restart (lazy load) included separately;
* Embed throughput through gRPC (texts/s);
* the server's peak memory (VmHWM) above its idle RSS.

::

    python benchmarks/models_grpc.py [WORKSPACE.json] [--batch 100] [--rounds 3]

Target (issue 10): classify >= 200 texts/s through gRPC on a 2-core machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT = REPO / "tests" / "data" / "hf" / "Academy-Ex07-High-Coverage.json"


def _rss_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _start(data_dir: Path, batch: int) -> tuple[subprocess.Popen[str], int, Path]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HFX_ADDRESS": "127.0.0.1:0"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hfx",
            "serve",
            "--dev",
            "--data-dir",
            str(data_dir),
            "--max-batch-size",
            str(batch),
            "--log-level",
            "info",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    port = 0
    for line in proc.stderr:  # type: ignore[union-attr]
        found = re.search(r"\(port (\d+), mTLS\)", line)
        port = int(found.group(1)) if found else port
        if "ready" in line:
            break
    if not port:
        proc.kill()
        raise SystemExit("the server did not start")
    # keep reading its log (one line per call): a full pipe would block the server
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()  # type: ignore[union-attr]
    return proc, port, data_dir / "dev-credentials" / "client-credentials.json"


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _in_process(raw: bytes, source: str, batches: list[list[str]], rounds: int) -> tuple[float, float]:
    """The reference, same machine, same run: training time (s) and classification rate (texts/s) in process."""
    from hfx.formats.hf_json import loads_hf
    from hfx.nlu.model import NluModel, TrainSettings

    ws = loads_hf(raw, source=source)
    t0 = time.perf_counter()
    local = NluModel.train(ws, TrainSettings(delimiter="---"))
    train = time.perf_counter() - t0
    local.predict(batches[0])  # warm up
    t0 = time.perf_counter()
    for _ in range(rounds):
        for b in batches:
            local.predict(b)
    return train, rounds * sum(map(len, batches)) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workspace", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--batch", type=int, default=100, help="--max-batch-size of the server (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the texts (default 3)")
    args = parser.parse_args()

    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    import grpc

    from hfx.proto.external_integration.v1alpha1 import models_pb2, models_pb2_grpc
    from hfx.proto.external_nlu.v1alpha1 import service_pb2
    from hfx.proto.playbook.data.config.v1alpha1 import config_pb2
    from hfx.server.tls import channel_credentials, load_credentials

    raw = args.workspace.read_bytes()
    texts = [ex["text"] for ex in json.loads(raw).get("examples", []) if ex.get("intents")]
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    print(
        f"workspace: {args.workspace.name} ({len(texts)} labelled texts), batch {args.batch}, "
        f"{args.rounds} rounds, {os.cpu_count()} cores"
    )

    local_train, local_rate = _in_process(raw, str(args.workspace), batches, args.rounds)

    with tempfile.TemporaryDirectory(prefix="hfx-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        proc, port, creds = _start(data_dir, args.batch)
        try:
            idle = _rss_kib(proc.pid, "VmRSS")
            channel = grpc.secure_channel(
                f"localhost:{port}",
                channel_credentials(load_credentials(creds)),
                options=[("grpc.max_send_message_length", 256 << 20), ("grpc.max_receive_message_length", 256 << 20)],
            )
            stub = models_pb2_grpc.ModelsStub(channel)
            t0 = time.perf_counter()
            model = stub.TrainModel(
                models_pb2.TrainModelRequest(
                    data_format=config_pb2.INTENTS_FORMAT_HF_JSON,
                    format_options=config_pb2.IntentsDataOptions(gzip_encoding=True),
                    data=gzip.compress(raw),
                ),
                timeout=600,
            ).model
            grpc_train = time.perf_counter() - t0

            def classify(batch: list[str]) -> None:
                stub.Classify(
                    models_pb2.ClassifyRequest(
                        model_id=model.id, examples=[service_pb2.Example(contents=t) for t in batch]
                    ),
                    timeout=60,
                )

            stub.UnloadModel(models_pb2.UnloadModelRequest(model_id=model.id))
            t0 = time.perf_counter()
            classify(batches[0])  # loads the model from disk
            first_call = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _ in range(args.rounds):
                for b in batches:
                    classify(b)
            grpc_rate = args.rounds * len(texts) / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            for b in batches:
                stub.Embed(models_pb2.EmbedRequest(model_id=model.id, examples=b), timeout=60)
            embed_rate = len(texts) / (time.perf_counter() - t0)
            peak = _rss_kib(proc.pid, "VmHWM")
            channel.close()
        finally:
            _stop(proc)

    print(
        f"train:    gRPC {grpc_train:6.1f} s   in-process {local_train:6.1f} s   ratio {grpc_train / local_train:.2f}"
    )
    print(
        f"classify: gRPC {grpc_rate:8.0f} texts/s   in-process {local_rate:8.0f} texts/s   "
        f"ratio {grpc_rate / local_rate:.2f}   (target >= 200 texts/s through gRPC)"
    )
    print(
        f"          first call after unload (loads the model): {first_call * 1000:.0f} ms for {len(batches[0])} texts"
    )
    print(f"embed:    gRPC {embed_rate:8.0f} texts/s")
    print(
        f"server memory: peak {peak / 1024:.0f} MiB, {(peak - idle) / 1024:.0f} MiB above idle ({idle / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
