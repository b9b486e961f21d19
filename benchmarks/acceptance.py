"""Issue 12's acceptance figures, each printed as a ratio measured in this one run (machines are noisy).

Usage: python benchmarks/acceptance.py [--utterances 20000] [--memory-utterances 100000] [--runs 3] [--hfx DIR]
                                      [--compare OLD_DIR]

Every figure times whole processes (interpreter start-up included), best of ``--runs``, both in wall time and
in CPU time (user + system, from the kernel's accounting of the child): on a machine shared with other work the
wall times wait for a core, the CPU times do not.

* convert: ``hfx convert clu-to-hf`` plus ``hfx convert hf-to-clu`` of a generated project (benchmarks/generate.py)
  against the stdlib floor of the same files: a process that ``json.load``-s the input file, plus the time
  ``json.dump(doc, f, ensure_ascii=False)`` takes to write the output document (measured inside its own process,
  without the load that gives it the document). Target <= 1.0.
* validate, diff, merge --base: against a process that ``json.load``-s their inputs (merge: plus the dump of the
  merged document, as above). Target <= 2.0 each.
* memory: peak RSS of ``hfx convert clu-to-hf`` on a ``--memory-utterances`` project over the input file's size.
  Target <= 10.
* start-up: ``hfx --help`` and a 1-utterance ``hfx convert clu-to-hf``, whole processes; target <= 0.15 s each
  (bare ``python -c pass`` is printed for scale).

``--hfx DIR`` runs the hfx of another source tree with the same interpreter; ``--compare OLD_DIR`` also runs the
hfx of ``OLD_DIR`` (e.g. a ``git archive`` of the previous release) on the same files against the same floors,
figure by figure, and prints its ratios next to each one: before and after measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import clu_project

REPO = Path(__file__).resolve().parents[1]

LOAD = "import json, sys\nfor p in sys.argv[1:]:\n    with open(p, encoding='utf-8') as f:\n        json.load(f)\n"
DUMP = (
    "import json, sys, time\nwith open(sys.argv[1], encoding='utf-8') as f:\n    doc = json.load(f)\n"
    "wall, cpu = time.perf_counter(), time.process_time()\nwith open(sys.argv[2], 'w', encoding='utf-8') as f:\n"
    "    json.dump(doc, f, ensure_ascii=False)\nprint(time.perf_counter() - wall, time.process_time() - cpu)\n"
)


class Cost:
    """Best wall and CPU seconds (each the minimum over the runs) and the highest peak RSS in bytes."""

    def __init__(self, wall: float, cpu: float, peak: int = 0) -> None:
        self.wall, self.cpu, self.peak = wall, cpu, peak

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.wall + other.wall, self.cpu + other.cpu, max(self.peak, other.peak))

    def __truediv__(self, other: Cost) -> tuple[float, float]:
        return self.wall / other.wall, self.cpu / other.cpu

    def __str__(self) -> str:
        return f"{self.wall:.3f} s ({self.cpu:.3f} s CPU)"


# As installed: modules compiled once and their bytecode cached (a shell with PYTHONDONTWRITEBYTECODE would
# otherwise charge every run of hfx, and not the floors, for compiling hfx's modules again).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


class Runner:
    def __init__(self, runs: int, trees: list[Path], scratch: Path) -> None:
        self.runs = runs
        self.py = sys.executable
        self.trees = trees
        self.scratch = scratch

    def process(self, cmd: list[str], ok: tuple[int, ...] = (0,), tree: Path | None = None) -> Cost:
        times, cpus, peaks = [], [], []
        for _ in range(self.runs):
            with tempfile.TemporaryFile() as err:
                start = time.perf_counter()
                env = dict(_ENV, PYTHONPATH=str(tree)) if tree else _ENV
                proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=err)
                _, status, usage = os.wait4(proc.pid, 0)
                times.append(time.perf_counter() - start)
                proc.returncode = os.waitstatus_to_exitcode(status)
                if proc.returncode not in ok:
                    err.seek(0)
                    raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read().decode()}")
            cpus.append(usage.ru_utime + usage.ru_stime)
            peaks.append(usage.ru_maxrss * 1024)  # kilobytes on Linux
        return Cost(min(times), min(cpus), max(peaks))

    def hfx(self, *args: str, ok: tuple[int, ...] = (0,)) -> list[Cost]:
        """The cost of an hfx command in each tree (this one first)."""
        return [self.process([self.py, "-m", "hfx", *args], ok, tree) for tree in self.trees]

    def load_floor(self, *paths: Path) -> Cost:
        return self.process([self.py, "-c", LOAD, *map(str, paths)])

    def dump_floor(self, document: Path) -> Cost:
        """Best time of ``json.dump(ensure_ascii=False)`` of ``document``'s content, each run its own process."""
        walls, cpus = [], []
        for _ in range(self.runs):
            out = subprocess.run(
                [self.py, "-c", DUMP, str(document), str(self.scratch)],
                capture_output=True,
                check=True,
                text=True,
                env=_ENV,
            )
            wall, cpu = out.stdout.split()
            walls.append(float(wall))
            cpus.append(float(cpu))
        return Cost(min(walls), min(cpus))


def generate(folder: Path, utterances: int, *options: str) -> dict[str, Path]:
    """benchmarks/generate.py in its own process: a measured process's peak RSS includes that of the process
    that started it (Linux carries the parent's high-water mark across fork and exec), so this one stays small."""
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("generate.py")),
            "--utterances",
            str(utterances),
            *options,
            str(folder),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {role: folder / f"{role}.json" for role in ("project", "workspace", "ours", "theirs")}


def verdict(costs: list[Cost], floor: Cost, target: float | None) -> str:
    wall, cpu = costs[0] / floor
    text = f"ratio {wall:5.2f} wall, {cpu:5.2f} CPU"
    if target is not None:
        text += (
            f" (target <= {target}: {'ok' if wall <= target else 'OVER'} wall, {'ok' if cpu <= target else 'OVER'} CPU)"
        )
    for old in costs[1:]:
        old_wall, old_cpu = old / floor
        text += f"; compared tree {old_wall:5.2f} wall, {old_cpu:5.2f} CPU"
    return text


#: Utterances of the run that measures each command's start-up (imports, argument parsing, one tiny file).
SMALL = 20
TARGETS = {"convert, both directions": 1.0, "validate": 2.0, "diff": 2.0, "merge --base": 2.0}


def measure(run: Runner, files: dict[str, Path], out: Path) -> dict[str, tuple[list[Cost], Cost]]:
    """Each figure's costs (one per tree) and its floor, on ``files`` (benchmarks/generate.py's)."""
    project, workspace, ours, theirs = (str(files[k]) for k in ("project", "workspace", "ours", "theirs"))
    out.mkdir()
    hf_out, clu_out, merged = out / "hf.json", out / "clu.json", out / "merged.json"
    t_c2h = run.hfx("convert", "clu-to-hf", project, "-o", str(hf_out))
    t_h2c = run.hfx("convert", "hf-to-clu", workspace, "-o", str(clu_out))
    f_c2h = run.load_floor(files["project"]) + run.dump_floor(hf_out)
    f_h2c = run.load_floor(files["workspace"]) + run.dump_floor(clu_out)
    t_merge = run.hfx("merge", ours, theirs, "--base", workspace, "-o", str(merged), ok=(0, 1))
    return {
        "convert clu-to-hf": (t_c2h, f_c2h),
        "convert hf-to-clu": (t_h2c, f_h2c),
        "convert, both directions": ([a + b for a, b in zip(t_c2h, t_h2c, strict=True)], f_c2h + f_h2c),
        "validate": (run.hfx("validate", workspace, ok=(0, 1)), run.load_floor(files["workspace"])),
        "diff": (run.hfx("diff", workspace, ours, ok=(0, 1)), run.load_floor(files["workspace"], files["ours"])),
        "merge --base": (
            t_merge,
            run.load_floor(files["ours"], files["theirs"], files["workspace"]) + run.dump_floor(merged),
        ),
    }


def work_alone(costs: list[Cost], floor: Cost, small_costs: list[Cost], small_floor: Cost) -> str:
    """The start-up (the same command on a SMALL-utterance project) and the ratio of what is left: the work."""
    text = ""
    for i, (cost, small) in enumerate(zip(costs, small_costs, strict=True)):
        work = (cost.cpu - small.cpu) / (floor.cpu - small_floor.cpu)
        text += "; compared tree " if i else ""
        text += f"start-up {small.cpu:.2f} s CPU ({100 * small.cpu / cost.cpu:.0f} %), the work alone {work:5.2f} CPU"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=20_000)
    parser.add_argument("--memory-utterances", type=int, default=100_000, help="0 skips the memory figure")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hfx", type=Path, default=REPO, help="source tree whose hfx runs (default: this one)")
    parser.add_argument("--compare", type=Path, help="also run this source tree's hfx, figure by figure")
    parser.add_argument(
        "--no-startup-split",
        dest="startup_split",
        action="store_false",
        help=f"skip the {SMALL}-utterance runs that split each figure into start-up and work",
    )
    args = parser.parse_args()
    trees = [args.hfx.resolve()] + ([args.compare.resolve()] if args.compare else [])
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        run = Runner(args.runs, trees, d / "scratch.json")
        files = generate(d / "gen", args.utterances)
        project, workspace, ours, theirs = (files[k] for k in ("project", "workspace", "ours", "theirs"))
        compared = f" (compared: {args.compare})" if args.compare else ""
        print(
            f"hfx from {args.hfx}{compared}; {args.utterances} utterances: project "
            f"{project.stat().st_size / 1e6:.1f} MB, workspace {workspace.stat().st_size / 1e6:.1f} MB; "
            f"best of {args.runs}, whole processes"
        )

        big = measure(run, files, d / "out")
        small = measure(run, generate(d / "small", SMALL), d / "small-out") if args.startup_split else None
        for label, (costs, floor) in big.items():
            text = f"  {label:<26} {costs[0]} (floor {floor}): {verdict(costs, floor, TARGETS.get(label))}"
            if small:
                text += "\n" + " " * 29 + work_alone(costs, floor, *small[label])
            print(text)

        tiny = d / "tiny.json"
        tiny.write_text(json.dumps(clu_project(1)), encoding="utf-8")
        t_py = run.process([run.py, "-c", "pass"])
        t_help = run.hfx("--help")
        t_one = run.hfx("convert", "clu-to-hf", str(tiny), "-o", str(d / "tiny.hf.json"))
        print(
            f"  start-up: hfx --help {t_help[0]}, 1-utterance convert {t_one[0]} (target <= 0.15 s: "
            f"{'ok' if max(t_help[0].wall, t_one[0].wall) <= 0.15 else 'OVER'} wall, "
            f"{'ok' if max(t_help[0].cpu, t_one[0].cpu) <= 0.15 else 'OVER'} CPU); python -c pass {t_py}"
            + "".join(f"; compared tree {h}, {o}" for h, o in zip(t_help[1:], t_one[1:], strict=True))
        )

        if args.memory_utterances:
            large = generate(d / "big", args.memory_utterances, "--project-only")["project"]
            peaks = [c.peak for c in run.hfx("convert", "clu-to-hf", str(large), "-o", str(d / "big.hf.json"))]
            size = large.stat().st_size
            print(
                f"  memory: clu-to-hf of {args.memory_utterances} utterances ({size / 1e6:.1f} MB) peaks at "
                f"{peaks[0] / 1e6:.0f} MB: ratio {peaks[0] / size:.1f} "
                f"(target <= 10: {'ok' if peaks[0] <= 10 * size else 'OVER'})"
                + "".join(f"; compared tree {p / 1e6:.0f} MB, ratio {p / size:.1f}" for p in peaks[1:])
            )


if __name__ == "__main__":
    main()
