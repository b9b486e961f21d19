"""Growth of cost with hierarchy depth and name length, measured in one run (ratios, never timed asserts).

Usage: python benchmarks/bounded.py [--depth N] [--name-mb M]

For a chain of N intents and of 4N intents, times ``merge`` (3-way), ``diff`` and ``hierarchy show`` in memory;
for an intent name of M MB and of 4M MB, times ``convert hf-to-clu`` (with its report) and ``validate``. Prints
each ratio "4x input -> time ratio": about 4 is linear, 16 quadratic, 64 cubic. Building every full intent path
is itself quadratic in depth (the paths hold depth^2 names), so depth ratios up to about 16 are expected;
name-length ratios should stay near 4.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "helpers"))  # the deep workspace the cost tests use

from deep_hierarchy import chain  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from hfx.cli.main import app  # noqa: E402

runner = CliRunner()


def timed(*args: str) -> float:
    start = time.perf_counter()
    result = runner.invoke(app, list(args))
    elapsed = time.perf_counter() - start
    if result.exit_code not in (0, 1):
        raise SystemExit(f"{args}: exit {result.exit_code}: {result.output[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--depth", type=int, default=400)
    parser.add_argument("--name-mb", type=float, default=0.5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        depth_times: dict[int, dict[str, float]] = {}
        for depth in (args.depth, 4 * args.depth):
            ours, theirs = folder / f"o{depth}.json", folder / f"t{depth}.json"
            ours.write_text(json.dumps(chain(depth)))
            theirs.write_text(json.dumps(chain(depth, extra_example=True)))
            depth_times[depth] = {
                "merge": timed("merge", str(ours), str(theirs), "--base", str(ours), "-o", str(folder / "m.json")),
                "diff": timed("diff", str(ours), str(theirs)),
                "hierarchy show": timed("hierarchy", "show", str(ours)),
            }
        name_times: dict[int, dict[str, float]] = {}
        for size in (int(args.name_mb * 1e6), int(4 * args.name_mb * 1e6)):
            name = "x" * size
            path = folder / f"n{size}.json"
            path.write_text(
                json.dumps(
                    {
                        "name": "w",
                        "intents": [{"id": "i", "name": name}],
                        "examples": [{"id": "e", "text": "hi", "intents": [{"intent_id": "i"}]}],
                    }
                )
            )
            name_times[size] = {
                "hf-to-clu": timed(
                    "convert", "hf-to-clu", str(path), "-o", str(folder / "p.json"), "--report", str(folder / "r.json")
                ),
                "validate": timed("validate", str(path), "--target", "clu"),
            }
    for label, table in (("depth", depth_times), ("name length", name_times)):
        small, large = sorted(table)
        for step in table[small]:
            ratio = table[large][step] / max(table[small][step], 1e-9)
            print(
                f"{label} {small} -> {large}: {step:15s} {table[small][step]:7.3f} s -> {table[large][step]:7.3f} s"
                f"  ratio {ratio:5.1f}"
            )


if __name__ == "__main__":
    main()
