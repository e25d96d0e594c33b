"""Faceted search over instruments: ranked results, facets with counts, sorting, paging.

Ranking is the record's one search (apps.reading.search); this module adds
what a page of results needs around it (the portal's search page and its
exports read it). Every facet counts the results under all the other chosen
facets, so a reader sees what each choice would leave.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import ExtractYear

from apps.instruments.models import Instrument, Kind, LegalForce, Pillar, Status
from apps.jurisdictions.models import Approach, Jurisdiction
from apps.reading import kept_results, search
from apps.reading.cache import kept

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


def _filtered(
    chosen: dict[str, str], leave_out: str | None = None, rows: QuerySet | None = None
) -> QuerySet[Instrument]:
    """`rows` (every published instrument, or a search's matches) under the chosen facets."""
    rows = rows if rows is not None else Instrument.objects.published()
    rows = rows.annotate(year=ExtractYear("first_event_on"))
    for name, value in chosen.items():
        if name == leave_out or not value:
            continue
        lookup, _ = FACETS[name]
        if name in ARRAYS:
            rows = rows.filter(**{f"{lookup}__contains": [value]})
        elif name == "year":
            if not value.isdigit():
                rows = rows.none()
            else:  # a range of the indexed column, not EXTRACT of every row
                rows = rows.filter(first_event_on__year=int(value))
        else:
            rows = rows.filter(**{lookup: value})
    return rows


# The column each facet counts in _counts' statement: its lookup, but the
# jurisdiction's id (named by the page's jurisdiction list), not a join for its code.
_COLUMNS = {name: lookup for name, (lookup, _) in FACETS.items()} | {
    "jurisdiction": "jurisdiction_id"
}


def _counts(rows: QuerySet[Instrument], names: list[str]) -> tuple[int, dict[str, Counter]]:
    """How many `rows`, and for each facet of `names` how many of them hold each value.

    One statement: the rows are read once into a CTE and every facet groups that,
    instead of one query per facet each reading the rows (or a list of ids) again.
    Facet names and columns are this module's constants, never the request's.
    """
    if rows.query.is_empty():
        return 0, {name: Counter() for name in names}
    columns = sorted({_COLUMNS[name] for name in names})
    sql, params = rows.order_by().values(*columns).query.sql_with_params()
    parts = ["SELECT '' AS facet, NULL AS value, COUNT(*) FROM m"]
    for name in names:
        column = _COLUMNS[name]
        if name in ARRAYS:
            parts.append(f"SELECT '{name}', v, COUNT(*) FROM m, unnest(m.{column}) AS v GROUP BY v")  # noqa: S608
        else:
            parts.append(f"SELECT '{name}', m.{column}::text, COUNT(*) FROM m GROUP BY m.{column}")  # noqa: S608
    counts: dict[str, Counter] = {name: Counter() for name in names}
    total = 0
    # The matches' facet columns fit in memory with room (18,480 rows, about 3 MB):
    # under the default 4 MB the CTE spilled to disk and each facet read it back
    # (EXPLAIN: 370 temp pages a facet; 540 ms against 400 ms, bench/RESULTS.md).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '16MB'")
        cursor.execute(f"WITH m AS MATERIALIZED ({sql}) " + " UNION ALL ".join(parts), params)
        for name, value, n in cursor.fetchall():
            if not name:
                total = n
            elif value not in (None, ""):
                counts[name][value] = n
    return total, counts


def _facets(
    chosen: dict[str, str], found: QuerySet | None, codes: dict[str, tuple[str, str]]
) -> tuple[int, list[Facet]]:
    """The number of results and every facet. A facet counts the rows under all the
    other chosen facets: the facets nobody chose share one statement, and each chosen
    one has its own (it leaves its own choice out)."""
    unchosen = [name for name in FACETS if not chosen.get(name)]
    total, counts = _counts(_filtered(chosen, rows=found), unchosen)
    for name in FACETS:
        if chosen.get(name):
            counts[name] = _counts(_filtered(chosen, leave_out=name, rows=found), [name])[1][name]
    return total, [_facet(name, chosen, counts[name], codes) for name in FACETS]


def _facet(
    name: str, chosen: dict[str, str], counts: Counter, codes: dict[str, tuple[str, str]]
) -> Facet:
    """`codes`: each published jurisdiction's id (as text) -> (code, name)."""
    _, labels = FACETS[name]
    if name == "jurisdiction":
        counts = Counter({codes[k][0]: n for k, n in counts.items() if k in codes})
        labels = {code: label for code, label in codes.values()}
    labels = labels or {}
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
    if q:
        found = found if found is not None else search.instruments(q)
    # Ranked over the whole record, narrowed by the facets: the same order.
    rows = _filtered(chosen, rows=found if q else None).select_related("jurisdiction")
    order = SORTS.get(sort) if sort in SORTS else None
    if order:
        return rows.order_by(*order)
    return rows if q else rows.order_by("title")


def run(q: str, chosen: dict[str, str], sort: str, page: int) -> Page:
    """A page of results with its facets, kept under the record's version: the
    portal's search page asks this, the exports matching_rows()."""
    q = q.strip()
    chosen = {k: v for k, v in chosen.items() if k in FACETS and v}
    computed: list[Page] = []

    def compute() -> bytes:
        computed.append(_run(q, chosen, sort, page))
        answer = computed[0]
        return kept_results.encode(
            {
                "sort": answer.sort,
                "total": answer.total,
                "page": answer.page,
                "pages": answer.pages,
                "facets": [[f.name, f.chosen, f.options] for f in answer.facets],
                "rows": kept_results.shown(answer.rows),
            }
        )

    body, _ = kept("search-page", (q, sorted(chosen.items()), sort, page), compute)
    if computed:
        return computed[0]
    data = kept_results.decode(body)
    rows = Instrument.objects.published().select_related("jurisdiction")
    kept_facets = [
        Facet(name, value, [tuple(o) for o in options]) for name, value, options in data["facets"]
    ]
    return Page(
        q,
        chosen,
        data["sort"],
        kept_results.rows_again(data["rows"], rows),
        data["total"],
        data["page"],
        data["pages"],
        kept_facets,
    )


def _run(q: str, chosen: dict[str, str], sort: str, page: int) -> Page:
    # Built once: the search's identifier lookup runs once per page.
    exact = search.exactly_named(q) if q else None
    found = search.instruments(q, exact=exact) if q else None
    codes = {
        str(pk): (code, name)
        for pk, code, name in Jurisdiction.objects.published().values_list("pk", "code", "name")
    }
    total, facets = _facets(chosen, found, codes)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = matching_rows(q, chosen, sort, found)
    # Ranked by relevance, a page is chosen among the search's bounded candidates;
    # sorted by title or date, among every match.
    ranked = q if sort not in SORTS or SORTS[sort] is None else ""
    start, stop = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    shown = search.ranked_slice(rows, start, stop, ranked, exact) if total else []
    return Page(
        q, chosen, sort if sort in SORTS else "relevance", shown, total, page, pages, facets
    )
