"""What the processes of one test run share when pytest-xdist runs them in parallel.

Each worker has a test database of its own (pytest-django appends _gw0, _gw1, ...
to its name), temporary folders of its own, and a folder broker of its own (the
test settings' TEST_LOCAL_DIR, made per process). What remains shared lies outside
the run: the Redis database REDIS_URL names, and work too slow to repeat on every
worker. Tests that use those take turns through a lock file in the run's temporary
folder, whichever worker the scheduler gives them to; the order of the tests on
each worker (pytest-django's: transactional tests, which empty the database of its
seed, after the others) is left alone. As a plugin (tests/conftest.py), it also
says how many workers `-n auto` starts.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def run_folder(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run.

    Under pytest-xdist each worker's base folder is made inside the controller's
    (popen-gw0, popen-gw1, ...), which is new for each run; without it, this
    session's own.
    """
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


@contextmanager
def one_at_a_time(
    config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[Path]:
    """Hold the run's lock called `name`, waiting while another worker holds it.

    Yields the run's folder, where what the holder makes can wait for the next one.
    The kernel releases the lock when its file is closed, or when its process dies.
    """
    folder = run_folder(config, tmp_path_factory)
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` for tests named on the command line (path::test) or picked by keyword
    (-k): no workers, this process alone.

    Each worker collects the whole suite and builds a test database of its own before
    its first test; for a handful of tests that start costs more than the workers save
    (measured with -k health). An explicit count (-n 2) still starts workers; None
    leaves the count to pytest-xdist (one per core).
    """
    if config.getoption("keyword") or any("::" in str(arg) for arg in config.args):
        return 0
    return None
