"""Cost of the structural schema check, measured in one run against a plain JSON load of the same file.

Usage: python benchmarks/schemas.py [FILE.json ...]   (default: the largest shared HF and CLU corpus files)
Prints, per file, the best-of-5 time of json.loads, of the first check (builds the cached validator) and of a
repeated check, and the ratio check / json.loads.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best  # noqa: E402

from hfx.formats.detect import detect_format  # noqa: E402
from hfx.formats.schemas import schema_errors  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DEFAULT = [DATA / "hf/Academy-Ex07-High-Coverage.json", DATA / "clu/FlightBooking.json"]


def main(paths: list[Path]) -> None:
    for path in paths:
        data = path.read_bytes()
        obj = json.loads(data)
        kind = detect_format(obj)
        start = time.perf_counter()
        errors = schema_errors(obj, kind)
        first = time.perf_counter() - start
        load = best(lambda data=data: json.loads(data))
        check = best(lambda obj=obj, kind=kind: schema_errors(obj, kind))
        print(
            f"{path.name} ({kind}, {len(data) / 1e6:.2f} MB, {len(errors)} errors): json.loads {load * 1e3:.1f} ms, "
            f"first check {first * 1e3:.0f} ms, check {check * 1e3:.0f} ms, ratio check/load {check / load:.1f}"
        )


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
