"""The benchmarks' one way to time something: the best of several runs (least disturbed by a busy machine)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def best(fn: Callable[[], Any], runs: int = 5) -> float:
    """The shortest wall time of ``runs`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_process(cmd: list[str], runs: int, cwd: Path | None = None) -> float:
    """The shortest wall time of ``runs`` runs of the command ``cmd``; a failing run stops the benchmark."""

    def once() -> None:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()}")

    return best(once, runs)
