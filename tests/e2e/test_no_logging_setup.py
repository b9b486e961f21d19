"""hfx configures no logging at import time: importing every module (and loading wordllama, whose modules call
``logging.basicConfig()`` on import) leaves the root logger as Python starts it, and no handler that prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import importlib, json, logging, pkgutil
import hfx
for info in pkgutil.walk_packages(hfx.__path__, "hfx."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
from hfx.nlu import embedder
embedder.embed(["hello"])  # imports wordllama
printing = sorted(name for name, logger in logging.root.manager.loggerDict.items()
                  if isinstance(logger, logging.Logger)
                  and any(type(h) is not logging.NullHandler for h in logger.handlers))
root = logging.getLogger()
print(json.dumps({"root": [type(h).__name__ for h in root.handlers], "level": root.level, "printing": printing}))
"""


def test_importing_hfx_sets_up_no_logging() -> None:
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"root": [], "level": 30, "printing": []}
    assert proc.stderr == ""
