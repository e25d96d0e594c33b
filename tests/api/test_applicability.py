"""GET /api/v1/applicability/: the contract clients build on (the rules themselves are
tests/reading/test_applicability.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/applicability/"
GPAI_PROVIDER = {"market": "DE", "role": "provider", "risk_tier": "gpai", "on": "2025-09-01"}


def test_it_answers_three_lists_with_each_duty_its_ids_dates_penalties_citations_and_why(api):
    body = api.get(URL, GPAI_PROVIDER).json()

    assert set(body) == {"on", "markets", "applicable", "may_apply", "upcoming"}
    assert body["on"] == "2025-09-01"
    assert {"DE", "EU"} <= set(body["markets"])
    [gpai] = [
        i for i in body["applicable"] if i["id"].endswith(":article-53-gpai-provider-obligations")
    ]
    assert gpai["instrument"] == "eu-ai-act"
    assert gpai["applies_from"] == "2025-08-02"
    assert gpai["reached_because"] == "DE is a member of European Union"
    assert "role: provider" in gpai["why"] and gpai["missing"] == []
    assert gpai["citations"] and gpai["url"].endswith(f"/api/v1/obligations/{gpai['id']}/")
    fines = [i for i in body["applicable"] if i["penalties"]]
    assert fines and "max_amount" in fines[0]["penalties"][0]


def test_upcoming_lists_what_starts_within_twelve_months_with_its_date(api):
    body = api.get(URL, {**GPAI_PROVIDER, "on": "2025-03-01"}).json()
    starts = {(c["obligation"]["id"], c["change"], c["date"]) for c in body["upcoming"]}
    assert ("eu-ai-act:article-53-gpai-provider-obligations", "starts", "2025-08-02") in starts


def test_a_blank_role_is_may_apply_naming_the_missing_fact(api):
    body = api.get(URL, {"market": "DE", "risk_tier": "gpai", "on": "2025-09-01"}).json()
    assert body["applicable"] == [] or all(i["missing"] == [] for i in body["applicable"])
    assert body["may_apply"] and all("role" in i["missing"] for i in body["may_apply"])


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"on": "2025-13-01"}, "on"),
        ({"market": "ATLANTIS"}, "market"),
        ({"role": "wizard"}, "role"),
        ({"risk_tier": "unbearable"}, "risk_tier"),
        ({"sector": "piracy"}, "sector"),
        ({"annual_revenue_usd": "lots"}, "annual_revenue_usd"),
        ({"training_compute_flop": "-1"}, "training_compute_flop"),
        ({"training_compute_flop": "NaN"}, "training_compute_flop"),
        ({"users": "2.5"}, "users"),
        ({"employees": "1e99"}, "employees"),
        ({"sme": "maybe"}, "sme"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_problem_document_naming_the_parameter(api, params, parameter):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert parameter in {e["parameter"] for e in response.json()["errors"]}


def test_without_a_key_it_is_refused_like_every_read(anonymous):
    assert anonymous.get(URL, GPAI_PROVIDER).status_code in (401, 403)


def test_a_key_without_the_read_scope_is_refused(client_org):
    from rest_framework.test import APIClient

    from apps.api import keys

    _, secret = keys.issue(client_org, "hooks", ["webhooks"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(URL, GPAI_PROVIDER).status_code == 403


def test_its_query_count_is_pinned_whatever_the_number_of_duties(api, django_assert_num_queries):
    api.get(URL, GPAI_PROVIDER)  # key lookup and throttle state warmed
    wide = {"market": ["DE", "FR", "US-CA", "CN"], "role": ["provider", "deployer"]}
    with django_assert_num_queries(11):
        body = api.get(URL, {**wide, "on": "2026-09-01"}).json()
    assert len(body["applicable"]) + len(body["may_apply"]) > 10
