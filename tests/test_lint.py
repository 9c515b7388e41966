"""The code base stays as the project's ruff settings (pyproject.toml) ask: a long line, an
unsorted import or an unsafe call fails CI here instead of piling up unseen."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                            "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert found.returncode == 0, found.stdout + found.stderr
