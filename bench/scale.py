"""A large, realistic record for the benchmarks at scale (issue 13), written with COPY.

This is a generator, not an editor: it writes straight to the tables, bypassing
the one write path (apps/record/services.py), its locks, validation and audit. The
audit trail it needs (applied changes) is itself generated rows. That is only
acceptable because it writes into the benchmarks' own throw-away database
(bench/run.py creates and migrates it); never point it at a real record.

Deterministic: the same scale and seed give the same rows (timestamps are fixed,
not "now"), so two runs of `make bench` measure the same data.
"""

from __future__ import annotations

import random
import time

from bench.tables.amendments import write_amendments
from bench.tables.changes import write_changes
from bench.tables.conditions import generated_obligations, write_conditions
from bench.tables.effects import write_effects
from bench.tables.instruments import write_instruments
from bench.tables.jurisdictions import write_jurisdictions
from bench.tables.obligations import write_obligations
from bench.tables.sizes import SCALES, Scale
from bench.tables.sources import write_sources
from bench.tables.writing import Progress, Writer

__all__ = ["SCALES", "Scale", "fill"]


def fill(database_url: str, scale: Scale, *, seed: int = 13, quiet: bool = False) -> dict:
    """Fill the (migrated, seeded) database at `database_url`; returns the row counts."""
    import psycopg

    rng = random.Random(seed)
    s = scale
    # Rough total of rows, for the progress bar only.
    total = (
        s.jurisdictions * 4 + s.instruments * 7 + s.obligations * 1.4 + s.amendments
        + s.sources * 4 + s.changes + s.cases + s.obligations * 0.05 + s.amendments * 0.04
    )  # fmt: skip
    progress = Progress(int(total), quiet)
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        w = Writer(conn, progress)
        juris = write_jurisdictions(w, rng, s, counts)
        instruments = write_instruments(w, rng, s, juris, counts)
        write_obligations(w, rng, s, instruments, counts)
        write_amendments(w, rng, s, instruments, counts)
        write_sources(w, rng, s, instruments, juris, counts)
        write_changes(w, rng, s, instruments, juris, counts)
        # What the applicability check reads (issue 22), last: the rows above are the
        # same as before these tables existed.
        obligations = generated_obligations(w, instruments)
        write_conditions(w, rng, s, obligations, counts)
        write_effects(w, rng, s, instruments, obligations, counts)
        conn.commit()
        progress.close()
        conn.autocommit = True
        # Fresh statistics, as autovacuum would have after such a load: plans must be
        # the ones a real deployment of this size gets.
        conn.execute("VACUUM ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts
