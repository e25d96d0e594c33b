"""Queries per request do not grow with the page: every include is prefetched."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

ALL = {
    "instruments": "identifiers,events,parties,obligations,amendments,citations",
    "jurisdictions": "members,member_of,citations",
    "obligations": "penalties,citations",
    "amendments": "citations",
}


def _count(api, url, params) -> int:
    api.get("/api/v1/coverage/", {"page_size": 1})  # the key's first use writes last_used_at
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)


# Pinned: authentication (1), the count, the page, then one query per include
# (instruments: identifiers, events, parties, obligations + penalties + citations,
# amendments both ways + their citations, citations).
@pytest.mark.parametrize(
    ("resource", "pinned"),
    [("instruments", 14), ("jurisdictions", 6), ("obligations", 5), ("amendments", 4)],
)
def test_queries_stay_constant_from_10_to_100_rows_with_every_include(api, resource, pinned):
    url = f"/api/v1/{resource}/"
    small = _count(api, url, {"page_size": 10, "include": ALL[resource]})
    large = _count(api, url, {"page_size": 100, "include": ALL[resource]})
    assert small == large == pinned


def test_as_of_on_a_page_costs_a_fixed_number_of_queries(api):
    # Both pages start with the AI Act, so both have obligations, penalties and
    # citations to load (Django skips a prefetch whose outer set is empty).
    params = {"as_of": "2025-09-01", "include": "obligations", "jurisdiction": "EU"}
    small = _count(api, "/api/v1/instruments/", {**params, "page_size": 2, "ordering": "slug"})
    large = _count(api, "/api/v1/instruments/", {**params, "page_size": 100, "ordering": "slug"})
    assert small == large


def test_the_changes_feed_costs_one_query_per_kind_of_row_named_not_per_change(api):
    # The key, the page (with cases), then one statement for the stable ids of every
    # row the page names (jurisdictions, instruments, obligations, amendments, citations).
    bound = 3
    assert _count(api, "/api/v1/changes/", {"limit": 10}) <= bound
    assert _count(api, "/api/v1/changes/", {"limit": 1000}) == bound
