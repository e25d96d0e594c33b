"""A pytest plugin for `make mutate` only (pyproject's [tool.mutmut] pytest_add_cli_args).

1. Per-module selection: a mutant's session keeps only the tests its module's
   selection names (tests/mutation_selection.py), transactional tests left out. So
   does every phase of a run limited to one module (MUTATE_MODULE=apps/api/feed.py:
   the statistics, the clean run), so that one module's run costs its own tests only.
2. A test database per mutmut child: mutmut runs two mutants at once, each in a
   forked child; each child takes a free slot (a lock file held while it lives)
   and the test database of that slot (tests/conftest.py's django_db_modify_db_settings).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from tests.mutation_selection import SELECTION, module_of

SLOTS = 4  # more than the children mutmut is given, so a slot is always free
_held: list[int] = []  # the slot's lock, open for the life of the process


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


def slot() -> int | None:
    """This child's slot (0, 1, ...), taken for the life of the process; None outside
    a mutant's session (the statistics and the clean run use the usual database)."""
    if "__mutmut_" not in _mutant():
        return None
    # One set of slots per checkout (mutmut runs in its mutants/ folder).
    where = hashlib.sha256(str(Path.cwd()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"mutmut-slots-{where}"
    folder.mkdir(exist_ok=True)
    for number in range(SLOTS):
        fd = os.open(folder / f"{number}.lock", os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _held.append(fd)
        return number
    raise RuntimeError(f"all {SLOTS} mutation test databases are in use")
