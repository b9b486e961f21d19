"""Where the test data is: the corpora that ship in tests/data (tests/data/README.md gives each file's origin)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
CORPORA = DATA


def corpus_files(kind: str) -> list[Path]:
    """The corpus files of one kind (``hf`` or ``clu``) in tests/data; fails loudly when they are missing."""
    folder = CORPORA / kind
    files = sorted(folder.glob("*.json"))
    if not files:
        raise RuntimeError(f"no corpus files in {folder}: the repository's tests/data is incomplete")
    return files
