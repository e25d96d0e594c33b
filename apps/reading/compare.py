"""Jurisdictions side by side, and what the record covers: read by the API and the portal."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q

from apps.instruments.lifecycle import APPLYING
from apps.instruments.models import Instrument, LegalForce
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation, Penalty

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
    """Structured dimensions per jurisdiction, in the order given, in a fixed number of queries."""
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
    for jurisdiction_id, addressee, pillars in (
        Obligation.objects.published()
        .filter(instrument__jurisdiction__in=ids, instrument__retired_at__isnull=True)
        .values_list("instrument__jurisdiction", "addressee", "pillars")
    ):
        by_addressee[jurisdiction_id][addressee] += 1
        for pillar in pillars:
            by_pillar[jurisdiction_id][pillar] += 1
    penalties = _maximum_penalties(ids)
    return [
        {
            "jurisdiction": j,
            "approaches": list(j.approaches),
            "coverage": j.coverage,
            "binding_in_force": binding[j.pk],
            "maximum_penalties": penalties.get(j.pk, {}),
            "obligations_by_addressee": dict(sorted(by_addressee[j.pk].items())),
            "obligations_by_pillar": dict(sorted(by_pillar[j.pk].items())),
        }
        for j in jurisdictions
    ]


def _maximum_penalties(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = (
        Penalty.objects.filter(
            obligation__retired_at__isnull=True,
            obligation__instrument__retired_at__isnull=True,
            obligation__instrument__jurisdiction__in=ids,
        )
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
        if row["amount"] is not None:
            entry["amounts"][row["currency"]] = row["amount"]
        for key, value in (("turnover_percent", row["turnover"]), ("prison_years", row["prison"])):
            if value is not None and (entry[key] is None or value > entry[key]):
                entry[key] = value
    return dict(out)


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
