"""The local model (``hfx train / predict / evaluate``, ``hfx serve`` Models) on the Academy workspaces.

For each workspace prints: training time on the whole workspace, classify throughput (texts/s in batches of
``--batch``, the server's ``max_batch_size``), k-fold accuracy and macro-F1, the model's size in memory, and the
process's peak memory so far. ``--synthetic`` adds a stress workspace the size of a large public benchmark
(150 intents x 100 examples, texts recombined from the corpora with an intent-specific word) to check the training
budget (120 s on 2 cores). Numbers are printed, never asserted (machines are noisy); ratios to the targets are
measured in the same run.
Run from the repository root: ``python benchmarks/models.py [--folds K] [--batch N] [--synthetic] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hfx.formats.detect import load_workspace  # noqa: E402
from hfx.model import Example, Intent, IntentRef, Workspace  # noqa: E402
from hfx.nlu import embedder  # noqa: E402
from hfx.nlu.evaluate import cross_validate  # noqa: E402
from hfx.nlu.model import NluModel, TrainSettings  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
TRAIN_BUDGET_S = 120.0
THROUGHPUT_TARGET = 200.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(intents: int = 150, per_intent: int = 100, seed: int = 0) -> Workspace:
    """Corpus texts with one of three intent-specific words inserted: the size and sparsity of a big workspace."""
    rnd = random.Random(seed)
    pool = [e.text for p in sorted((DATA / "hf").glob("Academy-*.json")) for e in load_workspace(p)[1].examples]
    vocabulary = sorted({w.lower() for t in pool for w in t.split()})
    ws = Workspace(name=f"synthetic {intents}x{per_intent}")
    for i in range(intents):
        intent_id = f"intent-{i:03d}"
        ws.intents.append(Intent(intent_id, f"intent {i:03d}"))
        keywords = rnd.sample(vocabulary, 3)
        for j in range(per_intent):
            words = rnd.choice(pool).split()
            words.insert(rnd.randrange(len(words) + 1), rnd.choice(keywords))
            ws.examples.append(Example(f"ex-{i}-{j}", " ".join(words), [IntentRef(intent_id)]))
    return ws


def throughput(model: NluModel, texts: list[str], batch: int, minimum: int = 2000) -> float:
    texts = (texts * (minimum // max(1, len(texts)) + 1))[: max(minimum, len(texts))]
    started = time.perf_counter()
    for lo in range(0, len(texts), batch):
        model.predict(texts[lo : lo + batch])
    return len(texts) / (time.perf_counter() - started)


def bench(name: str, ws: Workspace, args: argparse.Namespace) -> None:
    texts = [e.text for e in ws.examples if e.positive_intents]
    started = time.perf_counter()
    model = NluModel.train(ws, TrainSettings(delimiter="/"))
    train_s = time.perf_counter() - started
    rate = throughput(model, texts, args.batch)
    line = (
        f"{name:32s} {model.example_count:6d} ex {model.intent_count:4d} intents | train {train_s:6.1f} s "
        f"({train_s / TRAIN_BUDGET_S:.2f} of budget) | classify {rate:7.0f} texts/s "
        f"({rate / THROUGHPUT_TARGET:.1f}x target) | model {model.memory_bytes() / 1e6:5.1f} MB"
    )
    if args.folds and not name.startswith("synthetic"):
        started = time.perf_counter()
        ev = cross_validate(ws, TrainSettings(delimiter="/"), folds=args.folds)
        line += (
            f" | {args.folds}-fold acc {ev.accuracy:.4f} macro-F1 {ev.macro_f1:.4f} "
            f"({time.perf_counter() - started:.0f} s)"
        )
    print(line + f" | peak RSS {peak_mb():.0f} MB", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="k of the cross-validation (0 = skip)")
    parser.add_argument(
        "--batch", type=int, default=100, help="texts per classify call (the server's default max_batch_size)"
    )
    parser.add_argument("--synthetic", action="store_true", help="also the 150 x 100 stress workspace")
    parser.add_argument("--only", default="", help="only workspaces whose file name contains this")
    args = parser.parse_args()
    started = time.perf_counter()
    embedder.embed(["warm up"])
    print(f"dense model loaded in {time.perf_counter() - started:.2f} s; peak RSS {peak_mb():.0f} MB")
    for path in sorted((DATA / "hf").glob("Academy-*.json")):
        if args.only in path.name:
            bench(path.stem, load_workspace(path)[1], args)
    if args.synthetic:
        bench("synthetic 150x100", synthetic(), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
