"""Deterministic benchmark workspaces: a CLU project, its HF conversion, and two edited copies for merge.

Usage: python benchmarks/generate.py [--utterances N] [--seed S] OUTDIR

Writes ``OUTDIR/project.json`` (CLU: hierarchical intents ``domainD---topicT---leafL``, list/regex/prebuilt/learned
entities, labels after emoji, CJK, Hebrew and Arabic text, several languages, a Test split) and, converted by hfx,
``OUTDIR/workspace.json`` (HF) with ``ours.json`` and ``theirs.json``: the workspace after two independent sets of
edits (examples added, removed, reworded, moved, retagged), the inputs of ``hfx merge --base workspace.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from pathlib import Path
from typing import Any

WORDS = [
    "book",
    "a",
    "flight",
    "to",
    "please",
    "cancel",
    "my",
    "order",
    "when",
    "is",
    "the",
    "next",
    "train",
    "café",
    "naïve",
    "Zürich",
    "北京",
    "東京",
    "서울",
    "😀",
    "👍🏽",
    "מה",
    "مرحبا",
    "help",
    "refund",
    "now",
]
CITIES = {
    "Paris": ["Paris", "paree"],
    "Beijing": ["Beijing", "北京"],
    "Zürich": ["Zürich", "Zurich"],
    "Tokyo": ["Tokyo", "東京"],
    "Seoul": ["Seoul", "서울"],
}
LANGS = ["en-us", "de-de", "zh-hans", "fr-fr"]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clu_project(n: int, seed: int = 7) -> dict[str, Any]:
    """A CLU project file of ``n`` utterances (200 intents three levels deep, 5 entities of every kind)."""
    rnd = random.Random(seed)
    intents = [f"domain{d}---topic{t}---leaf{leaf}" for d in range(8) for t in range(5) for leaf in range(5)]
    entities = [
        {
            "category": "City",
            "compositionSetting": "combineComponents",
            "list": {
                "sublists": [
                    {
                        "listKey": key,
                        "synonyms": [
                            {"language": "en-us", "values": syns},
                            {"language": "de-de", "values": [s.upper() for s in syns]},
                        ],
                    }
                    for key, syns in CITIES.items()
                ]
            },
        },
        {
            "category": "Ticket",
            "compositionSetting": "separateComponents",
            "regex": {"expressions": [{"regexKey": "t", "language": "en-us", "regexPattern": "[A-Z]{3}\\d{4}"}]},
        },
        {"category": "When", "compositionSetting": "combineComponents", "prebuilts": [{"category": "DateTime"}]},
        {"category": "Who", "compositionSetting": "returnUnion", "prebuilts": [{"category": "Person.Name"}]},
        {"category": "Thing"},
    ]
    utterances = []
    for i in range(n):
        before = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 8)))
        city = rnd.choice([s for syns in CITIES.values() for s in syns])
        after = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 5)))
        ticket = f"ABC{i % 10000:04d}"
        text = f"{before} {city} {after} {ticket} #{i}"
        labels = [{"category": "City", "offset": utf16_len(before) + 1, "length": utf16_len(city)}]
        if rnd.random() < 0.5:
            start = utf16_len(f"{before} {city} {after} ")
            labels.append({"category": "Ticket", "offset": start, "length": len(ticket)})
        if rnd.random() < 0.2:  # a learned entity on the trailing number
            labels.append({"category": "Thing", "offset": utf16_len(text) - len(str(i)), "length": len(str(i))})
        utterances.append(
            {
                "text": text,
                "language": rnd.choice(LANGS),
                "intent": rnd.choice(intents),
                "dataset": "Test" if rnd.random() < 0.2 else "Train",
                "entities": labels,
            }
        )
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {
            "projectKind": "Conversation",
            "projectName": "bench",
            "language": "en-us",
            "multilingual": True,
            "settings": {"confidenceThreshold": 0},
        },
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": c} for c in intents],
            "entities": entities,
            "utterances": utterances,
        },
    }


def edited(workspace: dict[str, Any], seed: int) -> dict[str, Any]:
    """A copy of an HF workspace with about 1 % of its examples each removed, reworded, moved to another intent,
    retagged and added; ``seed`` picks which, so two seeds give two mostly independent edit sets."""
    rnd = random.Random(seed)
    ws = copy.deepcopy(workspace)
    leaves = [i["id"] for i in ws["intents"] if i["name"].startswith("leaf")]
    examples = []
    for ex in ws["examples"]:
        roll = rnd.random()
        if roll < 0.01:
            continue  # removed
        if roll < 0.02 and not ex.get("entities"):
            ex["text"] += " (edited)"
        elif roll < 0.03:
            ex["intents"] = [{"intent_id": rnd.choice(leaves)}]
        elif roll < 0.04:
            ex.setdefault("tags", []).append({"id": f"tag-review-{seed}", "name": f"review {seed}"})
        examples.append(ex)
    for k in range(len(ws["examples"]) // 100):
        examples.append(
            {
                "id": f"phrase-new-{seed}-{k}",
                "text": f"new example {k} from edit set {seed} 😀",
                "intents": [{"intent_id": rnd.choice(leaves)}],
            }
        )
    ws["examples"] = examples
    ws.setdefault("tags", []).append({"id": f"tag-review-{seed}", "name": f"review {seed}"})
    return ws


def write_all(folder: Path, utterances: int, seed: int = 7, *, hf: bool = True) -> dict[str, Path]:
    """Write the project and (``hf``) its HF conversion and the two edited copies; returns their paths by role."""
    from hfx.formats.clu_json import read_clu
    from hfx.formats.hf_json import dumps_hf, write_hf
    from hfx.formats.jsontext import dumps_json

    folder.mkdir(parents=True, exist_ok=True)
    files = {role: folder / f"{role}.json" for role in ("project", "workspace", "ours", "theirs")}
    project = clu_project(utterances, seed)
    files["project"].write_text(json.dumps(project, ensure_ascii=False), encoding="utf-8")  # compact, as CLU exports
    if not hf:
        return {"project": files["project"]}
    ws, _ = read_clu(project)
    files["workspace"].write_bytes(dumps_hf(ws))
    hf = write_hf(ws)
    files["ours"].write_bytes(dumps_json(edited(hf, seed + 1)))
    files["theirs"].write_bytes(dumps_json(edited(hf, seed + 2)))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--utterances", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--project-only", action="store_true", help="only the CLU project (no HF files)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for role, path in write_all(args.outdir, args.utterances, args.seed, hf=not args.project_only).items():
        print(f"{role}: {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
