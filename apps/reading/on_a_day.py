"""Point-in-time reads: what an instrument looked like on a given day, and its timeline.

The rules that derive a status stay in apps.amendments.status; this module
composes them into what the API, the portal and the desk show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.amendments.effects import DerivedObligation
from apps.amendments.models import Amendment
from apps.amendments.models import Kind as AmendmentKind
from apps.amendments.status import DerivedStatus, derive_status
from apps.instruments.lifecycle import APPLYING
from apps.instruments.models import Instrument
from apps.instruments.models import Kind as InstrumentKind
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.reading.obligations import (
    applying_on,
    candidates_on,
    derive,
    effects_prefetch,
    instrument_end,
)


@dataclass(frozen=True)
class InstrumentAsOf:
    instrument: Instrument
    on: dt.date
    status: DerivedStatus
    obligations: list[DerivedObligation]


def as_of(instrument: Instrument, on: dt.date) -> InstrumentAsOf:
    """The instrument's status on `on` and the obligations that applied that day, as
    the amendments in effect then had made them (apps.reading.obligations).

    Obligations apply only while the instrument itself is in force (or partly
    applicable) and their derived dates cover the day.
    """
    return as_of_many([instrument], on)[0]


def as_of_many(instruments: list[Instrument], on: dt.date) -> list[InstrumentAsOf]:
    """`as_of` for a page of instruments: two queries for all their obligations and
    the effects on them, whatever the count.

    Prefetch the instruments' events and incoming amendments (derive_status reads them).
    """
    statuses = {i.pk: derive_status(i, on=on) for i in instruments}
    applying = [pk for pk, s in statuses.items() if s.status in APPLYING]
    by_instrument: dict[int, list[DerivedObligation]] = {pk: [] for pk in applying}
    if applying:
        rows = (
            candidates_on(Obligation.objects.published(), on)
            .filter(instrument__in=applying)
            .select_related("instrument")
            .prefetch_related("penalties", "citations", effects_prefetch())
            .with_fine_keys()
        )
        for derived in applying_on(rows, on, statuses):
            by_instrument[derived.obligation.instrument_id].append(derived)
    return [InstrumentAsOf(i, on, statuses[i.pk], by_instrument.get(i.pk, [])) for i in instruments]


def with_status_on(rows: QuerySet[Instrument], on: dt.date, status: str) -> QuerySet[Instrument]:
    """`rows` whose status on `on` was `status`.

    The stored column is today's status; the status on another day is derived
    for each candidate, so narrow `rows` first and prefetch their events and
    incoming amendments (derive_status reads them).
    """
    keep = [row.pk for row in rows if derive_status(row, on=on).status == status]
    return rows.filter(pk__in=keep)


def parties_on(instrument: Instrument, on: dt.date) -> list[Jurisdiction]:
    """Original parties that had joined by `on`, plus accessions effective by then."""
    acceded = (
        Amendment.objects.published()
        .filter(target_instrument=instrument, kind=AmendmentKind.ACCEDES, effective_on__lte=on)
        .values("source_jurisdiction")
    )
    return list(
        Jurisdiction.objects.filter(
            Q(instrument_parties__instrument=instrument)
            & (
                Q(instrument_parties__joined_on__isnull=True)
                | Q(instrument_parties__joined_on__lte=on)
            )
            | Q(pk__in=acceded)
        )
        .distinct()
        .order_by("name")
    )


def instrument_detail(slug: str) -> Instrument:
    """One instrument with everything its page shows, in a fixed number of queries.

    Obligations (with penalties and citations), amendments in both directions,
    identifiers, events, parties and citations are prefetched, so the count
    does not grow with the number of rows.
    """
    amendments = Amendment.objects.select_related(
        "source_instrument", "source_jurisdiction", "target_instrument"
    ).prefetch_related("citations")
    return (
        Instrument.objects.with_detail()
        .prefetch_related(
            Prefetch(
                "obligations",
                queryset=Obligation.objects.with_penalties().prefetch_related(effects_prefetch()),
            ),
            Prefetch("incoming_amendments", queryset=amendments),
            Prefetch("outgoing_amendments", queryset=amendments),
        )
        .get(slug=slug)
    )


def timeline(instrument: Instrument) -> list[dict]:
    """Its events and the amendments that changed it, by date, announced and effective apart.

    Reads the prefetched events and incoming amendments (see instrument_detail).
    """
    items = [
        {
            "date": e.date,
            "precision": e.date_precision,
            "what": e.get_kind_display(),
            "note": e.note,
        }
        for e in instrument.events.all()
    ]
    for amendment in instrument.incoming_amendments.all():
        if amendment.retired_at is not None:
            continue
        items.extend(_amendment_items(amendment))
    # A pending change with no date at all is listed last.
    return sorted(items, key=lambda item: (item["date"] is None, item["date"] or dt.date.min))


def _amendment_items(amendment: Amendment) -> list[dict]:
    source = amendment.source_instrument or amendment.source_jurisdiction
    scope = f" ({amendment.target_provision})" if amendment.target_provision else ""
    what = f"{source} {amendment.get_kind_display()} it{scope}"
    if amendment.is_pending:
        # A proposal is not law: shown on the day it was put forward, never as in effect.
        put_forward = amendment.announced_on or getattr(source, "first_event_on", None)
        precision = amendment.announced_on_precision if amendment.announced_on else "day"
        return [
            {
                "date": put_forward,
                "precision": precision if put_forward else "",
                "what": f"{amendment.pending_words.capitalize()}: {what}",
                "note": amendment.summary,
                "pending": True,
            }
        ]
    items = []
    if amendment.announced_on and amendment.announced_on != amendment.effective_on:
        items.append(
            {
                "date": amendment.announced_on,
                "precision": amendment.announced_on_precision,
                "what": f"Announced: {what}",
                "note": "",
            }
        )
    items.append(
        {
            "date": amendment.effective_on,
            "precision": amendment.effective_on_precision,
            "what": f"In effect: {what}",
            "note": amendment.summary,
        }
    )
    return items


@dataclass(frozen=True)
class InstrumentPage:
    """What a reader's page of one instrument shows, today or on the day `on`."""

    instrument: Instrument
    on: dt.date | None
    status: DerivedStatus
    obligations: list[DerivedObligation]
    timeline: list[dict]
    incoming: list[Amendment]
    outgoing: list[Amendment]

    def parties(self) -> list[Jurisdiction]:
        """Its parties on the page's day (today without one), if it is a treaty or lists
        parties; asked for only by pages that show them (it costs a query)."""
        instrument = self.instrument
        if not (instrument.parties.all() or instrument.kind == InstrumentKind.TREATY):
            return []
        return parties_on(instrument, self.on or timezone.localdate())


def instrument_page(instrument: Instrument, on: dt.date | None = None) -> InstrumentPage:
    """The page of an instrument read with instrument_detail: its status and the
    obligations that applied on `on` (without a day: today's status and every
    published obligation), its timeline and the published amendments both ways."""
    state = as_of(instrument, on) if on else None
    status = state.status if state else derive_status(instrument)
    return InstrumentPage(
        instrument=instrument,
        on=on,
        status=status,
        obligations=state.obligations if state else _today(instrument, status),
        timeline=timeline(instrument),
        incoming=[a for a in instrument.incoming_amendments.all() if a.retired_at is None],
        outgoing=[a for a in instrument.outgoing_amendments.all() if a.retired_at is None],
    )


def _today(instrument: Instrument, status: DerivedStatus) -> list[DerivedObligation]:
    """Every published obligation as it stands today, applying or not (the page says:
    one an amendment adds later does not exist yet, `exists` is False)."""
    ended = {instrument.pk: instrument_end(status)}
    published = [o for o in instrument.obligations.all() if o.retired_at is None]
    return derive(published, ended_on=ended)
