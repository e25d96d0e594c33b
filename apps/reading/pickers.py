"""What an editor's picker finds as they type: a few rows, best first, never every row.

The desk's forms pick an instrument among 100,000, a citation among 20,000; listing
them all made a proposal form megabytes long (issue 31). A picker asks here with
what was typed so far and shows at most `limit` rows:

- instruments: the slug typed exactly, then titles containing the text (those
  starting with it first; the trigram index of titles, instruments 0007), so a
  word typed halfway ("Artificial Intelli") already finds its rows; then the
  portal's ranked search (apps.reading.search: the stored weighted vectors,
  identifiers, short names, same ranking) for what titles do not say ("AILD");
- citations: the key typed exactly, then keys and titles containing the text;
- jurisdictions: the code typed exactly, then names and codes containing it.

Each answer is a list of `Pick`: the row's id, the key a form accepts for it
(slug, key, code) and the label an editor reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.reading import search

LIMIT = 10
# Fewer characters than this match too much to be worth a substring scan.
SUBSTRING_FROM = 3
CANDIDATES = 200


@dataclass(frozen=True)
class Pick:
    id: int
    key: str
    label: str


def _typed(text: str) -> str:
    return " ".join(text.split())[:200]


def instruments(text: str, limit: int = LIMIT) -> list[Pick]:
    text = _typed(text)
    if not text:
        return []
    rows = Instrument.objects.published()
    ids: list[int] = list(rows.filter(slug=text.lower()).values_list("pk", flat=True))
    if len(text) >= SUBSTRING_FROM:
        ids += _titled(rows.exclude(pk__in=ids), text, limit)
    if len(ids) < limit:
        ranked = search.instruments(text, rows).exclude(pk__in=ids).values_list("pk", flat=True)
        ids += ranked[: limit - len(ids)]
    ids = ids[:limit]
    found = {
        pk: (slug, title, code)
        for pk, slug, title, code in Instrument.objects.filter(pk__in=ids).values_list(
            "pk", "slug", "title", "jurisdiction__code"
        )
    }
    return [Pick(pk, found[pk][0], f"{found[pk][1]} ({found[pk][2]})") for pk in ids if pk in found]


def _titled(rows: QuerySet[Instrument], text: str, limit: int) -> list[int]:
    """Titles containing `text`, those starting with it first, then alphabetically.

    Among the first CANDIDATES found only: sorting every match of a common word
    ("act" is in a third of the titles) reads the whole table, while stopping at
    the first few hundred reads a few pages. Beyond them the editor types on.
    """
    found = rows.filter(title__icontains=text).order_by().values_list("pk", "title")[:CANDIDATES]
    start = text.casefold()
    ordered = sorted(found, key=lambda row: (not row[1].casefold().startswith(start), row[1]))
    return [pk for pk, _ in ordered[:limit]]


def _exact_first(rows: QuerySet, exact: Q) -> QuerySet:
    return rows.annotate(
        exact=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("exact")


def citations(text: str, limit: int = LIMIT) -> list[Pick]:
    text = _typed(text)
    if not text:
        return []
    match = Q(key__iexact=text)
    if len(text) >= SUBSTRING_FROM:
        match |= Q(key__icontains=text) | Q(title__icontains=text)
    rows = _exact_first(Citation.objects.filter(match), Q(key__iexact=text))
    return [
        Pick(pk, key, f"{title} [{key}]")
        for pk, key, title in rows.order_by("exact", "title", "pk").values_list(
            "pk", "key", "title"
        )[:limit]
    ]


def jurisdictions(text: str, limit: int = LIMIT) -> list[Pick]:
    text = _typed(text)
    if not text:
        return []
    match = Q(code__iexact=text) | Q(name__icontains=text) | Q(code__istartswith=text)
    rows = _exact_first(Jurisdiction.objects.published().filter(match), Q(code__iexact=text))
    return [
        Pick(pk, code, f"{name} ({code})")
        for pk, code, name in rows.order_by("exact", "name", "pk").values_list(
            "pk", "code", "name"
        )[:limit]
    ]


FINDERS = {"instrument": instruments, "citation": citations, "jurisdiction": jurisdictions}


# -- the admin's lists --------------------------------------------------------------


def _unselected(rows: QuerySet) -> QuerySet:
    """A ranked search's rows without its vector and snippet in the SELECT: a list shows
    neither, and a headline costs about 2 ms a row. They stay usable as aliases (what
    `QuerySet.alias` makes): the filter and the ordering by rank still read them."""
    rows = rows.all()
    rows.query.set_annotation_mask(set())
    return rows


@dataclass(frozen=True)
class Listed:
    """An admin search's rows to list, and every match (`rows` when not bounded)."""

    rows: QuerySet
    matches: QuerySet


def listed_instruments(text: str, base: QuerySet[Instrument], stop: int | None = None) -> Listed:
    """The admin's search of instruments: the portal's (search.instruments, same matches and
    `rank`); when full text finds nothing (a word typed halfway), titles containing the
    text, through their trigram index.

    `stop`: the list shows no row past it, so only the candidates of its first `stop`
    rows are ranked (search.among_candidates), as the portal's pages are; None ranks
    every match (a list sorted by a column shows any of them)."""
    text = _typed(text)
    exact = search.exactly_named(text)
    ranked = _unselected(search.instruments(text, base, exact=exact))
    if len(text) < SUBSTRING_FROM or ranked.exists():
        if stop is None:
            return Listed(ranked, ranked)
        bounded = search.among_candidates(
            search.instruments(text, base, exact=exact), text, stop, exact
        )
        return Listed(_unselected(bounded), ranked)
    titled = base.filter(title__icontains=text).alias(rank=Value(0.0)).order_by("title")
    return Listed(titled, titled)


def listed_obligations(text: str, base: QuerySet, stop: int | None = None) -> Listed:
    """The admin's search of obligations: the portal's (search.obligations), same `rank`,
    bounded by `stop` as listed_instruments is."""
    text = _typed(text)
    ranked = search.obligations(text, base)
    if stop is None:
        return Listed(_unselected(ranked), _unselected(ranked))
    return Listed(_unselected(search.among_candidates(ranked, text, stop)), _unselected(ranked))
