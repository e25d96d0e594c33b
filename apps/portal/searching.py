"""The portal's search page: ranked results, facets with counts, sorting, paging.

Ranking is the record's one search (apps.instruments.search); this module adds
what a page needs around it. Every facet counts the results under all the
other chosen facets, so a reader sees what each choice would leave.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import ExtractYear

from apps.instruments import search
from apps.instruments.models import Instrument, InstrumentEvent, Kind, LegalForce, Pillar, Status
from apps.jurisdictions.models import Approach, Jurisdiction

PAGE_SIZE = 20
SORTS = {"relevance": None, "title": ("title",), "newest": ("-status_since", "title")}
# Facet name -> (lookup on Instrument, labels).
FACETS = {
    "jurisdiction": ("jurisdiction__code", None),
    "kind": ("kind", dict(Kind.choices)),
    "status": ("status", dict(Status.choices)),
    "legal_force": ("legal_force", dict(LegalForce.choices)),
    "approach": ("approach", dict(Approach.choices)),
    "pillar": ("pillars", dict(Pillar.choices)),
    "topic": ("topics", None),
    "year": ("year", None),
}
ARRAYS = {"pillar", "topic"}


@dataclass
class Facet:
    name: str
    chosen: str
    options: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, count


@dataclass
class Page:
    q: str
    chosen: dict[str, str]
    sort: str
    rows: list[Instrument]
    total: int
    page: int
    pages: int
    facets: list[Facet]


def _first_year():
    first = (
        InstrumentEvent.objects.filter(instrument=OuterRef("pk")).order_by("date").values("date")
    )
    return ExtractYear(Subquery(first[:1]))


def _filtered(chosen: dict[str, str], leave_out: str | None = None) -> QuerySet[Instrument]:
    rows = Instrument.objects.published().annotate(year=_first_year())
    for name, value in chosen.items():
        if name == leave_out or not value:
            continue
        lookup, _ = FACETS[name]
        if name in ARRAYS:
            rows = rows.filter(**{f"{lookup}__contains": [value]})
        elif name == "year":
            rows = rows.filter(year=int(value)) if value.isdigit() else rows.none()
        else:
            rows = rows.filter(**{lookup: value})
    return rows


def _facet(
    name: str, chosen: dict[str, str], found: list[int] | None, names: dict[str, str]
) -> Facet:
    """`found`: the ids the search matched, or None when nothing was searched for."""
    lookup, labels = FACETS[name]
    base = _filtered(chosen, leave_out=name)
    if found is not None:
        base = base.filter(pk__in=found)
    if name in ARRAYS:
        counts = Counter(v for values in base.values_list(lookup, flat=True) for v in values)
    else:
        counts = Counter(
            {
                row[lookup]: row["n"]
                for row in base.order_by().values(lookup).annotate(n=Count("pk"))
                if row[lookup] not in (None, "")
            }
        )
    labels = labels or names if name == "jurisdiction" else labels or {}
    options = sorted(
        ((str(value), labels.get(value, str(value)), n) for value, n in counts.items()),
        key=lambda o: (-o[2], o[1]) if name != "year" else (-int(o[0]), 0),
    )
    return Facet(name, chosen.get(name, ""), options)


def matching_rows(
    q: str, chosen: dict[str, str], sort: str, found: QuerySet | None = None
) -> QuerySet[Instrument]:
    """The instruments a search shows, in its order (the page and the exports)."""
    q = q.strip()
    chosen = {k: v for k, v in chosen.items() if k in FACETS and v}
    rows = _filtered(chosen)
    if q:
        found = found if found is not None else search.instruments(q)
        # Ranked over the whole record, narrowed by the facets: the same order.
        rows = found.filter(pk__in=rows.values("pk"))
    rows = rows.select_related("jurisdiction")
    order = SORTS.get(sort) if sort in SORTS else None
    if order:
        return rows.order_by(*order)
    return rows if q else rows.order_by("title")


def run(q: str, chosen: dict[str, str], sort: str, page: int) -> Page:
    q = q.strip()
    chosen = {k: v for k, v in chosen.items() if k in FACETS and v}
    # Built once: the search's identifier and short-name lookups run once per page.
    found = search.instruments(q) if q else None
    rows = matching_rows(q, chosen, sort, found)
    total = rows.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    names = dict(Jurisdiction.objects.published().values_list("code", "name"))
    # The search runs once for the facets (its matching ids), not once per facet.
    matched = list(found.order_by().values_list("pk", flat=True)) if found is not None else None
    facets = [_facet(name, chosen, matched, names) for name in FACETS]
    return Page(
        q, chosen, sort if sort in SORTS else "relevance", shown, total, page, pages, facets
    )
