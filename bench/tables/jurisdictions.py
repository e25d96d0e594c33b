"""Generated jurisdictions beside the seed's, and memberships of its groups and forums."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bench.tables.writing import EPOCH, Writer, timestamp

if TYPE_CHECKING:
    from bench.tables.sizes import Scale


def write_jurisdictions(w: Writer, rng, s: Scale, counts) -> list[tuple[int, str]]:
    conn = w.conn
    existing = conn.execute("SELECT id, code, kind FROM jurisdictions_jurisdiction").fetchall()
    countries = [(i, c) for i, c, k in existing if k == "country"]
    groups = [i for i, _, k in existing if k in ("supranational", "international_org", "forum")]
    first = w.next_id("jurisdictions_jurisdiction")
    new = max(0, s.jurisdictions - len(existing))
    rows = []
    made: list[tuple[int, str, str]] = []
    for n in range(new):
        jid = first + n
        if n % 4 == 0 or not countries:
            code, kind, parent, name = f"X{n:03d}", "country", None, f"Republic of Benchland {n}"
            countries.append((jid, code))
        elif n % 10 == 1:
            code, kind, parent, name = f"F{n:03d}", "forum", None, f"Benchmark Forum {n}"
        else:
            parent_id, parent_code = countries[n % len(countries)]
            code, kind, parent = f"{parent_code}-B{n:03d}", "subnational", parent_id
            name = f"Province {n} of {parent_code}"
        made.append((jid, code, kind))
        rows.append((
            jid, "editorial", "", 1, EPOCH, timestamp(rng), code, name, kind, "", "", "{}",
            rng.choice(["in_depth", "partial", "not_tracked"]),
            f"{name}: a generated jurisdiction for the benchmarks.", parent, None, None,
        ))  # fmt: skip
    counts["jurisdictions"] = w.copy(
        "jurisdictions_jurisdiction",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "code",
         "name", "kind", "iso_alpha2", "iso_alpha3", "approaches", "coverage", "summary",
         "parent_id", "retired_at", "last_verified_on"],
        rows,
    )  # fmt: skip
    groups += [jid for jid, _, kind in made if kind == "forum"]
    members = countries
    seen = set(conn.execute("SELECT group_id, member_id FROM jurisdictions_membership").fetchall())
    membership_rows = []
    first = w.next_id("jurisdictions_membership")
    for group in groups:
        for member, _ in rng.sample(members, min(len(members), rng.randrange(3, 30))):
            if (group, member) in seen:
                continue
            seen.add((group, member))
            joined = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(12000))
            membership_rows.append((
                first + len(membership_rows), "editorial", "", joined, "day", None, "",
                group, member,
            ))  # fmt: skip
    counts["memberships"] = w.copy(
        "jurisdictions_membership",
        ["id", "provenance", "provenance_note", "joined_on", "joined_on_precision", "left_on",
         "left_on_precision", "group_id", "member_id"],
        membership_rows,
    )  # fmt: skip
    return [(i, c) for i, c, _ in existing] + [(jid, code) for jid, code, _ in made]
