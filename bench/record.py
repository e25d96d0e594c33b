"""Time the hot operations on a generated record; see bench/README.md."""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/tracker_bench"))


@contextmanager
def measured(label: str):
    from django.db import connection, reset_queries

    reset_queries()
    start = time.perf_counter()
    yield
    elapsed = (time.perf_counter() - start) * 1000
    print(f"{label:<48} {elapsed:9.1f} ms {len(connection.queries):7d} queries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instruments", type=int, default=2000)
    args = parser.parse_args()

    import psycopg

    admin_url = os.environ["DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS tracker_bench")
        conn.execute("CREATE DATABASE tracker_bench")
    os.environ["DATABASE_URL"] = _bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["DEBUG"] = "true"  # records queries for the counts
    # Checks the dispatcher queues go to a throw-away folder, not to `make run`'s worker.
    import tempfile

    os.environ["TRACKER_LOCAL_DIR"] = tempfile.mkdtemp(prefix="tracker-bench-")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with measured("seed load into an empty database"):
        call_command("seed_load", verbosity=0)
    with measured("seed load again (no-op)"):
        call_command("seed_load", verbosity=0)

    from bench.generate import generate

    with measured(f"generate {args.instruments} instruments"):
        generate(args.instruments)

    import datetime as dt

    from apps.reading.on_a_day import as_of, instrument_detail
    from apps.record.services import refresh_statuses
    from apps.sources.dispatch import dispatch_due

    # The generator leaves statuses unset, so the first refresh moves (and audits)
    # every generated instrument; the second is the daily case: nothing moves.
    with measured("refresh_statuses, all move (first)"):
        refresh_statuses()
    with measured("refresh_statuses, none move (daily)"):
        refresh_statuses()
    with measured("instrument_detail(eu-ai-act)"):
        instrument_detail("eu-ai-act")
    act = instrument_detail("eu-ai-act")
    with measured("as_of(eu-ai-act, 2026-08-03)"):
        as_of(act, dt.date(2026, 8, 3))
    with measured("dispatch_due (batch 50)"):
        dispatch_due(limit=50)


if __name__ == "__main__":
    main()
