"""An instrument's table of duties: filtered by addressee, risk tier and date, each duty
with its penalty beside it.

It works on the rows the page has already read (apps.reading.standing), in memory, so
a filter costs no query: the page reads as much with filters as without.

The penalty beside a duty comes from the record alone, never from reading the law's
text:
1. the penalties the record attaches to the duty itself (its own Penalty rows);
2. else the penalties of the instrument's rows of the duty's risk tier that carry one:
   the record tags such a penalty provision with the tier it punishes (a subdivision of
   the duty's own provision, "Article 5(1)(ba)" for "Article 5", is a duty of its own,
   not its penalty).
3. and, with those of 2, the penalties of the rows the record links to the duty as the
   fines that punish its breach (apps.obligations.fine_links, each link sourced): how a
   fine of no tier (the AI Act's Article 99(4)) reaches the duties it punishes.
A row that carries a penalty and, by 2 or 3, stands beside another row is one of the
instrument's penalty provisions: it is listed apart from the duties, with its anchor,
instead of as a duty among them. A penalty row of no tier and no link stays a row of its
own: the record does not say which duties it punishes, and an addressee in common is not
enough to say so (it would put one offence's fine beside another duty).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from apps.reading.standing import Standing
from apps.reading.wording import ADDRESSEES, TIERS

NO_TIER = "none"  # the filter's value for duties of no risk tier


@dataclass(frozen=True)
class Filters:
    addressee: str = ""
    tier: str = ""
    after: dt.date | None = None  # applies from this day or later
    before: dt.date | None = None  # applies from this day or earlier

    @property
    def active(self) -> bool:
        return bool(self.addressee or self.tier or self.after or self.before)

    def keeps(self, row: Standing) -> bool:
        o = row.obligation
        if self.addressee and o.addressee != self.addressee:
            return False
        if self.tier and (o.risk_tier or NO_TIER) != self.tier:
            return False
        if self.after or self.before:
            start = o.applies_from
            if start is None:  # no date fixed: it cannot be said to fall in the range
                return False
            if (self.after and start < self.after) or (self.before and start > self.before):
                return False
        return True


@dataclass(frozen=True)
class Asked:
    """What the reader asked for: the filters kept, the words typed, the refusals."""

    filters: Filters
    typed: dict[str, str]
    errors: dict[str, str]


PARAMS = ("addressee", "risk_tier", "applies_after", "applies_before")


def asked(params: Any) -> Asked:
    """The filters from GET parameters. A value that is no choice or no date is refused
    beside its field and kept as typed; the other filters still apply."""
    typed = {name: (params.get(name) or "").strip()[:40] for name in PARAMS}
    errors: dict[str, str] = {}
    addressee, tier = typed["addressee"], typed["risk_tier"]
    if addressee and addressee not in ADDRESSEES:
        errors["addressee"] = "Choose an addressee from the list."
        addressee = ""
    if tier and tier not in TIERS and tier != NO_TIER:
        errors["risk_tier"] = "Choose a risk tier from the list."
        tier = ""
    days = {}
    for name in ("applies_after", "applies_before"):
        try:
            days[name] = dt.date.fromisoformat(typed[name]) if typed[name] else None
        except ValueError:
            errors[name] = "Enter a date as YYYY-MM-DD."
            days[name] = None
    after, before = days["applies_after"], days["applies_before"]
    if after and before and after > before:
        errors["applies_before"] = "This day is before the “on or after” day: swap them."
        before = None
    return Asked(Filters(addressee, tier, after, before), typed, errors)


@dataclass(frozen=True)
class Beside:
    """A penalty as shown beside a duty, with the row that carries it and its source."""

    text: str
    provision: str  # the provision that sets it
    key: str | None  # the anchor of a penalty provision's row; None for the duty's own
    citation: Any  # the first citation of the row that carries it, or None


@dataclass(frozen=True)
class Table:
    duties: list[Standing]  # after the filters
    total: int  # duties before the filters
    penalties: dict[int, list[Beside]]  # by obligation id
    provisions: list[Standing]  # the instrument's penalty provisions (unfiltered)
    addressees: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    tiers: list[tuple[str, str]] = field(default_factory=list)


def _penalised(row: Standing) -> list:
    return list(row.obligation.penalties.all())


def _carried(row: Standing, key: str | None) -> list[Beside]:
    o = row.obligation
    citation = next(iter(o.citations.all()), None)
    return [Beside(p.describe(), o.provision, key, citation) for p in _penalised(row)]


def _covering(duty: Standing, carriers: list[Standing]) -> list[Standing]:
    o = duty.obligation
    # `fine_keys` is read with the rows (ObligationQuerySet.with_fine_keys), keys of the
    # same instrument's rows; a linked fine shows only when its row is on the page (it
    # applies on the day read).
    linked = set(getattr(o, "fine_keys", None) or ())
    own_article = f"{o.provision}("
    return [
        c
        for c in carriers
        if c.obligation.pk != o.pk
        and (
            c.obligation.key in linked
            or (
                bool(o.risk_tier)
                and c.obligation.risk_tier == o.risk_tier
                and not c.obligation.provision.startswith(own_article)
            )
        )
    ]


def table(rows: list[Standing], filters: Filters) -> Table:
    """The duties and their penalties; the penalty provisions apart (see the module)."""
    carriers = [row for row in rows if _penalised(row)]
    covering = {row.obligation.pk: _covering(row, carriers) for row in rows if not _penalised(row)}
    apart = {c.obligation.pk for found in covering.values() for c in found}
    provisions = [row for row in rows if row.obligation.pk in apart]
    duties = [row for row in rows if row.obligation.pk not in apart]
    penalties = {
        row.obligation.pk: _carried(row, None)
        or [b for c in covering.get(row.obligation.pk, []) for b in _carried(c, c.obligation.key)]
        for row in duties
    }
    return Table(
        duties=[row for row in duties if filters.keeps(row)],
        total=len(duties),
        penalties=penalties,
        provisions=provisions,
        addressees=_present(ADDRESSEES, (row.obligation.addressee for row in duties)),
        tiers=_present(TIERS, (row.obligation.risk_tier or NO_TIER for row in duties)),
    )


def _present(labels: dict[str, str], values) -> list[tuple[str, str]]:
    """The choices the rows hold, by label; a duty of no tier is offered as such."""
    names = {**labels, NO_TIER: "no risk tier"}
    return sorted(((v, names.get(v, v)) for v in set(values)), key=lambda pair: pair[1])
