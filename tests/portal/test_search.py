"""Search as readers use it: short names, other scripts, facets, highlighted snippets."""

from __future__ import annotations

import re

import pytest

from apps.instruments.models import Instrument
from apps.instruments.names import acronyms
from apps.record.services import Why, write

pytestmark = pytest.mark.django_db


def _slugs(client, **params) -> list[str]:
    html = client.get("/search/", params).content.decode()
    return re.findall(r'href="/instruments/([^/"]+)/"', html)


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("AILD", "eu-ai-liability-directive"),
        ("aild", "eu-ai-liability-directive"),
        ("AI Act", "eu-ai-act"),
        ("GDPR", "eu-gdpr"),
        ("DPDP", "in-dpdp-act-2023"),
        ("PIPL", "cn-pipl"),
        ("个人信息保护法", "cn-pipl"),
        ("32024R1689", "eu-ai-act"),
        ("liability", "eu-ai-liability-directive"),
    ],
)
def test_readers_find_an_instrument_by_what_they_call_it(signed_in, query, slug):
    assert slug in _slugs(signed_in, q=query)[:3]


def test_short_names_come_from_titles_and_their_parentheses():
    title = "Proposal for a Directive on ... artificial intelligence (AI Liability Directive)"
    assert "AILD" in acronyms(title)
    assert "DPDP" in acronyms("Digital Personal Data Protection Act, 2023")
    assert "PIPL" in acronyms(
        "Personal Information Protection Law of the People's Republic of China"
    )


def test_stemming_finds_other_forms_of_a_word(signed_in):
    assert "eu-ai-liability-directive" in _slugs(signed_in, q="liabilities")


def test_a_facet_narrows_and_counts_what_each_choice_leaves(signed_in):
    html = signed_in.get("/search/", {"q": "act"}).content.decode()
    match = re.search(r'jurisdiction=EU">European Union</a>\s*<span class="count">\((\d+)\)', html)
    assert match, "the European Union is offered with its count"
    narrowed = signed_in.get("/search/", {"q": "act", "jurisdiction": "EU"}).content.decode()
    shown = re.search(r"(\d+) instruments? for", narrowed)
    assert shown and shown.group(1) == match.group(1)


def test_snippets_mark_matches_and_escape_the_record(signed_in):
    act = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=act,
        values={"summary": 'Liability <script>alert("x")</script> rules for providers.'},
        base_version=act.version,
        why=Why.system("test: markup in a summary"),
    )
    html = signed_in.get("/search/", {"q": "liability"}).content.decode()
    assert "<mark>Liability</mark>" in html
    assert "<script>alert" not in html


def test_a_renamed_instrument_is_found_by_its_new_names_and_not_its_old_ones(signed_in):
    directive = Instrument.objects.get(slug="eu-ai-liability-directive")
    write(
        target="instrument",
        row=directive,
        values={"title": "Directive on Machine Harm Compensation (Machine Harm Directive)"},
        base_version=directive.version,
        why=Why.system("test: a renamed instrument"),
    )

    assert "eu-ai-liability-directive" in _slugs(signed_in, q="MHD")[:1]
    assert "eu-ai-liability-directive" in _slugs(signed_in, q="compensation")[:3]
    assert "eu-ai-liability-directive" not in _slugs(signed_in, q="AILD")


def test_search_urls_are_shareable_and_paged(signed_in):
    first = signed_in.get("/search/", {"sort": "title"}).content.decode()
    assert 'rel="next"' in first
    second = _slugs(signed_in, sort="title", page=2)
    assert second and second[0] not in _slugs(signed_in, sort="title")


def test_htmx_requests_get_only_the_results(signed_in):
    response = signed_in.get("/search/", {"q": "act"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'class="layout-search"' in html


def test_a_substring_match_of_a_chinese_title_is_served_by_the_trigram_index():
    """The search's own expression (UPPER(original_title) LIKE ...) finds its index."""
    from django.db import connection

    from apps.instruments.models import Instrument

    rows = Instrument.objects.filter(original_title__icontains="个人信息保护法").values("pk")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "instrument_original_title_trgm" in plan


def _year_counts(client, **params) -> dict[str, int]:
    html = client.get("/search/", params).content.decode()
    return {
        y: int(n)
        for y, n in re.findall(r'year=(\d{4})">\d{4}</a>\s*<span class="count">\((\d+)\)', html)
    }


def test_the_year_facet_follows_the_first_event_written_through_a_case(signed_in):
    from apps.record import rows

    act = Instrument.objects.get(slug="eu-ai-act")
    before = _year_counts(signed_in, q="AI Act")
    first_year = str(act.first_event_on.year)
    assert before.get(first_year), "the AI Act counts under the year of its first event"
    events = rows.snapshot("instrument", act)["events"]
    earlier = {**events[0], "kind": "proposed", "date": "2016-03-01", "citations": []}
    write(
        target="instrument",
        row=act,
        values={"events": [earlier, *events]},
        base_version=act.version,
        why=Why.system("test: an earlier event"),
    )

    after = _year_counts(signed_in, q="AI Act")
    assert after.get("2016") == before.get("2016", 0) + 1
    assert after.get(first_year, 0) == before[first_year] - 1
    assert "eu-ai-act" in _slugs(signed_in, q="AI Act", year="2016")


def test_a_search_narrows_another_query_as_its_subquery():
    from apps.obligations.models import Obligation
    from apps.reading import search

    found = search.instruments("liability")
    narrowed = Instrument.objects.filter(pk__in=found.values("pk"))
    assert narrowed.count() == found.count() > 0
    matching = search.obligations("providers")
    assert matching.exists()
    assert Obligation.objects.filter(pk__in=matching.values("pk")).count() == matching.count()
    assert Instrument.objects.filter(obligations__in=matching.values("pk")).exists()
