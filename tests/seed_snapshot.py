"""The seeded test database, put back in a second instead of loaded again.

A transactional test (a live server for a browser, a generated client, a Celery
worker) runs outside the rollback that keeps every other test's changes away, and
pytest-django empties the database after it. The next one that needs the seed used
to load it again through the write path: 10 to 20 seconds each, minutes of a CI run.
Instead, right after the session's one load (tests/conftest.py), every table is
copied into a schema of its own; `restore()` empties the tables and copies them
back, ids and all, and moves each id sequence past its rows.

Only the test databases have the schema; the copy is made anew in every session, so
it always matches the migrations the session runs on.
"""

from __future__ import annotations

from django.db import connection, transaction

SCHEMA = "seed_snapshot"


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'django_migrations' ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def _columns(cursor, table: str) -> str:
    # Generated columns (search vectors) are computed again on insert.
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    return ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())


def take() -> None:
    """Copy every table as it stands (the freshly seeded database) into SCHEMA."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in _tables(cursor):
            cursor.execute(f'CREATE TABLE {SCHEMA}."{table}" AS TABLE public."{table}"')


def is_empty() -> bool:
    """Whether the seed is gone (a transactional test emptied the database)."""
    from apps.jurisdictions.models import Jurisdiction

    return not Jurisdiction.objects.exists()


# What `migrate` itself writes (its post_migrate handlers: content types, permissions
# and the roles of apps.accounts), as opposed to what the seed or a test writes.
MADE_BY_MIGRATE = ("django_content_type", "auth_permission", "auth_group", "auth_group_permissions")


def restore(only: tuple[str, ...] | None = None) -> None:
    """Every table back to the copy: same rows, same ids, sequences past them.
    `only`: those tables only, into tables already emptied (see flush_then_restore)."""
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _tables(cursor) if only is None else list(only)
        if only is None:
            quoted = ", ".join(f'public."{t}"' for t in tables)
            cursor.execute(f"TRUNCATE {quoted} CASCADE")
        # Foreign keys are deferred to the commit, so the order of the copies is free.
        for table in tables:
            columns = _columns(cursor, table)
            cursor.execute(
                f'INSERT INTO public."{table}" ({columns}) '  # noqa: S608 - our own tables
                f'SELECT {columns} FROM {SCHEMA}."{table}"'
            )
        cursor.execute(
            "SELECT c.table_name, c.column_name, "
            "pg_get_serial_sequence('public.' || quote_ident(c.table_name), c.column_name) "
            "FROM information_schema.columns c WHERE c.table_schema = 'public' "
            "AND (c.is_identity = 'YES' OR c.column_default LIKE 'nextval%%')"
        )
        for table, column, sequence in cursor.fetchall():
            if sequence and table in tables:
                cursor.execute(
                    f'SELECT setval(%s, COALESCE((SELECT MAX("{column}") FROM public."{table}"), 0) + 1, false)',  # noqa: E501, S608
                    [sequence],
                )


def flush_then_restore(call_command):
    """`call_command` for django.test.testcases, whose flush after a transactional
    test then skips post_migrate and copies back what migrate made instead.

    Django's flush emits post_migrate so the emptied database has its content types,
    permissions and roles again: 4 to 5 of the 6 seconds each transactional test's
    teardown took (about 40 of them, a minute and a half of a CI run). The copy of those
    four tables is the same rows, taken once per session, in a few milliseconds."""

    def call(name, *args, **options):
        if name != "flush" or options.get("inhibit_post_migrate") or not _has_copy():
            return call_command(name, *args, **options)
        result = call_command(name, *args, **{**options, "inhibit_post_migrate": True})
        restore(only=MADE_BY_MIGRATE)
        return result

    return call


def _has_copy() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [SCHEMA])
        return cursor.fetchone() is not None
