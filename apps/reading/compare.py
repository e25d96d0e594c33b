"""Jurisdictions side by side, and what the record covers: read by the API and the portal."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q

from apps.amendments.effects import DerivedObligation
from apps.instruments.lifecycle import APPLYING
from apps.instruments.models import Instrument, LegalForce
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation, Penalty
from apps.reading import standing
from apps.reading.obligations import changed_by_amendments, derive, effects_prefetch

MIN_COMPARED, MAX_COMPARED = 2, 5


@dataclass(frozen=True)
class Chosen:
    jurisdictions: list[Jurisdiction]  # the published ones, in the order their codes came
    missing: list[str]  # codes no published jurisdiction has


def choose(codes: list[str]) -> Chosen:
    """The published jurisdictions named by `codes`, in one query."""
    found = {j.code: j for j in Jurisdiction.objects.published().filter(code__in=codes)}
    return Chosen([found[c] for c in codes if c in found], [c for c in codes if c not in found])


def choices() -> list[tuple[str, str]]:
    """(code, name) of every published jurisdiction, by name: what may be compared."""
    return list(Jurisdiction.objects.published().order_by("name").values_list("code", "name"))


def compare(jurisdictions: list[Jurisdiction]) -> list[dict[str, Any]]:
    """Structured dimensions per jurisdiction, in the order given, in a fixed number of queries.

    Obligations count as they stand today: where an amendment changed one (its
    addressee, its penalties; one it adds counts once it exists) the derived values
    count, and `changes` says in plain words what amendments did, will do or propose.
    """
    ids = [j.pk for j in jurisdictions]
    binding: dict[int, list[Instrument]] = defaultdict(list)
    for instrument in (
        Instrument.objects.published()
        .filter(jurisdiction__in=ids, legal_force=LegalForce.BINDING, status__in=APPLYING)
        .order_by("title")
    ):
        binding[instrument.jurisdiction_id].append(instrument)
    by_addressee: dict[int, Counter] = defaultdict(Counter)
    by_pillar: dict[int, Counter] = defaultdict(Counter)
    amended: list[int] = []  # ids of the obligations an amendment changes
    for jurisdiction_id, addressee, pillars, pk, changed in (
        Obligation.objects.published()
        .filter(instrument__jurisdiction__in=ids, instrument__retired_at__isnull=True)
        .annotate(changed=changed_by_amendments())
        .values_list("instrument__jurisdiction", "addressee", "pillars", "pk", "changed")
    ):
        if changed:
            amended.append(pk)
            continue
        by_addressee[jurisdiction_id][addressee] += 1
        for pillar in pillars:
            by_pillar[jurisdiction_id][pillar] += 1
    penalties = _maximum_penalties(ids, amended)
    changes: dict[int, list[standing.Move]] = defaultdict(list)
    for derived in _derived(amended):
        jurisdiction_id = derived.instrument.jurisdiction_id
        changes[jurisdiction_id] += [standing.Move(derived, n) for n in standing.notes(derived)]
        if not derived.exists:
            continue  # an amendment adds it later, or only proposes to
        by_addressee[jurisdiction_id][derived.addressee] += 1
        for pillar in derived.pillars:
            by_pillar[jurisdiction_id][pillar] += 1
        if derived.penalties:
            _fold_penalties(penalties[jurisdiction_id], derived.penalties.all())
    return [
        {
            "jurisdiction": j,
            "approaches": list(j.approaches),
            "coverage": j.coverage,
            "binding_in_force": binding[j.pk],
            "maximum_penalties": penalties.get(j.pk, {}),
            "obligations_by_addressee": dict(sorted(by_addressee[j.pk].items())),
            "obligations_by_pillar": dict(sorted(by_pillar[j.pk].items())),
            "changes": changes[j.pk],
        }
        for j in jurisdictions
    ]


def _derived(pks: list[int]) -> list[DerivedObligation]:
    """The obligations an amendment changes, as they stand today: in three queries, none
    when there are none."""
    if not pks:
        return []
    rows = (
        Obligation.objects.filter(pk__in=pks)
        .select_related("instrument")
        .prefetch_related("penalties", effects_prefetch())
        .order_by("instrument__title", "provision", "key")
    )
    return derive(rows)


def _maximum_penalties(ids: list[int], amended: list[int]) -> dict[int, dict[str, Any]]:
    """The stored penalties' maxima by jurisdiction, those of `amended` obligations left
    out (their penalties as they stand today are folded in by the caller)."""
    rows = (
        Penalty.objects.filter(
            obligation__retired_at__isnull=True,
            obligation__instrument__retired_at__isnull=True,
            obligation__instrument__jurisdiction__in=ids,
        )
        .exclude(obligation__in=amended)
        .values("obligation__instrument__jurisdiction", "currency")
        .annotate(
            amount=Max("max_amount"),
            turnover=Max("turnover_percent"),
            prison=Max("prison_years"),
        )
    )
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"amounts": {}, "turnover_percent": None, "prison_years": None}
    )
    for row in rows:
        entry = out[row["obligation__instrument__jurisdiction"]]
        _fold(entry, row["currency"], row["amount"], row["turnover"], row["prison"])
    return out


def _fold_penalties(entry: dict[str, Any], penalties) -> None:
    for p in penalties:
        _fold(entry, p.currency, p.max_amount, p.turnover_percent, p.prison_years)


def _fold(entry: dict[str, Any], currency, amount, turnover, prison) -> None:
    """Keep the largest amount per currency, turnover share and prison term."""
    if amount is not None:
        known = entry["amounts"].get(currency)
        entry["amounts"][currency] = amount if known is None else max(known, amount)
    for key, value in (("turnover_percent", turnover), ("prison_years", prison)):
        if value is not None and (entry[key] is None or value > entry[key]):
            entry[key] = value


def coverage():
    """Every published jurisdiction with how fully it is tracked and what is recorded for it.

    "No law" reads as tracked (in depth or partially) with no binding instrument;
    "not tracked" means the record says nothing either way.
    """
    live = Q(instruments__retired_at__isnull=True)
    return (
        Jurisdiction.objects.published()
        .annotate(
            instrument_count=Count("instruments", filter=live),
            binding_count=Count(
                "instruments", filter=live & Q(instruments__legal_force=LegalForce.BINDING)
            ),
        )
        .order_by("code")
    )
