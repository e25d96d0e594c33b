"""Each mutmut child's test database: a copy of the clean run's (tests/MUTATION.md).

A mutant's session used to start like any other: Django's migrate over the child's
database (its post_migrate handlers alone send about a thousand queries), the seed
checked, its snapshot taken again; two thirds of what an idle mutant cost, and far
more under load. None of it can differ between the mutants of one run: mutmut runs
the clean session, with the code unmutated, just before the first mutant. So that
session marks its database when it ends, with a token of its own (the database's
comment); a child whose slot database does not carry the same mark copies the clean
one over it (CREATE DATABASE ... TEMPLATE: a second for the 20 MB of the seed), and
otherwise uses it as it stands. Every test a mutant runs is rolled back, so the copy
stays as the clean session left it. The next run's clean session makes a new mark, so
a copy kept from an earlier run (older migrations, another seed) is never used.

It also keeps a mutant from writing outside its tests: the migrate of each session ran
post_migrate's `ensure_roles` (apps/accounts/roles.py, a mutated module) with the
mutant switched on, and committed what it did to the child's database.
"""

from __future__ import annotations

import time
import uuid

MARK = "mutmut clean run "
WAIT = 10.0  # seconds a copy waits for the clean database to be left by its last user


def slot_name(clean: str, number: int) -> str:
    return f"{clean}_m{number}"


def _quoted(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _mark_of(cursor, database: str) -> str | None:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [database],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def mark_clean(connection) -> None:
    """The database this session used is the one this run's children copy."""
    token = MARK + uuid.uuid4().hex  # hex only: safe inside the literal below
    with connection.cursor() as cursor:
        name = _quoted(connection, connection.settings_dict["NAME"])
        cursor.execute(f"COMMENT ON DATABASE {name} IS '{token}'")


def _copy(connection, cursor, clean: str, slot: str, mark: str) -> bool:
    # The slot is this process's alone (its lock); FORCE ends what a killed child left.
    cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(connection, slot)} WITH (FORCE)")
    from django.db import OperationalError

    deadline = time.monotonic() + WAIT
    while True:
        try:
            cursor.execute(
                f"CREATE DATABASE {_quoted(connection, slot)} TEMPLATE {_quoted(connection, clean)}"
            )
            break
        except OperationalError:  # the clean database still has a session open
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
    cursor.execute(f"COMMENT ON DATABASE {_quoted(connection, slot)} IS '{mark}'")
    return True


def use_copy(connection, clean: str, slot: str, alone) -> bool:
    """Point `connection` at `slot`, copied from `clean` (inside `alone()`) if it is
    not this run's copy already. False, and nothing changed, when there is nothing to
    copy (no clean session of this run used the database) or the copy failed."""
    with connection._nodb_cursor() as cursor:
        mark = _mark_of(cursor, clean)
        if not mark or not mark.startswith(MARK):
            return False
        if _mark_of(cursor, slot) != mark:
            with alone():
                if not _copy(connection, cursor, clean, slot, mark):
                    return False
    from django.conf import settings

    # What Django's create_test_db does once the database is ready.
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = slot
    connection.settings_dict["NAME"] = slot
    return True
