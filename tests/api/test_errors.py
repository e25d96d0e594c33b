"""One error format: every bad parameter gets problem+json naming it, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/api/v1/instruments/", {"status": "nearly"}, "status"),
        ("/api/v1/instruments/", {"as_of": "2025-13-40"}, "as_of"),
        ("/api/v1/instruments/", {"updated_since": "yesterday"}, "updated_since"),
        ("/api/v1/instruments/", {"page_size": "1000"}, "page_size"),
        ("/api/v1/instruments/", {"page_size": "-3"}, "page_size"),
        ("/api/v1/instruments/", {"include": "everything"}, "include"),
        ("/api/v1/instruments/", {"colour": "blue"}, "colour"),
        ("/api/v1/instruments/", {"identifier": "14110"}, "identifier"),
        ("/api/v1/instruments/", {"jurisdiction_scope": "galaxy"}, "jurisdiction_scope"),
        ("/api/v1/instruments/", {"ordering": "secret"}, "ordering"),
        ("/api/v1/instruments/", {"retired": "maybe"}, "retired"),
        ("/api/v1/instruments/eu-ai-act/", {"as_of": "soon"}, "as_of"),
        ("/api/v1/instruments/eu-ai-act/", {"status": "in_force"}, "status"),
        ("/api/v1/obligations/", {"pillar": "vibes"}, "pillar"),
        ("/api/v1/amendments/", {"effective_from": "2025/01/01"}, "effective_from"),
        ("/api/v1/changes/", {"after": "-1"}, "after"),
        ("/api/v1/changes/", {"kind": "case"}, "kind"),
        ("/api/v1/search/", {}, "q"),
        ("/api/v1/compare/", {"jurisdictions": "EU"}, "jurisdictions"),
        ("/api/v1/compare/", {"jurisdictions": "EU,ATLANTIS"}, "jurisdictions"),
        ("/api/v1/snapshots/", {"include": "files"}, "include"),
        ("/api/v1/snapshots/", {"page_size": "1000"}, "page_size"),
    ],
)
def test_a_bad_parameter_is_named_in_a_problem_document(api, url, params, parameter):
    response = api.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["title"] and body["type"]
    assert [e["parameter"] for e in body["errors"]] == [parameter]
    assert body["errors"][0]["message"]


def test_errors_are_problem_json_even_when_csv_was_asked_for(api):
    response = api.get("/api/v1/instruments/", {"format": "csv", "status": "nearly"})
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_id_is_a_404_problem(api):
    response = api.get("/api/v1/instruments/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "no-such-thing" in response.json()["detail"]


def test_an_unknown_path_under_the_api_is_a_404_problem(anonymous):
    response = anonymous.get("/api/v2/instruments/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_writing_is_refused_with_a_problem(api):
    response = api.post("/api/v1/instruments/", {"title": "x"}, format="json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("since", "all_rows"),
    [
        ("2000-01-01T00:00:00+18:50", True),  # an offset ISO 8601 allows, PostgreSQL refuses
        ("4915-09-06T01:16:36-23:59", False),
        ("9999-12-31T23:00:00-05:00", False),  # past year 9999 in UTC
        ("0001-01-01T00:00:00+05:00", True),  # before year 1 in UTC
    ],
)
def test_updated_since_with_any_offset_is_answered_in_utc(api, since, all_rows):
    everything = api.get("/api/v1/jurisdictions/", {"page_size": 100}).json()["count"]

    response = api.get("/api/v1/jurisdictions/", {"updated_since": since, "page_size": 100})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == (everything if all_rows else 0)


# Issue 24, items 4 and 5: PostgreSQL refuses text holding NUL, so such input must be
# refused before a query is made, and an address with a newline is still an address.
NUL_ADDRESSES = [
    "/api/v1/instruments/?q=a%00b",
    "/api/v1/instruments/?jurisdiction=E%00U",
    "/api/v1/instruments/eu-ai-act%00/",
    "/api/v1/jurisdictions/E%00U/",
    "/api/v1/obligations/eu-ai-act:x%00/",
    "/api/v1/amendments/a%00/",
    "/api/v1/search/?q=a%00",
    "/api/v1/compare/?jurisdiction=EU&jurisdiction=U%00S",
    "/api/v1/changes/?after=1%00",
    "/api/v1/applicability/?market=D%00E",
    "/api/v1/instruments/?a%00=1",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_a_nul_character_is_a_problem_document_not_a_server_error(api, address):
    response = api.get(address)

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


def test_a_nul_in_a_json_body_is_refused_before_it_is_stored(api):
    response = api.post(
        "/api/v1/webhooks/",
        data='{"url": "https://example.org/\\u0000"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "body"


def test_an_address_with_a_newline_is_an_unknown_address_as_a_problem_document(api):
    response = api.get("/api/v1/webhooks/abc%0A/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
