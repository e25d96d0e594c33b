"""The one place an instrument's status is derived.

Steps:
1. Collect dated status-bearing facts: the instrument's own events, mapped
   to a status by EVENT_STATUS, and incoming amendments that end it
   (withdraws, repeals, revokes, supersedes the whole instrument) at their
   effective date.
2. Keep the facts dated on or before the day asked about (a partial date
   counts from the first day of its period).
3. If any fact ends the instrument (withdrawn, revoked, ...), the latest such
   fact wins. Otherwise the furthest lifecycle stage reached wins (RANK), so
   a publication recorded after signature does not move an order backwards.
4. "In force" becomes "partly applicable" while staged application dates
   (applies_from events) are still ahead.
An executive order takes effect when signed, so its signature means in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from apps.amendments.kinds import AMENDMENT_STATUS
from apps.amendments.models import Amendment
from apps.instruments.lifecycle import ENDED, EVENT_STATUS, only_proposed_on
from apps.instruments.models import EventKind, Instrument, Status
from apps.instruments.models import Kind as InstrumentKind

RANK = {
    status: rank
    for rank, status in enumerate(
        [
            Status.UNKNOWN,
            Status.PROPOSED,
            Status.UNDER_NEGOTIATION,
            Status.ADOPTED,
            Status.SIGNED,
            Status.IN_FORCE,
            Status.PARTLY_APPLICABLE,
            *sorted(ENDED),
        ]
    )
}
# An event's words, read once: get_kind_display() builds the choices' dict on every call,
# a fifth of the applicability check's time when it derived a thousand statuses.
EVENT_WORDS = dict(EventKind.choices)


@dataclass(frozen=True)
class DerivedStatus:
    status: str
    since: dt.date | None
    cause: str  # what set it, for the reader: "event: entered into force", "amendment: ..."


def derive_status(instrument: Instrument, *, on: dt.date | None = None) -> DerivedStatus:
    """The status `instrument` had on `on` (today by default).

    Uses `instrument.events` and `instrument.incoming_amendments`, so prefetch
    them when deriving for many instruments.
    """
    on = on or timezone.localdate()
    facts: list[tuple[dt.date, int, str, str]] = []
    staged_ahead = False
    for event in instrument.events.all():
        if event.kind == EventKind.APPLIES_FROM and event.date > on:
            staged_ahead = True
        status = EVENT_STATUS.get(event.kind)
        if status == Status.SIGNED and instrument.kind == InstrumentKind.EXECUTIVE_ORDER:
            status = Status.IN_FORCE
        if status and event.date <= on:
            cause = f"event: {EVENT_WORDS.get(event.kind, event.kind)}"
            facts.append((event.date, RANK[status], status, cause))
    for amendment in instrument.incoming_amendments.all():
        if amendment.retired_at is not None:
            continue  # retired through a case: no longer part of the record
        status = AMENDMENT_STATUS.get(amendment.kind)
        if amendment.effective_on is None:
            continue  # a proposed change: not law, whatever it would end
        if status and not amendment.target_provision and amendment.effective_on <= on:
            facts.append(
                (amendment.effective_on, RANK[status], status, f"amendment: {amendment.key}")
            )
    if not facts:
        return DerivedStatus(Status.UNKNOWN, None, "no dated event yet")
    ended = [fact for fact in facts if fact[2] in ENDED]
    if ended:
        date, _, status, cause = max(ended)
    else:
        _, date, status, cause = max(
            (rank, date, status, cause) for date, rank, status, cause in facts
        )
    if status == Status.IN_FORCE and staged_ahead:
        status = Status.PARTLY_APPLICABLE
    return DerivedStatus(status, date, cause)


def in_effect_before_adoption(instrument: Instrument, events=None) -> list[Amendment]:
    """The amendments `instrument` makes that take effect on a day it had not been adopted
    by, were its events `events` (default: its own): a removed or moved adoption would
    leave them in effect through a proposal (Amendment.clean holds the same rule)."""
    if instrument.pk is None:
        return []
    events = list(instrument.events.all() if events is None else events)
    outgoing = instrument.outgoing_amendments.filter(
        retired_at__isnull=True, effective_on__isnull=False
    ).select_related("target_instrument")
    return [
        a
        for a in outgoing.order_by("effective_on", "key")
        if only_proposed_on(events, a.effective_on)
    ]


def adoption_needed(late: list[Amendment]) -> str:
    """Why the events that adopted an act cannot go, naming what takes effect through it."""
    named = "; ".join(
        f"“{a.key}” ({a.get_kind_display()} {a.target_instrument}, in effect from "
        f"{a.effective_on.isoformat()})"
        for a in late
    )
    return (
        "These events leave the act only proposed on the day its amendments take effect: "
        f"{named}. Keep an event of its adoption dated by then, or first make those "
        "amendments pending (no date of effect)."
    )


__all__ = [
    "Amendment",
    "DerivedStatus",
    "adoption_needed",
    "derive_status",
    "in_effect_before_adoption",
]
