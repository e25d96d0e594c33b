"""pytest plugin: the run fails when the test process reads anything beside the repository.

A clone on a user's machine has nothing next to it: no team folder, no other
sibling of any kind. Python raises an audit event each time it opens a file
("open") or lists a folder ("os.listdir", "os.scandir"). The hook installed
here resolves each such path (following symlinks) and notes it when it lies in
the repository's parent folder but outside the repository. When the session
ends, every noted path is listed and the exit status becomes a failure.

Not flagged:
- anything inside the repository, its .venv included;
- anything outside the parent folder (/tmp, /usr, the interpreter);
- hidden entries of the parent (~/.cache, ~/.pyenv when the repository sits
  in a home folder): tool state, not project material;
- the running interpreter's prefixes and site-packages, and the temporary
  folder, wherever they are, unless they contain the repository itself;
- when the parent folder is the temporary folder (a checkout in /tmp): the
  folder itself, pytest's and tempfile's entries in it (pytest-of-*, tmp*),
  and entries made since this process started (the settings' own temporary
  folders): what the run wrote itself, not material beside the checkout.

When the repository sits directly under "/" it has no siblings to tell apart
from the system, and the guard records nothing (the header says so).

Only the test processes are watched: this one, and under pytest-xdist each worker,
which hands what it noted to the controller when it finishes. Servers and Celery
workers the tests start as child processes are not, and .ci/check_outside_reads
covers them by searching the tracked files for such paths.
"""

from __future__ import annotations

import os
import site
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = os.path.realpath(Path(__file__).resolve().parents[1])
PARENT = os.path.dirname(REPO)
# A repository at the filesystem root has no siblings, only the system.
ACTIVE = os.path.dirname(PARENT) != PARENT

EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _exempt_folders() -> tuple[str, ...]:
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        tempfile.gettempdir(),
        *getattr(site, "getsitepackages", list)(),
    }
    if site.ENABLE_USER_SITE:
        candidates.add(site.getusersitepackages())
    folders = {os.path.realpath(c) for c in candidates if c}
    # A folder that holds the repository would exempt the siblings too.
    return tuple(sorted(f for f in folders if not _inside(REPO, f)))


EXEMPT = _exempt_folders()
TEMP_IS_PARENT = os.path.realpath(tempfile.gettempdir()) == PARENT


def _process_start() -> float:
    try:
        import psutil

        return psutil.Process().create_time()
    except Exception:  # psutil is a dev dependency; without it, from now on
        return time.time()


PROCESS_START = _process_start() if TEMP_IS_PARENT else 0.0


def _made_by_this_run(entry: str) -> bool:
    try:
        return os.stat(os.path.join(PARENT, entry)).st_ctime >= PROCESS_START - 1
    except OSError:
        return False


def outside_repository(path: str | bytes | os.PathLike) -> bool:
    """True when `path` lies beside the repository: in its parent folder, not in it.

    Judged as written and as resolved: a sibling reached through a symbolic link
    (a sibling folder that links elsewhere) is still read from beside it.
    """
    if not ACTIVE:
        return False
    text = os.fsdecode(path)
    return _beside(os.path.abspath(text)) or _beside(os.path.realpath(text))


def _beside(real: str) -> bool:
    if not _inside(real, PARENT) or _inside(real, REPO):
        return False
    if real == PARENT:
        # Listing the parent shows the siblings; but tempfile.TemporaryFile opens the
        # temporary folder itself (O_TMPFILE), which is the parent for a checkout in /tmp.
        return not TEMP_IS_PARENT
    entry = real[len(PARENT) :].lstrip(os.sep).split(os.sep, 1)[0]
    if entry.startswith("."):
        return False
    if TEMP_IS_PARENT and (entry.startswith(("pytest-of-", "tmp")) or _made_by_this_run(entry)):
        return False
    return not any(_inside(real, folder) for folder in EXEMPT)


_reads: list[tuple[str, str]] = []
_state = threading.local()


_NEW_FILE = os.O_CREAT | os.O_EXCL


def _creates(args: tuple) -> bool:
    """Whether an "open" makes a new file (tempfile's O_CREAT | O_EXCL, as openpyxl's
    write-only sheets do in the temporary folder, the parent of a checkout in /tmp):
    it cannot be material that stood beside the repository before."""
    flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
    return flags & _NEW_FILE == _NEW_FILE


def _audit(event: str, args: tuple) -> None:
    # Whatever a hook raises, the audited call raises instead: never let anything out,
    # not even at interpreter exit, when daemon threads still run and globals are gone.
    try:
        if event not in EVENTS or getattr(_state, "busy", False):
            return
        _state.busy = True
        try:
            path = args[0] if args else None
            if path is None:
                path = os.curdir  # os.listdir() and os.scandir() list the working folder
            if isinstance(path, int):
                return  # a file descriptor: its path was checked when it was opened
            if event == "open" and _creates(args):
                return  # a file that did not exist before: written by the run, read by nobody
            if outside_repository(path):
                _reads.append((event, os.path.realpath(os.fsdecode(path))))
        finally:
            _state.busy = False
    except Exception:  # noqa: S110
        pass


@contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    """Collect what the hook notes meanwhile in a fresh list, kept out of the session's."""
    global _reads
    saved, _reads = _reads, []
    try:
        yield _reads
    finally:
        _reads = saved


def report(reads: list[tuple[str, str]]) -> list[str]:
    """One line per distinct path, in the order first read."""
    seen: dict[str, set[str]] = {}
    for event, path in reads:
        seen.setdefault(path, set()).add(event)
    return [f"{path}  ({', '.join(sorted(events))})" for path, events in seen.items()]


# Installed on import, so reads made while test modules are collected count too.
# An audit hook stays for the life of the process; it only ever appends to a list.
sys.addaudithook(_audit)


def pytest_report_header(config: pytest.Config) -> str:
    if not ACTIVE:
        return f"outside-reads guard: off ({REPO} sits at the filesystem root)"
    return f"outside-reads guard: reads in {PARENT} outside {REPO} fail the run"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # A pytest-xdist worker: neither its exit status nor its terminal is the run's,
        # so the reads travel to the controller (pytest_testnodedown below).
        workeroutput["outside_reads"] = list(_reads)
        return
    if _reads and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist's controller: a worker has finished; keep what it noted."""
    reads = getattr(node, "workeroutput", {}).get("outside_reads", [])
    _reads.extend((event, path) for event, path in reads)


def pytest_terminal_summary(terminalreporter) -> None:
    if not _reads:
        return
    terminalreporter.section("reads outside the repository", sep="=", red=True, bold=True)
    terminalreporter.line(
        f"The tests read these paths beside {REPO}; a clone elsewhere does not have them. "
        "Copy what they need into the repository (test data: tests/fixtures)."
    )
    for line in report(_reads):
        terminalreporter.line(f"  {line}", red=True)
