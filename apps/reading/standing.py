"""Obligations as they stand on a day, and what amendments did to them in plain words.

What the portal's tables, calendar, exports, compare, digests and home page share.
apps.reading.obligations derives each obligation (the one derivation) and
apps.reading.wording says each step (the one wording); this module reads rows in
bulk for them, in a fixed number of queries, and sorts what there is to say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from apps.amendments.effects import DerivedObligation, Step
from apps.amendments.models import Amendment, Effect
from apps.amendments.status import derive_status
from apps.obligations.models import Obligation
from apps.reading.obligations import derive, effects_prefetch, instrument_end
from apps.reading.wording import ADDRESSEES, TIERS, sentence

# What a step is on the day it is read: law, law from a later day, or only proposed.
IN_EFFECT, SCHEDULED, PROPOSED = "in effect", "scheduled", "proposed, not in effect"
LABELS = {IN_EFFECT: "In effect", SCHEDULED: "Scheduled", PROPOSED: "Proposed, not in effect"}
# Where an obligation stands on the day.
APPLIES, AHEAD, NOT_FIXED, NOT_YET, ENDED = "applies", "ahead", "not fixed", "not yet", "ended"
STATES = {
    APPLIES: "applies",
    AHEAD: "applies from a later day",
    NOT_FIXED: "no date fixed",
    NOT_YET: "not yet applying",
    ENDED: "ended",
}


@dataclass(frozen=True)
class Note:
    """One step an amendment makes, said in the wording module's sentence."""

    state: str  # IN_EFFECT, SCHEDULED or PROPOSED
    text: str
    step: Step

    @property
    def amendment(self) -> Amendment:
        return self.step.amendment

    @property
    def label(self) -> str:
        return LABELS[self.state]


@dataclass(frozen=True)
class Standing:
    """A derived obligation with what to say about it on its day."""

    obligation: DerivedObligation
    notes: tuple[Note, ...]

    @property
    def state(self) -> str:
        o = self.obligation
        if not o.exists:
            return NOT_YET  # an amendment adds it later, or only proposes to
        if o.applies_until is not None and o.applies_until <= o.on:
            return ENDED
        if o.applies_from is None:
            return NOT_FIXED
        return APPLIES if o.applies_from <= o.on else AHEAD

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def addressee_label(self) -> str:
        value = self.obligation.addressee
        return ADDRESSEES.get(value, value)

    @property
    def risk_tier_label(self) -> str:
        value = self.obligation.risk_tier
        return TIERS.get(value, value) if value else ""


@dataclass(frozen=True)
class Move:
    """What one amendment did (or will do, or proposes to do) to one obligation."""

    obligation: DerivedObligation
    note: Note


def notes(derived: DerivedObligation) -> tuple[Note, ...]:
    """Every step on the obligation, in order: those in effect on its day, then the
    scheduled ones, then the proposed ones."""
    obligation, on = derived.obligation, derived.on
    return tuple(
        Note(state, sentence(obligation, step, on=on), step)
        for state, steps in (
            (IN_EFFECT, derived.history),
            (SCHEDULED, derived.scheduled),
            (PROPOSED, derived.pending),
        )
        for step in steps
    )


def standing(derived: Iterable[DerivedObligation]) -> list[Standing]:
    return [Standing(d, notes(d)) for d in derived]


def read(rows: QuerySet[Obligation], on: dt.date | None = None) -> list[DerivedObligation]:
    """`rows` as they stood on `on` (today by default), each ended with its instrument
    if that had ended (repealed, revoked ...). Five queries, whatever the number of rows,
    effects and amendments; the instruments come with their incoming amendments (retired
    ones included, for a caller that counts every change) and events."""
    on = on or timezone.localdate()
    rows = rows.select_related("instrument").prefetch_related(
        "penalties",
        effects_prefetch(),
        "instrument__events",
        Prefetch("instrument__incoming_amendments", queryset=Amendment.objects.all()),
    )
    rows = list(rows)
    instruments = {o.instrument_id: o.instrument for o in rows}
    ended = {pk: instrument_end(derive_status(i, on=on)) for pk, i in instruments.items()}
    return derive(rows, on, ended_on=ended)


def changed(rows: Iterable[Obligation], on: dt.date | None = None) -> dict[int, DerivedObligation]:
    """The rows an amendment changes (the few annotated `changed`, see
    apps.reading.obligations.changed_by_amendments) derived on `on`, by id; the others
    stand as stored. Two queries for the changed ones' effects and penalties, none when
    no row is changed."""
    picked = [row for row in rows if getattr(row, "changed", False)]
    if not picked:
        return {}
    prefetch_related_objects(picked, "penalties", effects_prefetch())
    return {d.obligation.pk: d for d in derive(picked, on or timezone.localdate())}


def moves_by(amendment_ids: Iterable[int], on: dt.date | None = None) -> dict[int, list[Move]]:
    """What each of these amendments does to published obligations as they stand on `on`
    (today by default), by amendment id. A retired amendment does nothing. Three
    queries, none without ids."""
    ids = set(amendment_ids)
    if not ids:
        return {}
    rows = (
        Obligation.objects.published()
        .filter(pk__in=Effect.objects.filter(amendment__in=ids).values("obligation"))
        .select_related("instrument")
        .prefetch_related("penalties", effects_prefetch())
        .order_by("instrument__title", "provision", "key")
    )
    out: dict[int, list[Move]] = defaultdict(list)
    for derived in derive(rows, on or timezone.localdate()):
        for note in notes(derived):
            if note.step.effect.amendment_id in ids:
                out[note.step.effect.amendment_id].append(Move(derived, note))
    return dict(out)
