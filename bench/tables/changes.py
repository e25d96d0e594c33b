"""Generated published cases and the audit trail (applied changes) that names them."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from bench.tables.words import ACTIONS, ADDRESSEES
from bench.tables.writing import EPOCH, Writer, timestamp

if TYPE_CHECKING:
    from bench.tables.sizes import Scale


def write_changes(w: Writer, rng, s: Scale, instruments, juris, counts) -> None:
    first_case = w.next_id("cases_case")
    counts["cases"] = w.copy(
        "cases_case",
        ["id", "title", "kind", "priority", "due_on", "state", "description", "created_at",
         "updated_at", "assignee_id", "created_by_id", "follows_up_id", "instrument_id",
         "source_id", "public_reason"],
        (
            (first_case + n, f"Update from gazette notice {n}", "source_change", 2, None,
             "published", "Generated.", timestamp(rng), timestamp(rng), None, None, None,
             rng.choice(instruments), None, f"The official text changed (notice {n}).")
            for n in range(s.cases)
        ),
    )  # fmt: skip
    obligations = w.conn.execute("SELECT MIN(id), MAX(id) FROM obligations_obligation").fetchone()
    amendments = w.conn.execute("SELECT MIN(id), MAX(id) FROM amendments_amendment").fetchone()
    first = w.next_id("record_appliedchange")
    base = EPOCH

    def rows():
        for n in range(s.changes):
            pick = rng.random()
            origin = rng.choice(["case", "case", "seed", "system", "direct"])
            case = first_case + rng.randrange(s.cases) if origin == "case" else None
            if pick < 0.45:
                target, row = "instrument", rng.choice(instruments)
                update = rng.choice([
                    ({"status": "adopted", "status_since": "2024-03-01"},
                     {"status": "in_force", "status_since": "2025-08-02"}),
                    ({"summary": "Earlier wording."}, {"summary": f"{rng.choice(ACTIONS)}."}),
                    ({"jurisdiction": rng.choice(juris)[0]},
                     {"jurisdiction": rng.choice(juris)[0]}),
                    ({"identifiers": []},
                     {"identifiers": [{"scheme": "other", "value": f"BENCH-X{n}"}]}),
                ])  # fmt: skip
                created = {"slug": f"bench-{row - instruments[0]}", "title": "Generated",
                           "jurisdiction": rng.choice(juris)[0], "kind": "law"}  # fmt: skip
            elif pick < 0.8:
                target, row = "obligation", rng.randrange(obligations[0], obligations[1] + 1)
                update = ({"requirement": "Earlier."}, {"requirement": f"{rng.choice(ACTIONS)}."})
                created = {"key": "o0", "instrument": rng.choice(instruments),
                           "addressee": rng.choice(ADDRESSEES)}  # fmt: skip
            elif pick < 0.97:
                target, row = "amendment", rng.randrange(amendments[0], amendments[1] + 1)
                update = ({"effective_on": "2025-01-01"}, {"effective_on": "2026-08-02"})
                created = {"kind": "amends", "source_instrument": rng.choice(instruments),
                           "target_instrument": rng.choice(instruments)}  # fmt: skip
            else:
                target, row = "jurisdiction", rng.choice(juris)[0]
                update = ({"coverage": "partial"}, {"coverage": "in_depth"})
                created = {"name": "Generated", "kind": "country"}
            if rng.random() < 0.3:
                action, before, after, version = "create", None, created, 1
            else:
                action, (before, after), version = "update", update, 2 + rng.randrange(5)
            yield (
                first + n, target, action, row, json.dumps(before) if before else None,
                json.dumps(after), base + dt.timedelta(seconds=n * 60), None, None, case,
                origin, "" if origin == "case" else f"generated {origin} change", version,
            )  # fmt: skip

    counts["applied_changes"] = w.copy(
        "record_appliedchange",
        ["id", "target", "action", "row_id", "before", "after", "applied_at", "approver_id",
         "proposer_id", "case_id", "origin", "reason", "version"],
        rows(),
    )  # fmt: skip
