"""Classify 1,000 examples through the CLU client against the emulator (50 ms latency, 40 requests/s limit).

Prints the throughput as a fraction of the rate limit (target >= 0.9) and the number of failed calls (target 0).
Run from the repository root: ``python benchmarks/classify.py [--examples N] [--concurrency C]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hfx.clu.client import CluClient  # noqa: E402
from hfx.clu.emulator import start_emulator  # noqa: E402

SHARED = Path(os.environ.get("HFX_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rps", type=float, default=40.0, help="the emulator's rate limit")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--headroom", type=float, default=0.98, help="client pacing as a fraction of the limit")
    args = parser.parse_args()

    corpus = SHARED / "corpora" / "clu" / "FlightBooking.json"
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
    print(f"examples: {len(texts)}  concurrency: {args.concurrency}  latency: {args.latency_ms:g} ms  "
          f"limit: {args.rps:g} req/s")
    print(f"elapsed: {elapsed:.2f} s  throughput: {throughput:.2f} req/s  "
          f"retries: {client.stats['retries']}  emulator 429s: {counters['throttled']}")
    print(f"throughput / limit: {ratio:.3f} (target >= 0.9)  failed calls: {failures} (target 0)")
    return 0 if ratio >= 0.9 and failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
