"""Generated obligations, a third of them with a penalty."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bench.tables.words import ACTIONS, ADDRESSEES, CURRENCIES, RISK_TIERS, TOPICS
from bench.tables.writing import EPOCH, Writer, pillars, timestamp

if TYPE_CHECKING:
    from bench.tables.sizes import Scale


def write_obligations(w: Writer, rng, s: Scale, instruments: list[int], counts) -> None:
    first = w.next_id("obligations_obligation")
    per = s.obligations // len(instruments)
    extra = s.obligations - per * len(instruments)
    penalised: list[int] = []

    def rows():
        oid = first
        for n, iid in enumerate(instruments):
            for k in range(per + (1 if n < extra else 0)):
                start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(3500))
                until = start + dt.timedelta(days=3650) if rng.random() < 0.05 else None
                topic = rng.choice(TOPICS)[0]
                if rng.random() < 0.33:
                    penalised.append(oid)
                yield (
                    oid, "editorial", "", 1, EPOCH, timestamp(rng), f"o{k}",
                    f"Article {k + 1}({rng.randrange(1, 6)})", rng.choice(ADDRESSEES),
                    f"{rng.choice(ADDRESSEES).replace('_', ' ').capitalize()}s of {topic} must "
                    f"{rng.choice(ACTIONS)}, and {rng.choice(ACTIONS)}.",
                    rng.choice(RISK_TIERS), start, until,
                    pillars(rng),
                    False, iid, timestamp(rng) if rng.random() < 0.01 else None,
                )  # fmt: skip
                oid += 1

    counts["obligations"] = w.copy(
        "obligations_obligation",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "key",
         "provision", "addressee", "requirement", "risk_tier", "applies_from", "applies_until",
         "pillars", "needs_review", "instrument_id", "retired_at"],
        rows(),
    )  # fmt: skip

    first_penalty = w.next_id("obligations_penalty")

    def penalty_rows():
        pid = first_penalty
        for oid in penalised:
            shape = rng.randrange(3)
            amount = rng.choice([500_000, 7_500_000, 15_000_000, 35_000_000])
            if shape == 0:  # an amount or a turnover share, whichever is higher
                row = (
                    "company",
                    amount,
                    rng.choice(CURRENCIES),
                    rng.choice([1, 3, 7]),
                    None,
                    "higher",
                )
            elif shape == 1:  # a single cap
                row = ("any", amount, rng.choice(CURRENCIES), None, None, "single")
            else:  # prison for individuals
                row = ("individual", None, "", None, rng.choice([1, 2, 5]), "single")
            yield (pid, "editorial", "", *row, oid)
            pid += 1

    counts["penalties"] = w.copy(
        "obligations_penalty",
        ["id", "provenance", "provenance_note", "applies_to", "max_amount", "currency",
         "turnover_percent", "prison_years", "rule", "obligation_id"],
        penalty_rows(),
    )  # fmt: skip
