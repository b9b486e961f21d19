"""Classify 1,000 examples against the emulator (50 ms latency, 40 requests/s limit).

``--through backend`` (default) goes through the CLU server backend (``hfx serve --backend clu``): TrainModel on the
FlightBooking corpus as HF JSON, then Classify in batches of ``max_batch_size``, with ``--clu-concurrency`` calls in
flight and the client pacing itself under the limit. ``--through client`` calls the CLU client directly.
Prints the throughput as a fraction of the rate limit (target >= 0.9) and the number of failed calls (target 0).
Run from the repository root: ``python benchmarks/classify.py [--examples N] [--concurrency C] [--through T]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hfx.clu.client import CluClient  # noqa: E402
from hfx.clu.emulator import start_emulator  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rps", type=float, default=40.0, help="the emulator's rate limit")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--headroom", type=float, default=0.98, help="client pacing as a fraction of the limit")
    parser.add_argument("--through", choices=("backend", "client"), default="backend")
    args = parser.parse_args()
    if args.through == "backend":
        return through_backend(args)

    corpus = DATA / "clu" / "FlightBooking.json"
    project = json.loads(corpus.read_text(encoding="utf-8"))
    texts = [u["text"] for u in project["assets"]["utterances"]]
    texts = [texts[i % len(texts)] for i in range(args.examples)]
    key = "benchmark-key"
    with start_emulator(key=key, latency_ms=args.latency_ms, rps=args.rps) as emu:
        setup = CluClient(emu.url, key, poll_interval=0.05, max_rps=args.rps * args.headroom)
        setup.import_project("FlightBooking", project)
        setup.train("FlightBooking", "m1")
        setup.deploy("FlightBooking", "prod", "m1")
        setup.close()
        time.sleep(1.0)  # let the setup calls leave the emulator's one-second window

        client = CluClient(emu.url, key, max_rps=args.rps * args.headroom, max_attempts=8)
        failures = 0

        def classify(text: str) -> bool:
            try:
                return client.analyze(text, "FlightBooking", "prod")["query"] == text
            except Exception:  # noqa: BLE001 - a benchmark counts failures, whatever they are
                return False

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            ok = list(pool.map(classify, texts))
        elapsed = time.perf_counter() - started
        failures = ok.count(False)
        throughput = len(texts) / elapsed
        counters = dict(emu.state.counters)
        client.close()

    ratio = throughput / args.rps
    print(
        f"examples: {len(texts)}  concurrency: {args.concurrency}  latency: {args.latency_ms:g} ms  "
        f"limit: {args.rps:g} req/s"
    )
    print(
        f"elapsed: {elapsed:.2f} s  throughput: {throughput:.2f} req/s  "
        f"retries: {client.stats['retries']}  emulator 429s: {counters['throttled']}"
    )
    print(f"throughput / limit: {ratio:.3f} (target >= 0.9)  failed calls: {failures} (target 0)")
    return 0 if ratio >= 0.9 and failures == 0 else 1


def through_backend(args: argparse.Namespace) -> int:
    """TrainModel + Classify through :class:`hfx.backends.clu.CluBackend` (what ``hfx serve --backend clu`` runs)."""
    import tempfile
    import threading

    from hfx.backends.base import CallContext, DataOptions
    from hfx.backends.clu import CluBackend, CluBackendConfig
    from hfx.formats.clu_json import read_clu
    from hfx.formats.hf_json import dumps_hf

    corpus = DATA / "clu" / "FlightBooking.json"
    project = json.loads(corpus.read_text(encoding="utf-8"))
    ws, _ = read_clu(project)
    texts = [u["text"] for u in project["assets"]["utterances"]]
    texts = [texts[i % len(texts)] for i in range(args.examples)]
    key = "benchmark-key"
    ctx = CallContext()
    with (
        start_emulator(key=key, latency_ms=args.latency_ms, rps=args.rps) as emu,
        tempfile.TemporaryDirectory() as data_dir,
    ):
        client = CluClient(
            emu.url,
            key,
            poll_interval=0.05,
            max_rps=args.rps * args.headroom,
            max_attempts=8,
            pool_size=args.concurrency + 4,
        )
        backend = CluBackend(client, CluBackendConfig(data_dir=Path(data_dir), concurrency=args.concurrency))
        model = backend.train_model(ctx, dumps_hf(ws), DataOptions(), threading.Event())
        batch = model.classification_batch_size or 100
        time.sleep(1.0)  # let the training calls leave the emulator's one-second window
        before = dict(emu.state.counters)
        retries_before = client.stats["retries"]
        failures = answered = 0
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            chunk = texts[i : i + batch]
            try:
                predictions = backend.classify(ctx, model.id, chunk)
            except Exception:  # noqa: BLE001 - a benchmark counts failures, whatever they are
                failures += len(chunk)
                continue
            answered += len(predictions)
            failures += sum(1 for p in predictions if not p.intents)
        elapsed = time.perf_counter() - started
        counters = dict(emu.state.counters)
        retries = client.stats["retries"] - retries_before
        backend.delete_model(ctx, model.id)
        backend.close()

    throughput = answered / elapsed
    ratio = throughput / args.rps
    print(
        f"through the CLU backend: {len(texts)} examples in batches of {batch}, concurrency {args.concurrency}, "
        f"latency {args.latency_ms:g} ms, limit {args.rps:g} req/s"
    )
    print(
        f"elapsed: {elapsed:.2f} s  throughput: {throughput:.2f} predictions/s  retries: {retries}  "
        f"emulator 429s: {counters['throttled'] - before['throttled']}  "
        f"predictions served: {counters['predictions'] - before['predictions']}"
    )
    print(f"throughput / limit: {ratio:.3f} (target >= 0.9)  failed examples: {failures} (target 0)")
    return 0 if ratio >= 0.9 and failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
