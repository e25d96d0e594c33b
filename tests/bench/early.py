"""The benchmarks' smoke run (tests/bench/test_smoke.py) starts as soon as a run has
collected its tests, beside them, instead of when its tests' turn comes.

Its tests share one run of bench/run.py --scale tiny (a minute or more: a database,
gunicorn, a Celery worker). When pytest-xdist gave them to both workers, the second
waited for the first's run with nothing to do: about a minute of a core idle in every
CI run. Started here, in the background, the run shares the cores with the other
tests; its tests then find its figures ready, or wait for what is left of it.

One process of the run starts it (a marker file made with O_EXCL in the run's
folder), and only when the smoke tests are among the tests to run. The outcome is a
file: the figures, or what the run printed when it failed (never a silent wait: the
fixture gives up after TIMEOUT and says so).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.parallel import run_folder

ROOT = Path(__file__).resolve().parent.parent.parent
SMOKE = "tests/bench/test_smoke.py"
TIMEOUT = 420
DONE, FAILED, STARTED = "bench-smoke.json", "bench-smoke.failed", "bench-smoke.started"


def command(out: Path) -> list[str]:
    database = f"tracker_bench_smoke_{os.getpid()}"
    return [sys.executable, "bench/run.py", "--scale", "tiny", "--database", database,
            "--out", str(out)]  # fmt: skip


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}


def runnable() -> str | None:
    """Why the run cannot start here, or None."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (the benchmarks' broker)"
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    if runnable() or not any(item.nodeid.startswith(SMOKE) for item in session.items):
        return
    # The tmp_path_factory fixture's own object (pytest keeps it on the config).
    folder = run_folder(session.config, session.config._tmp_path_factory)
    try:
        os.close(os.open(folder / STARTED, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return  # another worker of this run started it
    # The child writes the outcome itself (tests/bench/smoke_run.py), so it needs no
    # parent to wait on it; its own session outlives a worker that ends first.
    subprocess.Popen(
        [sys.executable, "-m", "tests.bench.smoke_run", str(folder)],
        cwd=ROOT,
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def outcome(folder: Path) -> Path:
    """The figures' file once the early run has ended; fails with its output if it
    failed, or after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if (folder / DONE).exists():
            return folder / DONE
        if (folder / FAILED).exists():
            pytest.fail("the benchmarks' smoke run failed:\n" + (folder / FAILED).read_text())
        time.sleep(0.5)
    pytest.fail(f"the benchmarks' smoke run gave no outcome within {TIMEOUT} s")
