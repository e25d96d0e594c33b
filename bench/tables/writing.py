"""What every generator shares: COPY into a table, the progress bar, fixed timestamps, arrays."""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

# Every generated timestamp counts from here, so rows do not depend on the day of the run.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 29)


class Progress:
    """A one-line progress bar on stderr (no dependency; quiet when `quiet`)."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.done, self.quiet = total, 0, quiet
        self.start = time.perf_counter()
        self.label = ""
        self._last = 0.0

    def step(self, label: str, rows: int = 1) -> None:
        self.done += rows
        self.label = label
        now = time.perf_counter()
        if not self.quiet and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            width = 30
            filled = int(width * min(self.done, self.total) / self.total)
            sys.stderr.write(
                f"\r  [{'#' * filled}{'.' * (width - filled)}] {self.done:>9,}/{self.total:,} "
                f"rows  {now - self.start:5.0f} s  {label:<28}"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if not self.quiet:
            sys.stderr.write("\n")


def timestamp(rng: random.Random, days: int = 330) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=rng.randrange(days * 86400))


def pillars(rng: random.Random) -> str:
    return pg_array(sorted(rng.sample(["data", "algorithm", "compute"], rng.randrange(0, 3))))


def pg_array(values: list[str]) -> str:
    return "{" + ",".join(values) + "}"


def pg_quoted_array(values: list[str]) -> str:
    """An array literal of any text (commas, quotes, spaces) for COPY."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


class Writer:
    """COPY into one table; ids are chosen here so later tables can point at them."""

    def __init__(self, conn, progress: Progress) -> None:
        self.conn, self.progress = conn, progress

    def next_id(self, table: str) -> int:
        row = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()  # noqa: S608
        return row[0]

    def copy(self, table: str, columns: list[str], rows) -> int:
        count = 0
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
                    if count % 1000 == 0:
                        self.progress.step(table, 1000)
            self.progress.step(table, count % 1000)
        if "id" in columns:
            # Later inserts (the benchmarks' own writes) continue after the copied ids.
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
        return count
