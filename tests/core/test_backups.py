"""Backups (issue 27): a backup restored into a fresh database is the same database, and
a client's saved cursor on the changes feed goes on from where it stopped."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from apps.core import backups
from tests.paths import REPO as ROOT

pytestmark = pytest.mark.django_db

# The tables that hold what must survive: the record, the audit trail, cases with their
# evidence, API keys (hashed) and webhook endpoints. Every other table is compared too.
MUST_HOLD_ROWS = (
    "instruments_instrument",
    "obligations_obligation",
    "record_appliedchange",
    "cases_case",
    "cases_evidence",
    "api_apikey",
    "webhooks_webhookendpoint",
)


def _conn(name: str) -> psycopg.Connection:
    conf = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        user=conf.get("USER") or None,
        password=conf.get("PASSWORD") or None,
        host=conf.get("HOST") or None,
        port=conf.get("PORT") or None,
        autocommit=True,
    )


def _url(name: str) -> str:
    conf = connection.settings_dict
    password = f":{quote(conf['PASSWORD'], safe='')}" if conf.get("PASSWORD") else ""
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    host = quote(conf.get("HOST") or "", safe="")
    return f"postgres://{quote(conf['USER'], safe='')}{password}@{host}{port}/{name}"


@pytest.fixture(scope="module")
def seed_backup(django_db_setup, django_db_blocker, tmp_path_factory):
    """One backup of the test database (the seed, as loaded), shared by the tests that
    only read it; a test that damages it works on a copy (`backup_copy`)."""
    with django_db_blocker.unblock():
        return backups.backup(tmp_path_factory.mktemp("seed-backup"))


@pytest.fixture
def backup_copy(seed_backup, tmp_path):
    import shutil

    return Path(shutil.copytree(seed_backup, tmp_path / seed_backup.name))


@pytest.fixture
def scratch():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with _conn("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _conn("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fingerprint(name: str) -> dict[str, tuple]:
    """Every table's rows (count and a hash of their text) and every sequence's position."""
    out = {}
    with _conn(name) as conn:
        tables = [
            t
            for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            out[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"  # noqa: S608
                f' FROM "{table}" t'
            ).fetchone()
        for seq, last in conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ):
            out[f"sequence {seq}"] = (last,)
    return out


def _audit_ids(name: str) -> list[int]:
    with _conn(name) as conn:
        return [i for (i,) in conn.execute("SELECT id FROM record_appliedchange ORDER BY id")]


def _scenario(tmp_path, database: str, *args: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": _url(database),
        "TRACKER_LOCAL_DIR": str(tmp_path / "local"),  # its broker's files, not ours
        "READ_CACHE_SECONDS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.backup_scenario", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_restored_backup_is_the_same_database_and_the_feed_goes_on_from_a_saved_cursor(
    tmp_path, scratch, seed_backup
):
    # The seed as the test database holds it, into the scratch database: itself a
    # backup and a restore into an empty database.
    backups.restore(seed_backup, database=scratch)
    state = _scenario(tmp_path, scratch, "before")  # publishes, saves a cursor, publishes more

    made = backups.backup(tmp_path / "kept", database=scratch)
    expected = _fingerprint(scratch)
    audit = _audit_ids(scratch)
    with _conn("postgres") as admin:  # the database is lost
        admin.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    manifest = backups.restore(made, database=scratch)

    assert manifest["record_version"] == audit[-1]
    restored = _fingerprint(scratch)
    assert restored == expected
    for table in MUST_HOLD_ROWS:
        assert expected[table][0] > 0, f"the scenario left {table} empty: nothing compared"
    assert _audit_ids(scratch) == audit

    walked = _scenario(tmp_path, scratch, "after", str(state["cursor"]))["walked"]
    unseen = [i for i in audit if i > state["cursor"]]
    assert unseen, "changes published after the cursor was saved are in the backup"
    assert walked[: len(unseen)] == unseen
    assert walked == sorted(set(walked)), "nothing repeated, in commit order"
    new = walked[len(unseen) :]
    assert new and min(new) > audit[-1], "ids go on after the restored ones"
    assert walked[-1] == _audit_ids(scratch)[-1]


def test_a_backup_is_restored_only_into_an_empty_database(seed_backup, scratch):
    backups.restore(seed_backup, database=scratch)
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(seed_backup, database=scratch)


def test_a_damaged_dump_is_refused_before_anything_is_restored(backup_copy, scratch):
    made = backup_copy
    with (made / backups.DUMP).open("r+b") as dump:
        dump.seek(100)
        dump.write(b"\0\0\0\0")
    with pytest.raises(backups.BackupError, match="SHA-256"):
        backups.restore(made, database=scratch)
    with _conn(scratch) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_the_manifest_names_the_schema_and_record_versions(seed_backup):
    from django.db.migrations.recorder import MigrationRecorder

    from apps.record.models import AppliedChange

    manifest = backups.read_manifest(seed_backup)
    newest = AppliedChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert manifest["record_version"] == newest
    last = MigrationRecorder.Migration.objects.filter(app="record").order_by("-name").first()
    assert manifest["schema_version"]["record"] == last.name
    assert manifest["dump"]["bytes"] > 0 and len(manifest["dump"]["sha256"]) == 64


def test_old_backups_are_pruned_and_the_newest_always_kept(seed_backup, tmp_path):
    import shutil

    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    manifest = backups.read_manifest(seed_backup)
    for days in (30, 20, 10, 1):
        made = now - dt.timedelta(days=days)
        folder = Path(shutil.copytree(seed_backup, tmp_path / made.strftime(backups.STAMP)))
        dated = {**manifest, "created_at": made.isoformat()}
        (folder / backups.MANIFEST).write_text(json.dumps(dated))
    (tmp_path / "not-a-backup").mkdir()

    removed = backups.prune(tmp_path, keep_days=14, now=now)
    assert sorted(p.name for p in removed) == ["20260130T000000Z", "20260209T000000Z"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["20260219T000000Z", "20260228T000000Z", "not-a-backup"]
    # Long after: the newest stays, whatever its age.
    backups.prune(tmp_path, keep_days=14, now=now + dt.timedelta(days=400))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20260228T000000Z", "not-a-backup"]


def test_a_backup_of_a_newer_schema_is_refused_before_anything_is_restored(backup_copy, scratch):
    made = backup_copy
    manifest = json.loads((made / backups.MANIFEST).read_text())
    manifest["schema_version"]["record"] = "9999_from_the_future"
    (made / backups.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(backups.BackupError, match=r"record\.9999_from_the_future"):
        backups.restore(made, database=scratch)
    with _conn(scratch) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_restore_can_move_the_audit_ids_past_those_the_lost_database_gave_out(tmp_path, scratch):
    made = backups.backup(tmp_path)
    manifest = backups.restore(made, database=scratch, skip_ids=1000)
    with _conn(scratch) as conn:
        (nxt,) = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('record_appliedchange', 'id'))"
        ).fetchone()
    assert nxt == manifest["record_version"] + 1001
