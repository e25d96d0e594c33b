"""A pytest plugin for `make mutate` only (pyproject's [tool.mutmut] pytest_add_cli_args).

1. Per-module selection: a mutant's session keeps only the tests its module's
   selection names (tests/mutation_selection.py), transactional tests left out. So
   does every phase of a run limited to one module (MUTATE_MODULE=apps/api/feed.py:
   the statistics, the clean run), so that one module's run costs its own tests only.
2. A test database per mutmut child: mutmut runs two mutants at once, each in a
   forked child; each child takes a free slot (a lock file held while it lives)
   and the test database of that slot (tests/conftest.py's django_db_modify_db_settings),
   a copy of the clean session's that the child uses as it stands
   (tests/mutation_databases.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.mutation_selection import SELECTION, module_of

SLOTS = 4  # more than the children mutmut is given, so a slot is always free
_held: list[tuple[int, int]] = []  # the slot and its lock, open for the life of the process
_USED_DATABASE = pytest.StashKey[bool]()


def _mutant() -> str:
    return os.environ.get("MUTANT_UNDER_TEST", "")


def selection() -> list[str] | None:
    """The test files this session may run; None: all it was given."""
    module = module_of(_mutant()) or os.environ.get("MUTATE_MODULE") or None
    return SELECTION.get(module) if module else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = selection()
    if wanted is None:
        return
    keep, dropped = [], []
    for item in items:
        # A transactional test empties the database of its seed, and the next
        # mutant's session would load it again (a minute under load).
        emptying = "transactional_db" in getattr(item, "fixturenames", ())
        ours = item.nodeid.split("::")[0] in wanted
        (keep if ours and not emptying else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _slots() -> Path:
    # One set of slots per checkout (mutmut runs in its mutants/ folder).
    where = hashlib.sha256(str(Path.cwd()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"mutmut-slots-{where}"
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def _copying_alone() -> Iterator[None]:
    """One copy of the clean database at a time: PostgreSQL refuses to copy a database
    another copy is reading (the children's first mutants start together)."""
    with open(_slots() / "copy.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def slot() -> int | None:
    """This child's slot (0, 1, ...), taken for the life of the process; None outside
    a mutant's session (the statistics and the clean run use the usual database)."""
    if "__mutmut_" not in _mutant():
        return None
    if _held:
        return _held[0][0]
    folder = _slots()
    for number in range(SLOTS):
        fd = os.open(folder / f"{number}.lock", os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _held.append((number, fd))
        return number
    raise RuntimeError(f"all {SLOTS} mutation test databases are in use")


def ready_copy() -> bool:
    """In a mutant's session: its slot's database is this run's copy of the clean
    session's, and the connection points at it (no migrate, no seed to check)."""
    number = slot()
    if number is None:
        return False
    from django.db import connections

    from tests.mutation_databases import slot_name, use_copy

    connection = connections["default"]
    name = connection.settings_dict["TEST"]["NAME"]
    clean = name.removesuffix(slot_name("", number))
    return use_copy(connection, clean, name, _copying_alone)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Each session starts with empty caches, as a process of its own would. A mutant's
    child is forked from mutmut's main process, whose sessions (the statistics, the
    clean run) ran every selected test: the local-memory cache it inherits holds their
    API throttle counts, and a mutant's first API request was refused with a 429 as if
    the mutant had broken it (a false kill, seen in a run of every module at once)."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    try:
        return (yield)
    finally:  # even when it failed half-way (the forced-fail session fails in migrate)
        if fixturedef.argname == "django_db_setup":
            request.config.stash[_USED_DATABASE] = True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not session.config.stash.get(_USED_DATABASE, False):
        return
    from django.db import connections

    if _mutant() == "" and exitstatus == 0:
        # mutmut's clean session: its database is the one the children copy.
        from pytest_django.plugin import blocking_manager_key

        from tests import seed_snapshot
        from tests.mutation_databases import mark_clean

        with session.config.stash[blocking_manager_key].unblock():
            # Transactional tests, which run last, leave the database without its seed
            # (tests/seed_snapshot.py); the children's copy must hold it, as set up.
            seed_snapshot.restore()
            mark_clean(connections["default"])
    # mutmut's own sessions run in its main process, which forks the children: a
    # connection left open there would keep them from copying the clean database.
    connections.close_all()
