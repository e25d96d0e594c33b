"""Obligations as they stood on a day, for every surface: one derivation, read in bulk.

The rules are apps.amendments.effects (an obligation's own values plus the
effects of the amendments in effect that day) and apps.amendments.status (the
instrument's status that day). This module reads what they need for a page of
rows in a fixed number of queries and hands each surface the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    Exists,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils import timezone

from apps.amendments.effects import DerivedObligation, Rows, derive_obligation
from apps.amendments.models import Effect
from apps.amendments.status import DerivedStatus
from apps.instruments.lifecycle import APPLYING, ENDED, EVENT_STATUS
from apps.instruments.models import InstrumentEvent, Status
from apps.obligations.models import Obligation

# The events that may put an instrument in force (apps.amendments.status): an executive
# order takes effect when signed.
IN_FORCE_EVENTS = [
    kind for kind, status in EVENT_STATUS.items() if status in (Status.IN_FORCE, Status.SIGNED)
]


def effects_prefetch(lookup: str = "effects") -> Prefetch:
    """The effects derive_obligation reads, with their amendments and the amending act."""
    return Prefetch(
        lookup,
        queryset=Effect.objects.select_related(
            "amendment", "amendment__source_instrument", "amendment__source_jurisdiction"
        ),
    )


def prefetch_lists(
    objects: list[Model], *lookups: str | Prefetch, only: Iterable[Model] | None = None
) -> None:
    """prefetch_related for many rows, each object's related rows left as a plain list
    (Rows) where `obj.<relation>.all()` reads them, in the order Django's prefetch gives.
    Django's own prefetch keeps a queryset per object and relation, and a reverse
    foreign key's rows each point back at their parent (a cycle, which only Python's
    cyclic collector frees): over the applicability check's few thousand rows that was
    half its time, and collector passes of 50 to 170 ms (bench/RESULTS.md). Here a
    reverse foreign key's rows are read by the parents' ids and left without their
    parent (`penalty.obligation` is read again if asked); the lists are read, never
    filtered: a surface that needs a query builds its own.

    `only`: the objects that may have rows, when the caller knows; the others get empty
    lists without being asked for, which keeps the query small enough for PostgreSQL
    to plan it as such. When it names none, all are asked for, so that the number of
    queries does not depend on the data."""
    if not objects:
        return
    model = type(objects[0])
    by_id = {obj.pk: obj for obj in (list(only or ()) or objects)}
    for lookup in lookups:
        wanted = lookup if isinstance(lookup, Prefetch) else Prefetch(lookup)
        relation = model._meta.get_field(wanted.prefetch_through)
        if relation.one_to_many:
            found = _children(by_id, relation, wanted.queryset)
        else:  # many-to-many: Django's prefetch, into lists
            attr = f"{wanted.prefetch_to}_listed"
            prefetch_related_objects(
                list(by_id.values()),
                Prefetch(wanted.prefetch_through, wanted.queryset, to_attr=attr),
            )
            found = {pk: obj.__dict__.pop(attr) for pk, obj in by_id.items()}
        for obj in objects:
            cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
            cache[wanted.prefetch_to] = Rows(found.get(obj.pk, ()))


def _children(by_id: dict, relation, queryset: QuerySet | None) -> dict[object, list[Model]]:
    """A reverse foreign key's rows of the parents `by_id`, by parent id, in the child's
    Meta.ordering within one parent: the terms through the parent (an obligation's
    penalties by instrument title) are the same for all of a parent's rows, and
    joining for them made PostgreSQL read whole tables."""
    child, key = relation.related_model, relation.field.attname
    rows = queryset if queryset is not None else child._default_manager.all()
    parent = relation.field.name
    order = [o for o in child._meta.ordering if o.lstrip("-").split("__")[0] != parent]
    found: dict[object, list[Model]] = {}
    for row in rows.filter(**{f"{key}__in": list(by_id)}).order_by(*order, "pk"):
        found.setdefault(getattr(row, key), []).append(row)
    return found


def changed_by_amendments() -> Exists:
    """Obligations an amendment changes (a few among many), to narrow in the database:
    a retired amendment's effects count too (the derivation skips them), which keeps
    the test to the effects' own index, row by row over thousands of rows."""
    return Exists(Effect.objects.filter(obligation=OuterRef("pk")))


def candidates_on(rows: QuerySet[Obligation], on: dt.date) -> QuerySet[Obligation]:
    """`rows` that may apply on `on`: their own dates cover it, or an amendment changes
    them (derive them to know). Narrows in the database; `applying_on` decides."""
    own = Q(applies_from__lte=on) & (Q(applies_until__isnull=True) | Q(applies_until__gt=on))
    return rows.filter(own | Q(changed_by_amendments()))


def in_force_by(day: dt.date, instrument: str = "pk") -> Exists:
    """Instruments (`instrument`: the outer query's reference to one) that may be in
    force on some day up to `day`: an event dated by then puts them in force, or is a
    signature (which does for an executive order). Without one the derived status
    applies on no such day (apps.amendments.status: amendments only end an
    instrument), so this narrows in the database before the status is derived; a
    signed treaty passes too, and its status decides."""
    return Exists(
        InstrumentEvent.objects.filter(
            instrument=OuterRef(instrument), date__lte=day, kind__in=IN_FORCE_EVENTS
        )
    )


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
