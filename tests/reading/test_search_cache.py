"""Searches kept under the record's version (apps.reading.cache): the portal's page
and the API's hits repeated are one read of their rows, and a publication is seen
by the very next search."""

from __future__ import annotations

import pytest

from apps.instruments.models import Instrument
from apps.reading import facets, search
from apps.record.services import Why, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept_answers(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.READ_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()


def _page(q: str) -> tuple:
    page = facets.run(q, {"legal_force": "binding"}, "", 1)
    rows = [(r.slug, r.rank, r.snippet, r.jurisdiction.name) for r in page.rows]
    return rows, page.total, page.pages, [(f.name, f.chosen, f.options) for f in page.facets]


def test_a_repeated_search_page_is_the_same_page_from_two_queries(django_assert_max_num_queries):
    first = _page("AI Act")
    with django_assert_max_num_queries(2):  # the record's version; the rows by id
        second = _page("AI Act")
    assert second == first
    assert first[0][0][0] == "eu-ai-act"


def test_repeated_hits_are_the_same_hits_from_three_queries(django_assert_max_num_queries):
    first = search.hits("providers", 5)
    with django_assert_max_num_queries(3):  # the version; instruments; obligations
        second = search.hits("providers", 5)
    for a, b in ((first.instruments, second.instruments), (first.obligations, second.obligations)):
        assert [(r.pk, r.rank, r.snippet) for r in a] == [(r.pk, r.rank, r.snippet) for r in b]
    assert second.obligations[0].instrument.title  # read with its instrument


def test_a_publication_is_seen_by_the_next_search():
    before = search.hits("AILD", 1).instruments[0]
    directive = Instrument.objects.get(pk=before.pk)
    write(
        target="instrument",
        row=directive,
        values={"summary": "A withdrawn proposal on civil liability for harm from AI."},
        base_version=directive.version,
        why=Why.system("test: a new summary"),
    )
    after = search.hits("AILD", 1).instruments[0]
    assert "withdrawn proposal" not in before.snippet
    assert after.snippet.startswith("A withdrawn proposal")
    assert _page("withdrawn proposal")[0][0][0] == "eu-ai-liability-directive"
