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


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_MINOR = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "by", "at"})
_GENERIC_LAST = frozenset({"act", "law"})


def acronyms(title: str) -> set[str]:
    """Short names readers type: "AILD", "GDPR", "DPDP", from a title's words.

    Initials of the title and of each parenthesised part ("(AI Liability
    Directive)" gives AILD); a word already in capitals ("AI") counts whole;
    the initials also without a closing generic word ("Act"), since people say
    "DPDP" for the Digital Personal Data Protection Act.
    """
    found = set()
    bare = title.split("(")[0]
    # "Personal Information Protection Law of the People's Republic of China": PIPL.
    parts = [bare, bare.split(" of ")[0], *re.findall(r"\(([^)]*)\)", title)]
    for part in parts:
        words = [w for w in _WORD.findall(part) if w.lower() not in _MINOR]
        if len(words) < 2:
            continue
        letters = "".join(w if w.isupper() and len(w) <= 4 else w[0].upper() for w in words)
        found.add(letters)
        if words[-1].lower() in _GENERIC_LAST and len(words) > 2:
            found.add(letters[: -len(words[-1]) if words[-1].isupper() else -1])
    return {a for a in found if len(a) >= 3}


def short_names(title: str) -> set[str]:
    """Everything a reader may call an instrument besides its title, lower-cased.

    Its initialisms, its parenthesised name ("General Data Protection
    Regulation") and that name with "artificial intelligence" said the way
    people say it ("AI Act").
    """
    names = {a.lower() for a in acronyms(title)}
    for part in re.findall(r"\(([^)]*)\)", title):
        name = " ".join(part.lower().split())
        if len(name) >= 3 and not name.isdigit():
            names.add(name)
            names.add(name.replace("artificial intelligence", "ai"))
    return names


_ACRONYM_QUERY = re.compile(r"^[\w .'-]{2,60}$")
_acronym_cache: dict[str, object] = {"key": None, "index": {}}


def by_acronym(text: str) -> list[int]:
    """Ids of published instruments whose short name is `text` (case-insensitive)."""
    text = " ".join(text.lower().split())
    if not _ACRONYM_QUERY.match(text):
        return []
    from apps.cases.models import AppliedChange

    # Rebuilt only when the record changed since (the audit trail's newest id).
    key = AppliedChange.objects.order_by("-id").values_list("id", flat=True).first()
    if _acronym_cache["key"] != key:
        index: dict[str, list[int]] = {}
        for pk, title, original in Instrument.objects.published().values_list(
            "pk", "title", "original_title"
        ):
            for short in short_names(title) | short_names(original):
                index.setdefault(short, []).append(pk)
        _acronym_cache.update(key=key, index=index)
    return list(_acronym_cache["index"].get(text, []))


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
    by_identifier = Q(pk__in=Identifier.objects.filter(value__iexact=text).values("instrument"))
    short_named = by_acronym(text)
    if short_named:
        by_identifier |= Q(pk__in=short_named)
    return (
        rows.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(Q(document=query) | by_identifier)
        .annotate(
            # An exact identifier ("32024R1689", "14179") or short name ("AILD") is
            # as strong as a title match.
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


def _identifier_boost(owners: Q) -> Case:
    return Case(When(owners, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


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
