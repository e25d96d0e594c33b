"""Generated watched sources, the instruments they watch and their snapshots."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import TYPE_CHECKING

from bench.tables.words import ACTIONS
from bench.tables.writing import EPOCH, Writer

if TYPE_CHECKING:
    from bench.tables.sizes import Scale


def snapshot_text(n: int, version: int, rng: random.Random) -> str:
    """A watched page's normalised text: a few dozen lines, about 3 KB."""
    lines = [f"Notice {n}: official publication of the regulator", f"Revision {version}"]
    lines += [f"{i}. {rng.choice(ACTIONS).capitalize()}." for i in range(40)]
    return "\n".join(lines)


def write_sources(w: Writer, rng, s: Scale, instruments, juris, counts) -> None:
    first = w.next_id("sources_source")
    # All due long ago, so the dispatcher benchmark has its 10,000 due sources.
    due = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    counts["sources"] = w.copy(
        "sources_source",
        ["id", "name", "url", "kind", "selector", "ignore", "adapter", "check_interval_minutes",
         "active", "next_check_at", "etag", "last_modified", "last_attempt_at",
         "last_success_at", "consecutive_failures", "last_error", "broken_since", "created_at",
         "jurisdiction_id", "claim_expires_at", "lost_checks"],
        (
            (first + n, f"Gazette notice {n}", f"https://gazette{n % 200}.example.org/notice/{n}",
             "html", "main" if n % 3 == 0 else "", "{}", "", 360, True, due, "", "", None, None,
             0, "", None, EPOCH, rng.choice(juris)[0], None, 0)
            for n in range(s.sources)
        ),
    )  # fmt: skip
    link = w.next_id("sources_source_instruments")
    counts["source_instruments"] = w.copy(
        "sources_source_instruments",
        ["id", "source_id", "instrument_id"],
        ((link + n, first + n, rng.choice(instruments)) for n in range(s.sources)),
    )

    first_snapshot = w.next_id("sources_snapshot")

    def snapshot_rows():
        sid = first_snapshot
        for n in range(s.sources):
            for version in range(1, 3 if n % 2 else 2):
                text = snapshot_text(n, version, rng)
                raw = f"<html><body><main>{text}</main></body></html>".encode()
                yield (
                    sid, version, hashlib.sha256(text.encode()).hexdigest(), text, raw,
                    "text/html", EPOCH + dt.timedelta(days=version),
                    first + n,
                )  # fmt: skip
                sid += 1

    counts["snapshots"] = w.copy(
        "sources_snapshot",
        ["id", "sequence", "content_hash", "text", "raw", "content_type", "fetched_at",
         "source_id"],
        snapshot_rows(),
    )  # fmt: skip
