"""What a client reads: stable ids, filters, as_of, include=, CSV and JSON-LD."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from apps.core.cells import neutralise
from apps.instruments.models import Instrument
from apps.record.services import Why, write

pytestmark = pytest.mark.django_db


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_as_of_shows_the_ai_liability_directive_proposed_then_withdrawn(api):
    url = "/api/v1/instruments/eu-ai-liability-directive/"
    before = api.get(url, {"as_of": "2025-01-01"}).json()
    after = api.get(url, {"as_of": "2025-11-01"}).json()
    assert (before["status"], before["as_of"]) == ("proposed", "2025-01-01")
    assert (after["status"], after["status_since"]) == ("withdrawn", "2025-10-06")


def test_as_of_filters_a_list_by_the_status_on_that_day(api):
    on_day = _ids(api.get("/api/v1/instruments/", {"as_of": "2025-01-01", "status": "proposed"}))
    today = _ids(api.get("/api/v1/instruments/", {"status": "proposed"}))
    assert "eu-ai-liability-directive" in on_day
    assert "eu-ai-liability-directive" not in today


def test_as_of_lists_only_the_obligations_that_applied_that_day(api):
    def keys(day):
        body = api.get("/api/v1/instruments/eu-ai-act/", {"as_of": day, "include": "obligations"})
        return {o["key"] for o in body.json()["obligations"]}

    early, later = keys("2025-03-01"), keys("2027-09-01")
    assert early and early < later  # staged application: more apply later, none drop out


def test_identifier_finds_eo_14110_revoked_by_eo_14148(api):
    found = api.get("/api/v1/instruments/", {"identifier": "eo:14110", "include": "amendments"})
    [order] = found.json()["results"]
    assert (order["id"], order["status"]) == ("us-eo-14110", "revoked")
    revokers = [
        a["source_instrument"] for a in order["amendments"]["incoming"] if a["kind"] == "revokes"
    ]
    assert revokers == ["us-eo-14148"]


def test_ids_and_links_are_stable_names_never_row_numbers(api):
    body = api.get("/api/v1/instruments/eu-ai-act/", {"include": "obligations,parties"}).json()
    assert body["id"] == "eu-ai-act" and body["jurisdiction"] == "EU"
    assert body["url"].endswith("/api/v1/instruments/eu-ai-act/")
    obligation = body["obligations"][0]
    assert obligation["id"] == f"eu-ai-act:{obligation['key']}"
    assert api.get(obligation["url"]).json()["id"] == obligation["id"]


def test_a_member_state_sees_what_binds_it_through_its_memberships(api):
    own = set(_ids(api.get("/api/v1/instruments/", {"jurisdiction": "FR", "page_size": 100})))
    bound = set(
        _ids(
            api.get(
                "/api/v1/instruments/",
                {"jurisdiction": "FR", "jurisdiction_scope": "memberships", "page_size": 100},
            )
        )
    )
    assert "eu-ai-act" in bound and "eu-ai-act" not in own
    assert own <= bound


def test_the_members_scope_adds_what_the_members_issued(api):
    group_only = set(
        _ids(api.get("/api/v1/instruments/", {"jurisdiction": "EU", "page_size": 100}))
    )
    with_members = api.get(
        "/api/v1/instruments/",
        {"jurisdiction": "EU", "jurisdiction_scope": "members", "page_size": 100},
    )
    assert group_only <= set(_ids(with_members))


def test_filters_narrow_by_kind_force_and_addressee(api):
    orders = _ids(api.get("/api/v1/instruments/", {"kind": "executive_order", "page_size": 100}))
    assert "us-eo-14110" in orders and "eu-ai-act" not in orders
    providers = _ids(api.get("/api/v1/instruments/", {"addressee": "provider", "page_size": 100}))
    assert "eu-ai-act" in providers and "us-eo-14110" not in providers
    soft = _ids(api.get("/api/v1/instruments/", {"legal_force": "soft_law", "page_size": 100}))
    assert "eu-ai-act" not in soft and soft


def test_ordering_is_applied(api):
    ids = _ids(api.get("/api/v1/instruments/", {"ordering": "-slug", "page_size": 100}))
    assert ids == sorted(ids, reverse=True)


def test_retired_rows_appear_only_when_asked_for(api):
    act = Instrument.objects.get(slug="us-eo-14110")
    write(
        target="instrument",
        action="retire",
        row=act,
        base_version=act.version,
        why=Why.system("test: retire"),
    )
    assert api.get("/api/v1/instruments/us-eo-14110/").status_code == 404
    assert "us-eo-14110" not in _ids(api.get("/api/v1/instruments/", {"page_size": 100}))
    shown = api.get("/api/v1/instruments/us-eo-14110/", {"retired": "true"}).json()
    assert shown["retired_at"] is not None


def test_json_ld_is_schema_org_legislation_by_accept_header_or_format(api):
    by_header = api.get("/api/v1/instruments/eu-ai-act/", HTTP_ACCEPT="application/ld+json")
    by_format = api.get("/api/v1/instruments/eu-ai-act/", {"format": "jsonld"})
    assert by_header["Content-Type"].startswith("application/ld+json")
    doc = by_header.json()
    assert doc == by_format.json()
    assert doc["@type"] == "Legislation"
    assert "celex:32024R1689" in doc["legislationIdentifier"]
    assert doc["legislationLegalForce"] == "https://schema.org/PartiallyInForce"
    assert doc["sameAs"] == "http://data.europa.eu/eli/reg/2024/1689/oj"


def test_json_ld_links_what_an_instrument_changes(api):
    doc = api.get("/api/v1/instruments/us-eo-14148/", {"format": "jsonld"}).json()
    targets = [link["@id"] for link in doc["legislationChanges"]]
    assert any(t.endswith("/api/v1/instruments/us-eo-14110/") for t in targets)


def test_csv_lists_every_row_of_the_page_with_a_header(api):
    response = api.get("/api/v1/instruments/", {"format": "csv", "page_size": 5})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 5 and rows[0]["id"]
    assert 'rel="next"' in response["Link"]


def test_csv_neutralises_cells_a_spreadsheet_would_run(api):
    act = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=act,
        values={"summary": '=HYPERLINK("http://evil.example","x")'},
        base_version=act.version,
        why=Why.system("test: hostile text"),
    )
    response = api.get("/api/v1/instruments/", {"format": "csv", "identifier": "celex:32024R1689"})
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["summary"].startswith("'=HYPERLINK")
    assert [neutralise(c) for c in ("+1", "-1", "@x", "ok")] == ["'+1", "'-1", "'@x", "ok"]


def test_every_list_answers_csv(api):
    for resource in ("jurisdictions", "instruments", "obligations", "amendments", "coverage"):
        response = api.get(f"/api/v1/{resource}/", {"format": "csv"})
        assert response.status_code == 200, resource
        assert response["Content-Type"].startswith("text/csv"), resource


def test_compare_sets_jurisdictions_side_by_side(api):
    body = api.get("/api/v1/compare/", {"jurisdictions": "EU,CN"}).json()
    eu, cn = body["jurisdictions"]
    assert (eu["id"], cn["id"]) == ("EU", "CN")
    assert "eu-ai-act" in eu["binding_in_force"]
    assert eu["maximum_penalties"]["amounts"]["EUR"] == "35000000"
    assert eu["maximum_penalties"]["turnover_percent"] == "7"
    assert eu["obligations_by_addressee"]["provider"] >= 1


def test_coverage_tells_no_law_from_not_tracked(api):
    rows = api.get("/api/v1/coverage/", {"page_size": 100}).json()["results"]
    by_code = {row["id"]: row for row in rows}
    assert by_code["EU"]["coverage"] == "in_depth" and by_code["EU"]["binding_count"] > 0
    assert any(r["coverage"] == "not_tracked" for r in rows)


def test_search_ranks_a_title_match_first_and_finds_by_identifier(api):
    hits = api.get("/api/v1/search/", {"q": "artificial intelligence act"}).json()
    assert hits["instruments"][0]["id"] == "eu-ai-act"
    by_number = api.get("/api/v1/search/", {"q": "32024R1689"}).json()
    assert by_number["instruments"][0]["id"] == "eu-ai-act"


def test_search_finds_a_chinese_title(api):
    hits = api.get("/api/v1/search/", {"q": "个人信息保护法"}).json()
    assert "cn-pipl" in [h["id"] for h in hits["instruments"]]


def test_compare_answers_the_portals_crosswalk_with_each_rows_resource(
    api, client, django_user_model
):
    body = api.get("/api/v1/compare/", {"jurisdictions": "EU,US"}).json()
    eu, us = body["jurisdictions"]
    penalty = eu["crosswalk"]["penalty"]
    assert penalty["question"] == "Highest penalty and its source" and penalty["found"]
    first = penalty["items"][0]
    assert first["text"].startswith("EUR 35 million") and first["source_url"].startswith("http")
    assert "/api/v1/obligations/eu-ai-act:" in first["url"]
    assert api.get(first["url"]).status_code == 200
    # The portal's page shows the same answers: one reading for both.
    client.force_login(django_user_model.objects.create_user("r", "r@example.org", "pw-r-12345"))
    page = client.get("/compare/", {"j": ["EU", "US"]}).content.decode()
    row = re.search(r'<tr id="q-pending">(.*?)</tr>', page, re.S).group(1)
    us_cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1]
    shown = [html.unescape(t) for t in re.findall(r'<li><a href="[^"]+">([^<]+)</a>', us_cell)]
    assert shown and shown == [i["text"] for i in us["crosswalk"]["pending"]["items"]]
