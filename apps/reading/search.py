"""Ranked full-text search over the published record: the one search readers use
(the API's search, the portal's search page and watchlists, the desk's lists).

PostgreSQL full text with English stemming ranks instruments by title (and
original-language title) above issuing body and summary, and obligations by
provision above requirement; the weighted vectors are stored, indexed columns
(StoredVector). Queries use websearch syntax ("AI Act" -draft).
Text that full text cannot split into words (Chinese, Japanese, Korean) is
matched as a substring of the titles instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db.models import Case, Expression, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from apps.instruments.models import Identifier, Instrument
from apps.obligations.models import Obligation

CONFIG = "english"
# Marks around matched words in snippets: plain characters, so no reader ever
# has to trust markup built from the record's text.
START, STOP = "«", "»"
_UNSEGMENTED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


_ACRONYM_QUERY = re.compile(r"^[\w .'-]{2,60}$")


def _short_named(text: str) -> Q | None:
    """Instruments whose short name (Instrument.short_names, kept on every save) is
    `text`, case-insensitive; None when `text` cannot be one."""
    text = " ".join(text.lower().split())
    if not _ACRONYM_QUERY.match(text):
        return None
    return Q(short_names__contains=[text])


class StoredVector(Expression):
    """The row's weighted search vector, kept by PostgreSQL in the generated column
    `search_document` (instruments 0008, obligations 0006; the weights are there).

    The column is not a model field, so it is named here against the alias of the
    query's own table, which also holds inside a subquery.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_document", []


@dataclass(frozen=True)
class Results:
    instruments: QuerySet[Instrument]
    obligations: QuerySet[Obligation]


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def instruments(text: str, base: QuerySet[Instrument] | None = None) -> QuerySet[Instrument]:
    rows = base if base is not None else Instrument.objects.published()
    text = text.strip()
    if _UNSEGMENTED.search(text):
        return (
            rows.filter(Q(original_title__icontains=text) | Q(title__icontains=text))
            .annotate(rank=Value(1.0, output_field=FloatField()), snippet=F("original_title"))
            .order_by("title")
        )
    query = _query(text)
    # An exact identifier ("32024R1689") is looked up first, so the match is
    # `document @@ query OR short_names @> ... OR id = ANY(...)`: each side an index.
    named = Q(
        pk__in=sorted(
            Identifier.objects.filter(value__iexact=text).values_list("instrument", flat=True)
        )
    )
    short = _short_named(text)
    if short is not None:
        named |= short
    return (
        rows.annotate(document=StoredVector())
        .filter(Q(document=query) | named)
        .annotate(
            # An exact identifier or short name is as strong as a title match.
            rank=Greatest(SearchRank(F("document"), query), Value(0.0)) + _identifier_boost(named),
            snippet=SearchHeadline(
                "summary",
                query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=10,
            ),
        )
        .order_by("-rank", "title")
    )


def _identifier_boost(owners: Q) -> Case:
    return Case(When(owners, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


def obligations(text: str, base: QuerySet[Obligation] | None = None) -> QuerySet[Obligation]:
    rows = base if base is not None else Obligation.objects.published()
    query = _query(text.strip())
    return (
        rows.select_related("instrument")
        .annotate(document=StoredVector())
        .filter(document=query)
        .annotate(
            rank=SearchRank(F("document"), query),
            snippet=SearchHeadline(
                "requirement", query, config=CONFIG, start_sel=START, stop_sel=STOP, max_words=30
            ),
        )
        .order_by("-rank", "pk")
    )


def ranked_slice(rows: QuerySet, start: int, stop: int) -> list:
    """rows[start:stop] of a ranked search, ordered by ids first: sorting every match
    with only its id and rank is cheap; sorting whole rows (titles, summaries,
    requirements) of thousands of matches spilled to disk (bench/RESULTS.md)."""
    ids = list(rows.values_list("pk", flat=True)[start:stop])
    by_id = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def search(text: str) -> Results:
    return Results(instruments(text), obligations(text))


@dataclass(frozen=True)
class Hits:
    instruments: list[Instrument]
    obligations: list[Obligation]


def hits(text: str, limit: int) -> Hits:
    """The `limit` best instruments and obligations for `text`, each with its `rank`
    and `snippet` (matched words between START and STOP), best first."""
    found = search(text)
    return Hits(
        ranked_slice(found.instruments.select_related(None), 0, limit),
        ranked_slice(found.obligations, 0, limit),
    )
