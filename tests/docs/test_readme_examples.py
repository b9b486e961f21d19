"""The README's "One example per command family", run as written in a fresh folder: every line works.

The CLU lines run against the emulator (HFX_CLU_ENDPOINT/HFX_CLU_KEY, as docs/clu.md sets them up); the files the
examples take as given (`main.hf.json`, `current.json`, ...) are made from the sample project first. `hfx serve`
runs until stopped and is checked elsewhere (tests/cli/test_serve.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from hfx.clu.emulator import start_emulator

REPO = Path(__file__).resolve().parents[2]
KEY = "readme-examples-key"


def _examples() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## One example per command family", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README.md: no sh block under 'One example per command family'"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    lines = _examples()
    assert any(line.startswith("hfx evaluate") for line in lines) and any("hfx clu" in line for line in lines)
    (tmp_path / "hfx").symlink_to(REPO / "hfx")  # `hfx/examples/...` as in a clone
    bin_dir = str(Path(sys.executable).parent)
    with start_emulator(key=KEY) as emu:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HFX_", "CLU_"))},
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "HFX_CLU_ENDPOINT": emu.url,
            "HFX_CLU_KEY": KEY,
            "COLUMNS": "80",
        }
        for line in lines:
            if line.startswith("hfx serve"):
                continue
            if line.startswith("hfx diff"):  # the files the examples take as given
                shutil.copy(tmp_path / "email.hf.json", tmp_path / "main.hf.json")
            if line.startswith("hfx merge"):
                for name, source in (
                    ("current.json", "email.hf.json"),
                    ("clu-export.json", "email.clu.json"),
                    ("last.json", "email.hf.json"),
                ):
                    shutil.copy(tmp_path / source, tmp_path / name)
            proc = subprocess.run(line, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, (line, proc.stdout[-2000:], proc.stderr[-2000:])
            assert "Traceback" not in proc.stderr, (line, proc.stderr)
