"""Lists of obligations as the law stood on a day, filtered on their derived values.

An obligation's derived values (apps.amendments.effects) differ from its stored
ones only when an amendment of the record has effects on it, or when its
instrument ended by the day. The first are few among many: they are read in one
query, derived in Python and named by id. Every other row is decided by the
database on its stored columns, its instrument's status and end included. So a
filtered list stays a queryset a surface can order, count and page, in a fixed
number of queries whatever the page or the number of effects.

An instrument's status on the day is its stored one (today's, kept by the
record's write path and the daily refresh) unless one of its dated facts lies
between the day and today: only those instruments are derived
(apps.amendments.status), as apps.reading.on_a_day derives a page of them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Case, DateField, F, Q, QuerySet, Value, When
from django.utils import timezone

from apps.amendments.effects import ATTRIBUTE, DerivedObligation, Step, derive_obligation
from apps.amendments.models import Amendment, Effect, EffectKind
from apps.amendments.status import DerivedStatus, derive_status
from apps.instruments.lifecycle import APPLYING, ENDED
from apps.instruments.models import Instrument, InstrumentEvent
from apps.obligations.models import Obligation
from apps.reading.obligations import instrument_end
from apps.reading.wording import sentence

# What an effect's amendment, and the act that made it, are read with.
AMENDMENT = ("amendment", "amendment__source_instrument", "amendment__source_jurisdiction")


@dataclass(frozen=True)
class Wanted:
    """What a list asks of the obligations' derived values (None: nothing)."""

    applying: bool = False  # applied on the day: its dates cover it, its instrument in force
    applies_on: dt.date | None = None  # its dates cover this day
    applies_from_from: dt.date | None = None
    applies_from_to: dt.date | None = None
    addressee: str | None = None
    risk_tier: str | None = None


@dataclass(frozen=True)
class Told:
    """One step of an obligation's history, with what it changed said in plain words."""

    amendment: Amendment
    kind: str
    field: str | None  # the value it changed; None when it adds the obligation
    was: Any  # a date, a text, penalties (rows) or None
    became: Any
    effective_on: dt.date | None
    sentence: str


def _covers(day: dt.date) -> Q:
    return Q(applies_from__lte=day) & (Q(applies_until__isnull=True) | Q(applies_until__gt=day))


class LawOn:
    """Obligations among `rows` as the law stood on `on` (today without one).

    Give `select`, `derive` and `ordered_by_date` querysets and rows of `rows`:
    the effects read here are those on `rows`.
    """

    def __init__(self, rows: QuerySet[Obligation], on: dt.date | None = None) -> None:
        today = timezone.localdate()
        self.on = on or today
        ids = rows.order_by().values("pk")
        found = Effect.objects.filter(
            obligation__in=ids, amendment__retired_at__isnull=True
        ).select_related(*AMENDMENT, "obligation__instrument")
        self.effects: dict[int, list[Effect]] = defaultdict(list)
        for effect in found:
            self.effects[effect.obligation_id].append(effect)
        self.moving = _statuses_between(rows, self.on, today)

    # -- one obligation ------------------------------------------------------------
    def status(self, instrument: Instrument) -> DerivedStatus:
        """Its instrument's status on the day."""
        moving = self.moving.get(instrument.pk)
        return moving or DerivedStatus(instrument.status, instrument.status_since, "stored")

    def derive(self, obligation: Obligation, penalties=None) -> DerivedObligation:
        """`obligation` on the day; its penalties are `penalties` or its prefetched ones."""
        return derive_obligation(
            obligation,
            on=self.on,
            effects=self.effects.get(obligation.pk, ()),
            penalties=penalties,
            instrument_ended_on=instrument_end(self.status(obligation.instrument)),
        )

    def keeps(self, derived: DerivedObligation, wanted: Wanted) -> bool:
        if not derived.exists:
            return False
        if wanted.applying and not (
            derived.covers_day and self.status(derived.instrument).status in APPLYING
        ):
            return False
        day = wanted.applies_on
        start, end = derived.applies_from, derived.applies_until
        if day and not (start is not None and start <= day and (end is None or end > day)):
            return False
        if wanted.applies_from_from and not (start and start >= wanted.applies_from_from):
            return False
        if wanted.applies_from_to and not (start and start <= wanted.applies_from_to):
            return False
        if wanted.addressee and derived.addressee != wanted.addressee:
            return False
        return not wanted.risk_tier or derived.risk_tier == wanted.risk_tier

    # -- a list --------------------------------------------------------------------
    @cached_property
    def changed(self) -> dict[int, DerivedObligation]:
        """The obligations amendments change, on the day (their penalties left out: no
        list asks about them)."""
        return {
            pk: self.derive(effects[0].obligation, penalties=())
            for pk, effects in self.effects.items()
        }

    def select(self, rows: QuerySet[Obligation], wanted: Wanted) -> QuerySet[Obligation]:
        """`rows` that exist on the day and whose derived values are as `wanted`."""
        keep = [pk for pk, derived in self.changed.items() if self.keeps(derived, wanted)]
        alone = ~Q(pk__in=list(self.changed)) & self._stored(wanted)
        return rows.filter(alone | Q(pk__in=keep))

    def ordered_by_date(self, rows: QuerySet[Obligation], ordering: list[str]) -> QuerySet:
        """`rows` in `ordering`, where `applies_from` is the date as it stands on the day."""
        moved = {
            pk: d.applies_from
            for pk, d in self.changed.items()
            if d.applies_from != d.obligation.applies_from
        }
        date = F("applies_from")
        if moved:
            cases = [When(pk=pk, then=Value(day)) for pk, day in moved.items()]
            date = Case(*cases, default=F("applies_from"), output_field=DateField())
        terms = [term.replace("applies_from", "law_applies_from") for term in ordering]
        return rows.annotate(law_applies_from=date).order_by(*terms)

    def _stored(self, wanted: Wanted) -> Q:
        """`wanted`, asked of the stored columns of rows no amendment changes."""
        q = Q()
        if wanted.applying:
            q &= _covers(self.on) & self._instrument_applies()
        if wanted.applies_on:
            q &= _covers(wanted.applies_on) & ~self._instrument_ended_by(wanted.applies_on)
        if wanted.applies_from_from:
            q &= Q(applies_from__gte=wanted.applies_from_from)
        if wanted.applies_from_to:
            q &= Q(applies_from__lte=wanted.applies_from_to)
        if wanted.addressee:
            q &= Q(addressee=wanted.addressee)
        if wanted.risk_tier:
            q &= Q(risk_tier=wanted.risk_tier)
        return q

    def _instrument_applies(self) -> Q:
        derived = [pk for pk, status in self.moving.items() if status.status in APPLYING]
        stored = ~Q(instrument__in=list(self.moving)) & Q(instrument__status__in=APPLYING)
        return Q(instrument__in=derived) | stored

    def _instrument_ended_by(self, day: dt.date) -> Q:
        # Its end closes its obligations (apps.amendments.effects, step 4); a stored
        # ended status is the day's when the instrument is not moving.
        derived = [
            pk
            for pk, status in self.moving.items()
            if (end := instrument_end(status)) is not None and end <= day
        ]
        stored = ~Q(instrument__in=list(self.moving)) & Q(
            instrument__status__in=ENDED, instrument__status_since__lte=day
        )
        return Q(instrument__in=derived) | stored


def _statuses_between(
    rows: QuerySet[Obligation], on: dt.date, today: dt.date
) -> dict[int, DerivedStatus]:
    """The status on `on` of the instruments of `rows` whose status may differ between
    `on` and today: those with an event or an amendment dated in between."""
    if on == today:
        return {}
    low, high = sorted((on, today))
    events = InstrumentEvent.objects.filter(date__gt=low, date__lte=high)
    amendments = Amendment.objects.filter(effective_on__gt=low, effective_on__lte=high)
    moving = (
        Instrument.objects.filter(pk__in=rows.order_by().values("instrument"))
        .filter(
            Q(pk__in=events.values("instrument")) | Q(pk__in=amendments.values("target_instrument"))
        )
        .prefetch_related("events", "incoming_amendments")
    )
    return {instrument.pk: derive_status(instrument, on=on) for instrument in moving}


# -- what the steps say -----------------------------------------------------------
def told(derived: DerivedObligation, steps: tuple[Step, ...]) -> list[Told]:
    """`steps` of `derived` (its history, scheduled or pending), each in plain words."""
    out = []
    for step in steps:
        kind = step.kind
        field = "applies_until" if kind == EffectKind.ENDS else ATTRIBUTE.get(kind)
        out.append(
            Told(
                amendment=step.amendment,
                kind=kind,
                field=field,
                was=step.was,
                became=step.became,
                effective_on=step.effective_on,
                sentence=sentence(derived.obligation, step, on=derived.on),
            )
        )
    return out


@dataclass(frozen=True)
class Moved:
    """What one change to an amendment moved: its effects on these (obligation id,
    kind) pairs (None: all of them), dated as the change dated the amendment when it
    said a date of effect (`dated`), else as the record dates it now."""

    amendment: int
    pairs: frozenset[tuple[int, str]] | None
    dated: bool = False
    effective_on: dt.date | None = None


def effects_told(moved: dict[Any, Moved], on: dt.date | None = None) -> dict[Any, list[str]]:
    """What each change moved, in plain sentences (apps.reading.wording), said on `on`
    (today by default). One query for every amendment named, whatever their number."""
    if not moved:
        return {}
    on = on or timezone.localdate()
    named = {m.amendment for m in moved.values()}
    touched = Effect.objects.filter(amendment__in=named).values("obligation")
    by_obligation: dict[int, list[Effect]] = defaultdict(list)
    for effect in Effect.objects.filter(
        obligation__in=touched, amendment__retired_at__isnull=True
    ).select_related(*AMENDMENT, "obligation"):
        by_obligation[effect.obligation_id].append(effect)
    return {key: _told(change, by_obligation, on) for key, change in moved.items()}


def _told(moved: Moved, by_obligation: dict[int, list[Effect]], on: dt.date) -> list[str]:
    said = []
    for effects in by_obligation.values():
        if moved.dated:
            effects = [_dated(e, moved) for e in effects]
        for effect in effects:
            pair = (effect.obligation_id, effect.kind)
            if effect.amendment_id != moved.amendment or (
                moved.pairs is not None and pair not in moved.pairs
            ):
                continue
            # Derived on the amendment's own day, so the step knows what it replaced.
            when = effect.amendment.effective_on
            derived = derive_obligation(
                effect.obligation, on=when or on, effects=effects, penalties=()
            )
            steps = (*derived.history, *derived.scheduled, *derived.pending)
            step = next(s for s in steps if s.effect.pk == effect.pk)
            said.append(sentence(effect.obligation, step, on=on))
    return said


def _dated(effect: Effect, moved: Moved) -> Effect:
    """`effect`, its amendment dated as the change dated it (a copy: rows stay as read)."""
    if effect.amendment_id != moved.amendment:
        return effect
    amendment = copy.copy(effect.amendment)
    amendment.effective_on = moved.effective_on
    dated = copy.copy(effect)
    dated.amendment = amendment
    return dated
