"""The API says which penalty provisions punish a duty (issue 23), with its penalties:
on the obligation, in the obligation list and in an instrument's obligations, read with
the rows (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.obligations.models import FineLink

pytestmark = pytest.mark.django_db

DUTY = "eu-ai-act:article-16-high-risk-provider-obligations"
GENERAL_FINE = "eu-ai-act:article-99-penalty-other-obligations"


def _get(api, url: str, **params) -> dict:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_obligation_names_the_fine_that_punishes_it_with_its_penalties(api):
    body = _get(api, f"/api/v1/obligations/{DUTY}/", include="penalties")
    assert body["punished_by"] == [GENERAL_FINE]
    unlinked = _get(
        api, "/api/v1/obligations/eu-ai-act:article-4-ai-literacy/", include="penalties"
    )
    assert unlinked["punished_by"] == []
    # Only with the penalties, as the other optional parts.
    assert "punished_by" not in _get(api, f"/api/v1/obligations/{DUTY}/")


def test_the_list_and_the_instrument_say_it_for_each_linked_duty(api):
    linked = {
        f"eu-ai-act:{key}" for key in FineLink.objects.values_list("obligation__key", flat=True)
    }
    listed = _get(
        api, "/api/v1/obligations/", instrument="eu-ai-act", include="penalties", page_size=100
    )
    said = {row["id"]: row["punished_by"] for row in listed["results"]}
    assert {i for i, fines in said.items() if fines} == linked
    assert all(fines == [GENERAL_FINE] for i, fines in said.items() if i in linked)
    act = _get(api, "/api/v1/instruments/eu-ai-act/", include="obligations")
    nested = {row["id"]: row["punished_by"] for row in act["obligations"]}
    assert {i for i, fines in nested.items() if fines} == linked & set(nested)


def test_the_list_reads_as_much_with_more_links(api):
    url = "/api/v1/obligations/?instrument=eu-ai-act&include=penalties&page_size=100"
    api.get(url)  # the key's first use costs a query of its own
    with CaptureQueriesContext(connection) as before:
        api.get(url)
    general = FineLink.objects.select_related("fine").first().fine
    FineLink.objects.create(
        obligation=general.instrument.obligations.get(key="article-74-market-surveillance"),
        fine=general,
    )
    with CaptureQueriesContext(connection) as after:
        body = api.get(url).json()
    assert len(after) == len(before)
    row = next(r for r in body["results"] if r["id"].endswith("article-74-market-surveillance"))
    assert row["punished_by"] == [GENERAL_FINE]
