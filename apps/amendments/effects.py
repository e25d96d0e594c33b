"""The one place an obligation is derived as of a day, as status.py derives a status.

Steps:
1. Take the obligation's effects whose amendments are part of the record (not
   retired), in order of effect: date of effect, then the amendment's key, then
   the order of EffectKind.
2. An effect whose amendment has no date of effect is pending (a proposed
   change: not law); one dated after the day is scheduled; the rest apply.
3. Start from the obligation's own values. An obligation that an amendment adds
   exists only once that amendment has taken effect. Each applied effect replaces
   one value: a moved date, a new requirement, addressee, risk tier or penalties;
   an ending sets `applies_until` to the day the ending took effect.
4. An instrument that ended (repealed, revoked, ...) on day E ends its
   obligations on E, unless they had ended earlier.
On the day, the obligation applies when it exists and its dates cover the day;
that its instrument is in force then is checked by the reading layer, which
derives the instrument's status too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.amendments.models import Amendment, Effect, EffectKind
from apps.obligations.models import Obligation, Penalty

ORDER = {kind: rank for rank, kind in enumerate(EffectKind.values)}
# The obligation's attribute each replacing kind sets.
ATTRIBUTE = {
    EffectKind.APPLIES_FROM: "applies_from",
    EffectKind.APPLIES_UNTIL: "applies_until",
    EffectKind.REQUIREMENT: "requirement",
    EffectKind.ADDRESSEE: "addressee",
    EffectKind.RISK_TIER: "risk_tier",
    EffectKind.PENALTIES: "penalties",
}


@dataclass(frozen=True)
class Step:
    """One effect as it bears on the obligation: what it changed, from what, to what."""

    effect: Effect
    was: Any
    became: Any

    @property
    def amendment(self) -> Amendment:
        return self.effect.amendment

    @property
    def kind(self) -> str:
        return self.effect.kind

    @property
    def effective_on(self) -> dt.date | None:
        return self.effect.amendment.effective_on


class Rows(list):
    """Derived child rows that read like a prefetched relation (`.all()`), so templates
    and serializers written for the stored obligation read the derived one as well."""

    def all(self) -> Rows:
        return self


@dataclass(frozen=True)
class DerivedObligation:
    """An obligation on a day. Its derived values are attributes; any other attribute
    (provision, key, instrument, citations ...) is the stored obligation's own."""

    obligation: Obligation
    on: dt.date
    exists: bool  # False before the amendment that adds it took effect
    applies_from: dt.date | None
    applies_until: dt.date | None
    requirement: str
    addressee: str
    risk_tier: str
    penalties: Rows
    history: tuple[Step, ...] = ()  # applied on or before the day, in order
    scheduled: tuple[Step, ...] = ()  # dated after the day
    pending: tuple[Step, ...] = ()  # proposed: no date of effect
    ended_with_instrument: dt.date | None = None  # the instrument's end closed it

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.obligation, name)

    @property
    def covers_day(self) -> bool:
        """Its own (derived) dates cover the day; the instrument is judged apart."""
        if not self.exists or self.applies_from is None or self.applies_from > self.on:
            return False
        return self.applies_until is None or self.applies_until > self.on

    @property
    def changed(self) -> bool:
        return bool(self.history) or self.ended_with_instrument is not None


def ordered(effects) -> list[Effect]:
    """Published effects in order of effect; pending ones (no date) last."""
    live = [e for e in effects if e.amendment.retired_at is None]
    return sorted(
        live,
        key=lambda e: (
            e.amendment.effective_on is None,
            e.amendment.effective_on or dt.date.min,
            e.amendment.key,
            ORDER[e.kind],
            e.pk or 0,
        ),
    )


def penalty_rows(obligation: Obligation, items: list[dict]) -> list[Penalty]:
    """Replaced penalties as unsaved Penalty rows, so every surface shows one shape."""
    rows = []
    for item in items:
        values = {}
        for name, value in item.items():
            model_field = Penalty._meta.get_field(name)
            if model_field.concrete and not model_field.many_to_many:
                values[model_field.attname] = model_field.to_python(value)
        rows.append(Penalty(obligation=obligation, **values))
    return rows


def derive_obligation(
    obligation: Obligation,
    *,
    on: dt.date | None = None,
    effects=None,
    penalties=None,
    instrument_ended_on: dt.date | None = None,
) -> DerivedObligation:
    """The obligation as it stood on `on` (today by default).

    Reads `obligation.effects` (with each effect's amendment) and
    `obligation.penalties` unless `effects` and `penalties` are given: prefetch
    them, or pass the rows read for a whole page, for many obligations.
    """
    on = on or timezone.localdate()
    effects = ordered(obligation.effects.all() if effects is None else effects)
    values: dict[str, Any] = {
        "applies_from": obligation.applies_from,
        "applies_until": obligation.applies_until,
        "requirement": obligation.requirement,
        "addressee": obligation.addressee,
        "risk_tier": obligation.risk_tier,
        "penalties": Rows(obligation.penalties.all() if penalties is None else penalties),
    }
    exists = True
    history, scheduled, pending = [], [], []
    ahead: dict[str, Any] | None = None
    for effect in effects:
        when = effect.amendment.effective_on
        if effect.kind == EffectKind.ADDS:
            exists = exists and when is not None and when <= on
        if when is not None and when <= on:
            history.append(_take(values, obligation, effect, when))
            continue
        # Scheduled and proposed steps come last (in order of effect): each is said
        # against the values the steps before it would leave, never applied to the day's.
        ahead = dict(values) if ahead is None else ahead
        step = _take(ahead, obligation, effect, when)
        (pending if when is None else scheduled).append(step)
    ended = None
    if instrument_ended_on is not None and instrument_ended_on <= on:
        until = values["applies_until"]
        if until is None or until > instrument_ended_on:
            ended, values["applies_until"] = instrument_ended_on, instrument_ended_on
    return DerivedObligation(
        obligation,
        on,
        exists,
        history=tuple(history),
        scheduled=tuple(scheduled),
        pending=tuple(pending),
        ended_with_instrument=ended,
        **values,
    )


def _take(values: dict[str, Any], obligation: Obligation, effect: Effect, when) -> Step:
    """The step `effect` makes from `values`, which it updates (a proposed ending, with
    no date yet, leaves the end date as it is)."""
    if effect.kind == EffectKind.ENDS:
        step = Step(effect, values["applies_until"], when)
        if when is not None:
            values["applies_until"] = _earlier(values["applies_until"], when)
        return step
    if effect.kind in ATTRIBUTE:
        attribute = ATTRIBUTE[effect.kind]
        step = Step(effect, values[attribute], _became(obligation, effect))
        values[attribute] = step.became
        return step
    return Step(effect, None, when)  # ADDS: it exists from here on


def _became(obligation: Obligation, effect: Effect) -> Any:
    if effect.kind in (EffectKind.APPLIES_FROM, EffectKind.APPLIES_UNTIL):
        return effect.date
    if effect.kind == EffectKind.PENALTIES:
        return Rows(penalty_rows(obligation, effect.penalties or []))
    if effect.kind in (EffectKind.ENDS, EffectKind.ADDS):
        return effect.amendment.effective_on
    return effect.text


def _earlier(a: dt.date | None, b: dt.date) -> dt.date:
    return b if a is None else min(a, b)


def plain(value: Any) -> Any:
    """A derived value in JSON form (dates as ISO strings, penalties as their values)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Penalty):
        return {
            f.name: plain(getattr(value, f.attname))
            for f in Penalty._meta.concrete_fields
            if f.editable and f.name not in ("id", "obligation")
        }
    return value
