"""Ranked full-text search over the published record: the one search readers use.

PostgreSQL full text with English stemming ranks instruments by title (and
original-language title) above identifiers above summary, and obligations by
provision above requirement. Queries use websearch syntax ("AI Act" -draft).
Text that full text cannot split into words (Chinese, Japanese, Korean) is
matched as a substring of the titles instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from apps.instruments.models import Identifier, Instrument
from apps.obligations.models import Obligation

CONFIG = "english"
# Marks around matched words in snippets: plain characters, so no reader ever
# has to trust markup built from the record's text.
START, STOP = "«", "»"
_UNSEGMENTED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


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
    vector = (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("original_title", weight="A", config=CONFIG)
        + SearchVector("issuing_body", weight="C", config=CONFIG)
        + SearchVector("summary", weight="C", config=CONFIG)
    )
    by_identifier = Identifier.objects.filter(value__iexact=text).values("instrument")
    return (
        rows.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(Q(document=query) | Q(pk__in=by_identifier))
        .annotate(
            # An exact identifier ("32024R1689", "14179") is as strong as a title match.
            rank=Greatest(F("rank"), Value(0.0)) + _identifier_boost(by_identifier),
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


def _identifier_boost(owners) -> Case:
    return Case(When(pk__in=owners, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


def obligations(text: str, base: QuerySet[Obligation] | None = None) -> QuerySet[Obligation]:
    rows = base if base is not None else Obligation.objects.published()
    query = _query(text.strip())
    vector = SearchVector("provision", weight="A", config=CONFIG) + SearchVector(
        "requirement", weight="B", config=CONFIG
    )
    return (
        rows.select_related("instrument")
        .annotate(document=vector, rank=SearchRank(vector, query))
        .filter(document=query)
        .annotate(
            snippet=SearchHeadline(
                "requirement", query, config=CONFIG, start_sel=START, stop_sel=STOP, max_words=30
            )
        )
        .order_by("-rank", "instrument__title", "provision")
    )


def search(text: str) -> Results:
    return Results(instruments(text), obligations(text))
