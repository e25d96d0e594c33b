"""Generated effects of amendments on their target's obligations (issue 21), and the
amendments that are only proposed (pending: no date of effect) or take effect in
the year after the record's day, which the applicability check lists as upcoming.

Written after every other table, so the rows the earlier benchmarks read are the
same as before effects existed: only new rows here."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import TYPE_CHECKING

from bench.tables.words import ACTIONS, ADDRESSEES, RISK_TIERS, TOPICS
from bench.tables.writing import EPOCH, TODAY, Writer, timestamp

if TYPE_CHECKING:
    from bench.tables.sizes import Scale

SHARE = 0.04  # of the generated amendments that carry effects
NEW_SHARE = 0.01  # new amendments of each kind: pending, and scheduled in the next year
# Moves of dates and new requirements are what amending acts mostly do.
KINDS = [
    "applies_from", "applies_from", "applies_from", "applies_until", "requirement",
    "requirement", "addressee", "risk_tier", "penalties", "ends", "adds",
]  # fmt: skip


def write_effects(w: Writer, rng, s: Scale, instruments, obligations, counts) -> None:
    by_instrument: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for oid, iid, applies_from in obligations:
        by_instrument[iid].append((oid, applies_from))
    amendments = w.conn.execute(
        "SELECT id, target_instrument_id FROM amendments_amendment"
        " WHERE key LIKE 'bench-a%' ORDER BY id"
    ).fetchall()
    carrying = [row for row in amendments if rng.random() < SHARE]
    new = max(2, int(s.amendments * NEW_SHARE))
    first = w.next_id("amendments_amendment")
    made: list[tuple[int, int]] = []

    def amendment_rows():
        for n in range(2 * new):
            source, target = rng.sample(instruments, 2)
            pending = n < new
            if pending:
                effective, precision = None, ""
                announced = TODAY - dt.timedelta(days=rng.randrange(400))
            else:
                effective, precision = TODAY + dt.timedelta(days=rng.randrange(1, 360)), "day"
                announced = effective - dt.timedelta(days=rng.randrange(30, 400))
            made.append((first + n, target))
            yield (
                first + n, "editorial", "", 1, EPOCH, timestamp(rng),
                f"bench-{'p' if pending else 's'}{n}", "amends",
                f"Article {rng.randrange(1, 40)}", announced, "day", effective, precision,
                f"{'Would change' if pending else 'Changes'} how {rng.choice(TOPICS)[0]} is "
                f"regulated: {rng.choice(ACTIONS)}.",
                source, None, target, None,
            )  # fmt: skip

    counts["pending_and_scheduled_amendments"] = w.copy(
        "amendments_amendment",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "key",
         "kind", "target_provision", "announced_on", "announced_on_precision", "effective_on",
         "effective_on_precision", "summary", "source_instrument_id", "source_jurisdiction_id",
         "target_instrument_id", "retired_at"],
        amendment_rows(),
    )  # fmt: skip
    first_effect = w.next_id("amendments_effect")

    def effect_rows():
        eid = first_effect
        for amendment, target in carrying + made:
            changed = by_instrument.get(target)
            if not changed:
                continue
            taken: set[tuple[int, str]] = set()
            for _ in range(rng.choice([1, 1, 2])):
                oid, applies_from = rng.choice(changed)
                kind = rng.choice(KINDS)
                if (oid, kind) in taken:  # one effect of a kind per obligation (effect_once)
                    continue
                taken.add((oid, kind))
                yield (eid, amendment, oid, kind, *_change(rng, kind, applies_from))
                eid += 1

    counts["effects"] = w.copy(
        "amendments_effect",
        ["id", "amendment_id", "obligation_id", "kind", "date", "text", "penalties"],
        effect_rows(),
    )


def _change(rng, kind: str, applies_from: dt.date) -> tuple:
    """(date, text, penalties) of an effect of `kind`, as the effect_* constraints want."""
    if kind == "applies_from":
        return (applies_from + dt.timedelta(days=rng.randrange(-180, 540)), "", None)
    if kind == "applies_until":
        return (applies_from + dt.timedelta(days=rng.randrange(365, 3650)), "", None)
    if kind == "requirement":
        return (None, f"As amended: {rng.choice(ACTIONS)}, and {rng.choice(ACTIONS)}.", None)
    if kind == "addressee":
        return (None, rng.choice(ADDRESSEES), None)
    if kind == "risk_tier":
        return (None, rng.choice(RISK_TIERS), None)
    if kind == "penalties":
        amount = rng.choice([1_000_000, 10_000_000, 40_000_000])
        penalty = {"applies_to": "any", "max_amount": str(amount), "currency": "EUR",
                   "rule": "single"}  # fmt: skip
        return (None, "", json.dumps([penalty] if rng.random() < 0.9 else []))
    return (None, "", None)  # ends, adds: the amendment's date of effect is theirs
