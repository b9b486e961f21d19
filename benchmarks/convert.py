"""Speed of ``hfx convert`` against the floor of a plain JSON load + dump of the same files, in one run.

Usage: python benchmarks/convert.py [--utterances N] [--runs R]

Generates a CLU project (default 20,000 utterances, 200 hierarchical intents, list/regex/prebuilt/learned
entities, labels after emoji and CJK text, several languages, a Test split), converts it with
``hfx convert clu-to-hf`` and back with ``hfx convert hf-to-clu`` (separate processes, start-up included),
and compares each with the floor for the same files: what any converter of these files has to do at the
least, i.e. start Python, ``json.load`` the input file and ``json.dump`` the output document to a file
(UTF-8, indent 2, like hfx). Times are the best of R runs.

Prints both ratios (target <= 2.0), and for reference the ratio against the floor without interpreter
start-up ("in memory").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from generate import clu_project as generate
from timing import best, best_process

REPO = Path(__file__).resolve().parents[1]


def json_floor(src: Path, dst: Path, scratch: Path, runs: int) -> float:
    """In-process: load the input file + dump the output document (as hfx wrote it) to a file."""
    with open(dst, encoding="utf-8") as f:
        out_doc = json.load(f)

    def load() -> None:
        with open(src, encoding="utf-8") as f:
            json.load(f)

    def dump() -> None:
        with open(scratch, "w", encoding="utf-8") as f:
            json.dump(out_doc, f, ensure_ascii=False, indent=2)
            f.write("\n")

    return best(load, runs) + best(dump, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        clu, hf, back, scratch = d / "project.json", d / "workspace.json", d / "back.json", d / "floor.json"
        clu.write_text(json.dumps(generate(args.utterances), ensure_ascii=False, indent=2), encoding="utf-8")
        startup = best_process([py, "-c", "import json"], args.runs, cwd=REPO)
        rows = []
        for name, src, dst in (("clu-to-hf", clu, hf), ("hf-to-clu", hf, back)):
            t_hfx = best_process([py, "-m", "hfx", "convert", name, str(src), "-o", str(dst)], args.runs, cwd=REPO)
            t_mem = json_floor(src, dst, scratch, args.runs)
            rows.append((name, src.stat().st_size, dst.stat().st_size, t_hfx, startup + t_mem, t_mem))
        assert json.loads(back.read_bytes()) == json.loads(clu.read_bytes()), "round trip changed the project"
    print(f"{args.utterances} utterances, best of {args.runs} runs; python start-up {startup:.3f} s")
    worst = 0.0
    for name, in_size, out_size, t_hfx, floor, t_mem in rows:
        worst = max(worst, t_hfx / floor)
        print(
            f"  {name}: {in_size / 1e6:.1f} MB -> {out_size / 1e6:.1f} MB; hfx {t_hfx:.3f} s; "
            f"json load+dump {floor:.3f} s -> ratio {t_hfx / floor:.2f} (target <= 2.0); "
            f"in memory {t_mem:.3f} s -> ratio {t_hfx / t_mem:.2f}"
        )
    print(f"worst ratio {worst:.2f}: {'within' if worst <= 2.0 else 'OVER'} the 2.0 target")


if __name__ == "__main__":
    main()
