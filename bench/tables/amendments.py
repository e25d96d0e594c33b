"""Generated amendments between generated instruments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bench.tables.words import ACTIONS, AMENDMENT_KINDS, TOPICS
from bench.tables.writing import EPOCH, Writer, timestamp

if TYPE_CHECKING:
    from bench.tables.sizes import Scale


def write_amendments(w: Writer, rng, s: Scale, instruments: list[int], counts) -> None:
    first = w.next_id("amendments_amendment")

    def rows():
        for n in range(s.amendments):
            source, target = rng.sample(instruments, 2)
            effective = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2900))
            announced = effective - dt.timedelta(days=rng.randrange(0, 200))
            yield (
                first + n, "editorial", "", 1, EPOCH, timestamp(rng), f"bench-a{n}",
                rng.choice(AMENDMENT_KINDS), f"Article {rng.randrange(1, 40)}" if n % 3 else "",
                announced, "day", effective, "day",
                f"Changes how {rng.choice(TOPICS)[0]} is regulated: {rng.choice(ACTIONS)}.",
                source, None, target, None,
            )  # fmt: skip

    counts["amendments"] = w.copy(
        "amendments_amendment",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "key",
         "kind", "target_provision", "announced_on", "announced_on_precision", "effective_on",
         "effective_on_precision", "summary", "source_instrument_id", "source_jurisdiction_id",
         "target_instrument_id", "retired_at"],
        rows(),
    )  # fmt: skip
