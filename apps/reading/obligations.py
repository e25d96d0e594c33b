"""Obligations as they stood on a day, for every surface: one derivation, read in bulk.

The rules are apps.amendments.effects (an obligation's own values plus the
effects of the amendments in effect that day) and apps.amendments.status (the
instrument's status that day). This module reads what they need for a page of
rows in a fixed number of queries and hands each surface the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.amendments.effects import DerivedObligation, derive_obligation
from apps.amendments.models import Effect
from apps.amendments.status import DerivedStatus
from apps.instruments.lifecycle import APPLYING, ENDED
from apps.obligations.models import Obligation


def effects_prefetch(lookup: str = "effects") -> Prefetch:
    """The effects derive_obligation reads, with their amendments and the amending act."""
    return Prefetch(
        lookup,
        queryset=Effect.objects.select_related(
            "amendment", "amendment__source_instrument", "amendment__source_jurisdiction"
        ),
    )


def changed_by_amendments() -> Exists:
    """Obligations an amendment of the record changes (a few among many)."""
    return Exists(
        Effect.objects.filter(obligation=OuterRef("pk"), amendment__retired_at__isnull=True)
    )


def candidates_on(rows: QuerySet[Obligation], on: dt.date) -> QuerySet[Obligation]:
    """`rows` that may apply on `on`: their own dates cover it, or an amendment changes
    them (derive them to know). Narrows in the database; `applying_on` decides."""
    own = Q(applies_from__lte=on) & (Q(applies_until__isnull=True) | Q(applies_until__gt=on))
    return rows.filter(own | Q(changed_by_amendments()))


def instrument_end(status: DerivedStatus) -> dt.date | None:
    """The day an ended instrument ended (it ends its obligations then)."""
    return status.since if status.status in ENDED else None


def derive(
    obligations: Iterable[Obligation],
    on: dt.date | None = None,
    *,
    ended_on: dict[int, dt.date | None] | None = None,
) -> list[DerivedObligation]:
    """Each obligation as it stood on `on` (today by default); prefetch `effects`
    (effects_prefetch) and `penalties`. `ended_on`: instrument id -> the day it ended."""
    on = on or timezone.localdate()
    ended_on = ended_on or {}
    return [
        derive_obligation(o, on=on, instrument_ended_on=ended_on.get(o.instrument_id))
        for o in obligations
    ]


def applying_on(
    obligations: Iterable[Obligation], on: dt.date, statuses: dict[int, DerivedStatus]
) -> list[DerivedObligation]:
    """The obligations that applied on `on`: they existed, their derived dates cover the
    day and their instrument was in force. `statuses`: instrument id -> its status on `on`."""
    ended = {pk: instrument_end(status) for pk, status in statuses.items()}
    return [
        d
        for d in derive(obligations, on, ended_on=ended)
        if d.covers_day and statuses[d.obligation.instrument_id].status in APPLYING
    ]
