"""What applies to an organisation: from its profile to the obligations that bind it on
a day, and what changes in the twelve months after.

The check is three-valued and guesses nothing. An obligation **applies** when its
instrument is in force that day, its derived dates cover the day (the amendments
in effect then included: apps.reading.obligations), its addressee is one of the
organisation's roles, its risk tier is one of the profile's and every condition
its text sets (apps.obligations.models.Condition) is met. It **may apply** when
the only thing missing is a fact the profile left blank; the finding names each.
Otherwise it does not apply and is not listed.

Two readings of the rules are worth saying:
- a prohibited practice binds every addressee of its role whatever the system's
  tier: the profile's tiers do not filter it out;
- an obligation of general-purpose models with systemic risk binds a profile
  that says so, or one of a general-purpose model whose facts meet the
  obligation's own conditions (the training-compute presumption of the AI Act is
  such a condition in the record, not a number in this code).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from apps.amendments.effects import DerivedObligation
from apps.amendments.status import DerivedStatus, derive_status
from apps.instruments.lifecycle import APPLYING
from apps.instruments.models import Instrument, LegalForce
from apps.obligations.models import (
    Addressee,
    Comparison,
    Condition,
    Fact,
    Obligation,
    RiskTier,
)
from apps.reading.markets import Reach, reach
from apps.reading.obligations import (
    changed_by_amendments,
    derive,
    effects_prefetch,
    in_force_by,
    instrument_end,
    prefetch_lists,
)
from apps.reading.wording import day, sentence

UPCOMING_DAYS = 365
APPLIES, MAY_APPLY = "applies", "may_apply"
FACT_LABELS = dict(Fact.choices)
# A tier a profile may meet through the obligation's own conditions (see the docstring).
MET_THROUGH_CONDITIONS = {RiskTier.GPAI_SYSTEMIC: RiskTier.GPAI}


@dataclass(frozen=True)
class Profile:
    markets: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    risk_tiers: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    annual_revenue_usd: Decimal | None = None
    training_compute_flop: Decimal | None = None
    users: int | None = None
    employees: int | None = None
    sme: bool | None = None

    def fact(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class Match:
    verdict: str | None  # APPLIES, MAY_APPLY, or None when it does not apply
    why: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    obligation: DerivedObligation
    reach: Reach
    match: Match


@dataclass(frozen=True)
class Coming:
    """A change within the window: starts, moves, ends, or a proposal that would change it."""

    obligation: DerivedObligation  # as it stands on the check's day
    reach: Reach
    match: Match
    kind: str  # "starts", "changes", "ends", "proposed"
    date: dt.date | None  # None for a proposal: it has no date of effect
    cause: str


@dataclass
class Answer:
    on: dt.date
    profile: Profile
    applicable: list[Finding] = field(default_factory=list)
    may_apply: list[Finding] = field(default_factory=list)
    upcoming: list[Coming] = field(default_factory=list)
    reached: dict[int, Reach] = field(default_factory=dict)
    unknown_markets: list[str] = field(default_factory=list)


def check(profile: Profile, on: dt.date) -> Answer:
    """The check, in a fixed number of queries whatever the number of obligations."""
    reached, unknown = reach(list(profile.markets), on)
    answer = Answer(on, profile, reached=reached, unknown_markets=unknown)
    if not reached:
        return answer
    until = on + dt.timedelta(days=UPCOMING_DAYS)
    rows = Obligation.objects.published().filter(
        instrument__in=Instrument.objects.published().filter(
            jurisdiction__in=list(reached), legal_force=LegalForce.BINDING
        )
    )
    # Narrowed in the database to the rows the rules below can list: an amendment may
    # change anything about an obligation, so those are all read and derived; the
    # others are listed only by their own values.
    rows = list(
        rows.filter(Q(changed_by_amendments()) | _may_be_listed(profile, on, until))
        .annotate(has_effects=changed_by_amendments())
        .order_by()
    )
    prefetch_lists(rows, "penalties", "citations", "conditions")
    prefetch_lists(rows, effects_prefetch(), only=[o for o in rows if o.has_effects])
    instruments = {
        i.pk: i for i in Instrument.objects.filter(pk__in={o.instrument_id for o in rows})
    }
    prefetch_lists(list(instruments.values()), "events", "incoming_amendments")
    statuses = Statuses()
    ended = {pk: instrument_end(statuses.on(i, on)) for pk, i in instruments.items()}
    for derived in derive(rows, on, ended_on=ended):
        instrument = instruments[derived.obligation.instrument_id]
        derived.obligation.instrument = instrument  # read by every surface: no query each
        where = reached[instrument.jurisdiction_id]
        match = matches(profile, derived)
        if match.verdict is None:
            continue
        status = statuses.on(instrument, on)
        if derived.covers_day and status.status in APPLYING:
            bucket = answer.applicable if match.verdict == APPLIES else answer.may_apply
            bucket.append(Finding(derived, where, match))
        answer.upcoming.extend(_coming(derived, instrument, statuses, where, match, on, until))
    answer.applicable.sort(key=_order)
    answer.may_apply.sort(key=_order)
    answer.upcoming.sort(key=lambda c: (c.date is None, c.date or on, _order(c)))
    return answer


def _may_be_listed(profile: Profile, on: dt.date, until: dt.date) -> Q:
    """Obligations no amendment changes that the check may list, by their own values: their
    dates reach into the window (obligation_period_ordered keeps a start before an end),
    their instrument may be in force by its end, and their addressee and tier may match."""
    listed = Q(applies_from__lte=until) & (Q(applies_until__isnull=True) | Q(applies_until__gt=on))
    if profile.roles:
        listed &= Q(addressee__in=[*profile.roles, Addressee.COMPANY])
    if profile.risk_tiers:
        through = [t for t, needs in MET_THROUGH_CONDITIONS.items() if needs in profile.risk_tiers]
        listed &= Q(risk_tier__in=[*profile.risk_tiers, *through, "", RiskTier.PROHIBITED])
    # Last: PostgreSQL tests an OR's terms in the order written, and the columns above
    # leave a sixth of the rows for this subquery.
    return listed & Q(in_force_by(until, "instrument"))


class Statuses:
    """Each instrument's derived status on a day, derived once however many of its
    obligations ask."""

    def __init__(self) -> None:
        self.known: dict[tuple[int, dt.date], DerivedStatus] = {}

    def on(self, instrument: Instrument, day: dt.date) -> DerivedStatus:
        key = (instrument.pk, day)
        if key not in self.known:
            self.known[key] = derive_status(instrument, on=day)
        return self.known[key]


def matches(profile: Profile, obligation: DerivedObligation) -> Match:
    """Whether the profile meets the obligation's addressee, tier and conditions."""
    why: list[str] = []
    missing: list[str] = []
    addressee = obligation.addressee
    if not profile.roles:
        missing.append("role")
    elif addressee in profile.roles:
        why.append(f"role: {Addressee(addressee).label}")
    elif addressee == Addressee.COMPANY:
        why.append("addressed to every company")
    else:
        return Match(None)
    conditions = list(obligation.obligation.conditions.all())
    tier = obligation.risk_tier
    through_conditions = False
    if tier and tier != RiskTier.PROHIBITED:
        if tier in profile.risk_tiers:
            why.append(f"risk tier: {RiskTier(tier).label}")
            if tier in MET_THROUGH_CONDITIONS:
                conditions = []  # they are the tier's presumption, which the profile states
        elif MET_THROUGH_CONDITIONS.get(tier) in profile.risk_tiers and conditions:
            through_conditions = True
        elif not profile.risk_tiers:
            missing.append("risk tier")
        else:
            return Match(None)
    elif tier == RiskTier.PROHIBITED:
        why.append("a prohibited practice: binds whatever the system's tier")
    for condition in conditions:
        met = _meets(profile, condition)
        if met is None:
            missing.append(FACT_LABELS[condition.fact])
        elif met:
            why.append(f"{condition}{f' ({condition.note})' if condition.note else ''}")
        else:
            return Match(None)
    if through_conditions and not missing:
        why.append(f"risk tier: {RiskTier(tier).label}, presumed from the conditions above")
    verdict = MAY_APPLY if missing else APPLIES
    return Match(verdict, tuple(why), tuple(dict.fromkeys(missing)))


def _meets(profile: Profile, condition: Condition) -> bool | None:
    """True, False, or None when the profile left the fact blank."""
    if condition.fact == Fact.SECTOR:
        if not profile.sectors:
            return None
        return bool(set(profile.sectors) & set(condition.sectors))
    value = profile.fact(condition.fact)
    if value is None:
        return None
    if condition.fact == Fact.SME:
        return bool(value) == bool(condition.flag)
    number, threshold = Decimal(value), condition.number
    return {
        Comparison.AT_LEAST: number >= threshold,
        Comparison.MORE_THAN: number > threshold,
        Comparison.BELOW: number < threshold,
        Comparison.AT_MOST: number <= threshold,
    }[condition.comparison]


def _coming(derived, instrument, statuses: Statuses, where, match, on, until) -> list[Coming]:
    """What happens to the obligation between the day after `on` and `until`."""
    found: list[Coming] = []
    applies_now = derived.covers_day and statuses.on(instrument, on).status in APPLYING
    for step in derived.scheduled:
        if step.effective_on <= until:
            found.append(
                Coming(derived, where, match, "changes", step.effective_on, _said(derived, step))
            )
    for step in derived.pending:
        found.append(Coming(derived, where, match, "proposed", None, _said(derived, step)))
    start = derived.applies_from
    starts = not applies_now and derived.exists and start and on < start <= until
    if starts and statuses.on(instrument, start).status in APPLYING:
        words = f"{derived.provision} starts to apply on {day(start)}."
        found.append(Coming(derived, where, match, "starts", start, words))
    end = derived.applies_until
    if applies_now and end and on < end <= until:
        words = f"{derived.provision} stops applying on {day(end)}."
        found.append(Coming(derived, where, match, "ends", end, words))
    if not applies_now:
        return found
    later = statuses.on(instrument, until)
    ends_on = instrument_end(later)
    if ends_on and on < ends_on <= until and (not end or ends_on < end):
        words = (
            f"{instrument.title} ends on {day(ends_on)} ({later.cause}), and {derived.provision}"
        )
        words += " with it."
        found.append(Coming(derived, where, match, "ends", ends_on, words))
    return found


def _said(derived: DerivedObligation, step) -> str:
    return sentence(derived.obligation, step, on=derived.on)


def _order(item) -> tuple:
    o = item.obligation
    return (item.reach.jurisdiction.name, o.obligation.instrument.title, o.provision, o.key)
