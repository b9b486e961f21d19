"""Speed of validate, diff and merge on the largest corpus, as ratios to the JSON load floor, in one run.

Usage: python benchmarks/ops.py [FILE.json]   (default: the bundled Academy-Ex07-High-Coverage.json)

The floor is ``json.loads`` of the file's bytes. Each operation is timed best-of-5, both on its own
(inputs already parsed / loaded into the model) and end to end from the file (read, parse, load, run,
serialize where the command writes). Target: every end-to-end time well under a second.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best  # noqa: E402

from hfx.formats.clu_fidelity import clu_fidelity  # noqa: E402
from hfx.formats.clu_json import CluWriteOptions, read_clu, write_clu  # noqa: E402
from hfx.formats.detect import load_workspace  # noqa: E402
from hfx.formats.hf_json import dumps_hf, read_hf  # noqa: E402
from hfx.model import Example, IntentRef  # noqa: E402
from hfx.ops import validate_rules_hf  # noqa: E402
from hfx.ops.diff import diff  # noqa: E402
from hfx.ops.merge import merge  # noqa: E402
from hfx.ops.validate import Findings, validate_file, validate_obj  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DEFAULT = DATA / "hf/Academy-Ex07-High-Coverage.json"


def main(path: Path) -> None:
    data = path.read_bytes()
    obj = json.loads(data)
    floor = best(lambda: json.loads(data))

    base = read_hf(copy.deepcopy(obj), source=str(path))
    # OURS: an HF-side edit; THEIRS: the base sent through CLU (names rewritten) with one utterance added
    ours = read_hf(copy.deepcopy(obj))
    ours.examples.append(Example("phrase-bench", "an HF-side addition", [IntentRef(ours.intents[0].id)]))
    project, _, renames = write_clu(base, CluWriteOptions(invalid_names="rewrite"))
    project["assets"]["utterances"].append(dict(project["assets"]["utterances"][0], text="a CLU-side addition"))
    theirs, _ = read_clu(project)
    other = ours  # the diff compares the base with a changed copy

    rows = [
        ("validate: semantic rules only", lambda: validate_rules_hf.check(obj, Findings(str(path)))),
        ("validate (rules + schema on parsed JSON)", lambda: validate_obj(obj, source=str(path))),
        ("validate --target clu (parsed JSON)", lambda: validate_obj(obj, source=str(path), target="clu")),
        ("validate FILE (end to end)", lambda: validate_file(str(path))),
        ("diff (models in memory)", lambda: diff(base, other)),
        ("diff OLD NEW (end to end)", lambda: diff(load_workspace(path)[1], load_workspace(path)[1])),
        (
            "merge 3-way, THEIRS via CLU (models)",
            lambda: merge(ours, theirs, base, theirs_fidelity=clu_fidelity(), renames=renames),
        ),
        (
            "merge 3-way + write HF JSON (end to end)",
            lambda: dumps_hf(
                merge(
                    load_workspace(path)[1],
                    theirs,
                    load_workspace(path)[1],
                    theirs_fidelity=clu_fidelity(),
                    renames=renames,
                )[0]
            ),
        ),
    ]
    print(f"{path.name}: {len(data) / 1e6:.2f} MB; floor json.loads {floor * 1e3:.1f} ms")
    worst = 0.0
    for label, fn in rows:
        t = best(fn)
        worst = max(worst, t)
        print(f"  {label:<45} {t * 1e3:8.1f} ms   ratio {t / floor:6.1f}x")
    print(f"slowest: {worst * 1e3:.0f} ms ({'under' if worst < 1 else 'OVER'} one second)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
