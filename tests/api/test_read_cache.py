"""Reads of the published record answered from the read cache (apps/api/kept.py): the
same bytes and validators as the answer they repeat, a publication seen by the very
next request, and nothing kept that depends on who asks or that was refused."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.api import keys
from apps.api.models import ApiClient
from apps.instruments.models import Instrument
from tests.helpers import write

pytestmark = pytest.mark.django_db

LIST = "/api/v1/instruments/"
ACT = "/api/v1/instruments/eu-ai-act/"


@pytest.fixture(autouse=True)
def kept_reads(settings):
    settings.READ_CACHE_SECONDS = 60


def _keyed(name: str, scopes: list[str]) -> APIClient:
    org = ApiClient.objects.create(name=name, contact_email=f"it@{name.lower()}.example")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys.issue(org, 'sync', scopes)[1]}")
    return client


def test_a_repeated_read_is_answered_from_the_cache_with_the_same_bytes_and_etag(
    api, django_assert_max_num_queries
):
    api.get("/api/v1/jurisdictions/")  # the key's lookup and the throttle warmed
    first = api.get(LIST, {"include": "obligations", "page_size": 5})
    # The key's lookup (its last use is kept without a write) and the record's version.
    with django_assert_max_num_queries(2):
        second = api.get(LIST, {"include": "obligations", "page_size": 5})

    assert (first["X-Read-Cache"], second["X-Read-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == first["Cache-Control"]
    assert [row["id"] for row in second.json()["results"]] == [
        row["id"] for row in first.json()["results"]
    ]
    revalidated = api.get(
        LIST, {"include": "obligations", "page_size": 5}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert revalidated.status_code == 304


def test_a_publication_is_seen_by_the_next_read(api):
    before = api.get(ACT)
    write(
        "instrument",
        {"summary": "A summary the editors just published."},
        row=Instrument.objects.get(slug="eu-ai-act"),
    )

    after = api.get(ACT)

    assert after["X-Read-Cache"] == "miss"
    assert before.json()["summary"] != "A summary the editors just published."
    assert after.json()["summary"] == "A summary the editors just published."


@pytest.mark.parametrize(
    ("other", "extra"),
    [
        ({"format": "csv"}, {}),
        ({}, {"HTTP_ACCEPT": "application/ld+json"}),
        ({"as_of": "2024-01-01"}, {}),
    ],
)
def test_another_representation_or_day_is_its_own_answer(api, other, extra):
    plain = api.get(ACT)
    asked = api.get(ACT, other, **extra)

    assert asked.status_code == 200
    assert asked["X-Read-Cache"] == "miss"
    assert asked.content != plain.content


def test_links_follow_the_address_the_read_was_asked_at(api, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    api.get(ACT, HTTP_HOST="testserver")
    other = api.get(ACT, HTTP_HOST="mirror.example.org")

    assert other["X-Read-Cache"] == "miss"
    assert other.json()["url"].startswith("http://mirror.example.org/")


def test_a_kept_answer_is_not_given_to_a_caller_who_may_not_read(api, anonymous):
    assert api.get(LIST)["X-Read-Cache"] == "miss"
    assert api.get(LIST)["X-Read-Cache"] == "hit"

    assert anonymous.get(LIST).status_code in (401, 403)
    assert _keyed("Hooks", ["webhooks"]).get(LIST).status_code == 403


def test_refusals_and_missing_rows_are_never_kept(api):
    for _ in range(2):
        missing = api.get("/api/v1/instruments/no-such-act/")
        unknown = api.get(LIST, {"colour": "blue"})
        assert missing.status_code == 404 and "X-Read-Cache" not in missing
        assert unknown.status_code == 400 and "X-Read-Cache" not in unknown


def test_a_clients_own_webhook_endpoints_are_never_shared_through_the_cache():
    first, second = _keyed("First", ["webhooks"]), _keyed("Second", ["webhooks"])
    made = first.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.first.example/record", "description": "sync"},
        format="json",
    )
    assert made.status_code == 201

    theirs = first.get("/api/v1/webhooks/")
    mine = second.get("/api/v1/webhooks/")

    assert len(theirs.json()["results"]) == 1
    assert mine.json()["results"] == []
    assert "X-Read-Cache" not in mine


def test_a_request_saying_no_cache_is_computed_again_and_kept_anew(api):
    api.get(ACT)
    Instrument.objects.filter(slug="eu-ai-act").update(summary="Changed outside the trail.")

    kept = api.get(ACT)
    fresh = api.get(ACT, HTTP_CACHE_CONTROL="no-cache")
    again = api.get(ACT)

    assert (kept["X-Read-Cache"], fresh["X-Read-Cache"], again["X-Read-Cache"]) == (
        "hit",
        "miss",
        "hit",
    )
    assert kept.json()["summary"] != "Changed outside the trail."
    assert fresh.json()["summary"] == again.json()["summary"] == "Changed outside the trail."
