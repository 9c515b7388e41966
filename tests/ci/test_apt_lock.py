""".ci/run waits (bounded) for another apt process's lock instead of failing at once.

Runs the script's own `apt_get` on package lists in a folder of the test's own (an empty local
package source), so the machine's apt locks are never touched."""

import fcntl
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

CI_RUN = Path(__file__).resolve().parents[2] / ".ci" / "run"

pytestmark = pytest.mark.skipif(
    shutil.which("apt-get") is None or os.geteuid() != 0, reason="needs apt-get, as root"
)


def apt_get_function() -> str:
    return re.search(r"^APT_LOCK_WAIT=.*?^}\n", CI_RUN.read_text(), re.S | re.M).group(0)


def lists_locked_for(tmp_path: Path, seconds: float) -> threading.Thread:
    """Hold the lists lock as apt does (a POSIX record lock); apt-get, in another process,
    finds it taken until `seconds` have passed."""
    (tmp_path / "lists" / "partial").mkdir(parents=True)
    fd = os.open(tmp_path / "lists" / "lock", os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(fd, fcntl.LOCK_EX)

    def release():
        time.sleep(seconds)
        os.close(fd)

    holder = threading.Thread(target=release)
    holder.start()
    return holder


def ci_apt_get_update(tmp_path: Path, wait: int) -> subprocess.CompletedProcess:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Packages").write_text("")
    (tmp_path / "sources.list").write_text(f"deb [trusted=yes] file://{repo} ./\n")
    options = (f"-o Dir::State::Lists={tmp_path}/lists "
               f"-o Dir::Etc::sourcelist={tmp_path}/sources.list -o Dir::Etc::sourceparts={repo}")
    script = (f"set -euo pipefail\nAPT_LOCK_WAIT={wait}\n"
              f"{apt_get_function()}apt_get {options} update -qq")
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                          check=False)


def test_update_waits_for_the_lock_another_process_holds(tmp_path):
    holder = lists_locked_for(tmp_path, seconds=2)
    result = ci_apt_get_update(tmp_path, wait=60)
    holder.join()
    assert "Could not get lock" in result.stderr  # held when apt first tried
    assert result.returncode == 0, result.stderr


def test_the_wait_is_bounded(tmp_path):
    holder = lists_locked_for(tmp_path, seconds=9)
    started = time.monotonic()
    result = ci_apt_get_update(tmp_path, wait=3)
    waited = time.monotonic() - started
    holder.join()
    assert result.returncode != 0
    assert "Could not get lock" in result.stderr
    assert waited < 9
