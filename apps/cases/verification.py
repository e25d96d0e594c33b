"""The desk's verification queue: the published rows a check is owed to, and why.

A row is listed when
- it was never checked (no `last_verified_on`);
- its last check is more than STALE_AFTER old;
- a watched source that concerns it (apps.sources) is paused or broken, so no
  change of that page reaches the desk;
- it is an instrument whose status waits for a next step that is overdue:
  * "proposed" or "under negotiation": adoption is expected within
    PENDING_FOR of the status's start (status_since); past that, check whether
    it was adopted, withdrawn or lapsed;
  * "adopted" or "signed" (adopted, not in force): entry into force is expected
    once one of its own obligations applies (its earliest `applies_from` is on
    or before today, yet no event put it in force), or at the latest
    PENDING_FOR after adoption.
The model records no expected date for a bill's next step, so the default age
stands in for it; an obligation's date is the one date the record itself gives.

Two queries, whatever the number of rows: one per kind, each with its reasons
computed by the database (tests/cases/test_verification_queue.py pins it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from apps.instruments.models import Instrument, Status
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.sources.models import Source

STALE_AFTER = dt.timedelta(days=180)
PENDING_FOR = dt.timedelta(days=365)
AWAITING_ADOPTION = (Status.PROPOSED, Status.UNDER_NEGOTIATION)
AWAITING_FORCE = (Status.ADOPTED, Status.SIGNED)


@dataclass(frozen=True)
class Due:
    target: str
    row: Instrument | Jurisdiction
    reasons: tuple[str, ...]


def _source_flags(link: str) -> dict:
    sources = Source.objects.filter(**{link: OuterRef("pk")})
    return {
        "source_paused": Exists(sources.filter(active=False)),
        "source_broken": Exists(sources.filter(active=True, broken_since__isnull=False)),
    }


def _common(row, today: dt.date) -> list[str]:
    reasons = []
    if row.last_verified_on is None:
        reasons.append(str(row.check_state))
    elif row.last_verified_on < today - STALE_AFTER:
        reasons.append(f"last checked {row.last_verified_on:%-d %b %Y}, over 180 days ago")
    if row.source_broken:
        reasons.append("its watched source is broken")
    if row.source_paused:
        reasons.append("its watched source is paused")
    return reasons


def _owed(today: dt.date) -> Q:
    return (
        Q(last_verified_on__isnull=True)
        | Q(last_verified_on__lt=today - STALE_AFTER)
        | Q(source_paused=True)
        | Q(source_broken=True)
    )


def instruments_due(today: dt.date) -> list[Due]:
    first_duty = (
        Obligation.objects.published()
        .filter(instrument=OuterRef("pk"), applies_from__isnull=False)
        .order_by("applies_from")
        .values("applies_from")[:1]
    )
    stalled = Q(status__in=AWAITING_ADOPTION + AWAITING_FORCE, status_since__lt=today - PENDING_FOR)
    duty_started = Q(status__in=AWAITING_FORCE, first_duty__lte=today)
    rows = (
        Instrument.objects.published()
        .annotate(**_source_flags("instruments"), first_duty=Subquery(first_duty))
        .filter(_owed(today) | stalled | duty_started)
        .select_related("jurisdiction", "verified_against")
        .order_by("jurisdiction__name", "title")
    )
    out = []
    for row in rows:
        reasons = _common(row, today)
        since = row.status_since
        late = since is not None and since < today - PENDING_FOR
        if row.status in AWAITING_ADOPTION and late:
            reasons.append(
                f"{row.get_status_display()} since {since:%-d %b %Y}: adoption was expected "
                "within a year"
            )
        if row.status in AWAITING_FORCE:
            if row.first_duty is not None and row.first_duty <= today:
                reasons.append(
                    f"{row.get_status_display()}, not in force, though a duty applies from "
                    f"{row.first_duty:%-d %b %Y}"
                )
            elif late:
                reasons.append(
                    f"{row.get_status_display()} since {since:%-d %b %Y}, not in force a year on"
                )
        out.append(Due("instrument", row, tuple(reasons)))
    return out


def jurisdictions_due(today: dt.date) -> list[Due]:
    rows = (
        Jurisdiction.objects.published()
        .annotate(**_source_flags("jurisdiction"))
        .filter(_owed(today))
        .select_related("verified_against")
        .order_by("name")
    )
    return [Due("jurisdiction", row, tuple(_common(row, today))) for row in rows]


def queue(today: dt.date | None = None) -> dict[str, list[Due]]:
    today = today or timezone.localdate()
    return {"instruments": instruments_due(today), "jurisdictions": jurisdictions_due(today)}
