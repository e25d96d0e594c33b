"""Synthetic rows on top of the seed, for benchmarks: instruments with events and obligations."""

from __future__ import annotations

import datetime as dt
import random

from apps.instruments.models import Instrument, InstrumentEvent
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.sources.models import Source


def generate(instruments: int, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    countries = list(Jurisdiction.objects.filter(kind="country"))
    made = Instrument.objects.bulk_create(
        Instrument(
            slug=f"bench-{i}",
            title=f"Benchmark instrument {i}",
            kind="law",
            legal_force="binding",
            jurisdiction=rng.choice(countries),
        )
        for i in range(instruments)
    )
    events, obligations = [], []
    for inst in made:
        start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        for offset, kind in ((0, "proposed"), (200, "adopted"), (400, "entered_into_force")):
            events.append(
                InstrumentEvent(
                    instrument=inst,
                    kind=kind,
                    date_precision="day",
                    date=start + dt.timedelta(days=offset),
                )
            )
        for k in range(5):
            obligations.append(
                Obligation(
                    instrument=inst,
                    key=f"o{k}",
                    provision=f"Article {k + 1}",
                    addressee="provider",
                    requirement="Synthetic.",
                    applies_from=start + dt.timedelta(days=400 + 100 * k),
                )
            )
    InstrumentEvent.objects.bulk_create(events)
    Obligation.objects.bulk_create(obligations)
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Source.objects.bulk_create(
        Source(
            name=f"bench source {i}",
            url=f"https://host{i % 20}.example.org/{i}",
            kind="html",
            next_check_at=past,
        )
        for i in range(instruments // 2)
    )
