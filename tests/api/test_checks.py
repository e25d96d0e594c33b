"""Each row's check state and each jurisdiction's "current as of", through the API, for
every kind of caller and every state of the row (issue 30)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases import services
from apps.cases.models import State
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import services as record
from tests.helpers import move

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 2)


def _check(row, user, target="instrument"):
    return record.verify(
        target=target,
        row=row,
        citation=Citation.objects.get(key="eurlex-eli-reg-2024-1689"),
        checked_on=DAY,
        locator="Article 113",
        states="Entry into force and the dates of application.",
        user=user,
    )


def test_an_unchecked_seed_row_says_so_and_claims_no_date(api):
    body = api.get("/api/v1/instruments/eu-ai-act/").json()
    assert body["last_verified_on"] is None
    assert body["check"] == {
        "state": "not_checked_since_seed",
        "checked_on": None,
        "citation": None,
    }
    singapore = api.get("/api/v1/jurisdictions/SG/").json()  # not swept by issue 30
    assert singapore["current_as_of"] is None
    assert singapore["check"]["state"] == "not_checked_since_seed"


def test_a_checked_row_names_the_day_and_the_citation_with_its_locator(api, cast):
    _check(Instrument.objects.get(slug="eu-ai-act"), cast["editor"])
    _check(Jurisdiction.objects.get(code="EU"), cast["editor"], target="jurisdiction")
    for url in ("/api/v1/instruments/eu-ai-act/", "/api/v1/jurisdictions/EU/"):
        check = api.get(url).json()["check"]
        assert check["state"] == "checked" and check["checked_on"] == "2026-12-02"
        assert check["citation"]["key"] == "eurlex-eli-reg-2024-1689"
        assert check["citation"]["locator"] == "Article 113"
    cited = api.get("/api/v1/instruments/eu-ai-act/?include=citations").json()["citations"]
    eli = next(c for c in cited if c["key"] == "eurlex-eli-reg-2024-1689")
    assert eli["locator"] == "Article 113" and eli["accessed_on"] == "2026-12-02"
    assert eli["states"] == "Entry into force and the dates of application."


def test_an_editors_row_never_checked_says_never(api):
    Jurisdiction.objects.filter(code="NZ").update(provenance="editorial")
    assert api.get("/api/v1/jurisdictions/NZ/").json()["check"]["state"] == "never_checked"


def test_current_as_of_is_served_once_published_and_not_while_proposed(api, cast):
    singapore = Jurisdiction.objects.get(code="SG")  # not swept by issue 30
    case = services.case_open(title="Sweep SG", kind="correction", created_by=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="jurisdiction",
        action="update",
        row=singapore,
        values={"current_as_of": "2026-11-30"},
    )
    assert api.get("/api/v1/jurisdictions/SG/").json()["current_as_of"] is None  # in a case
    case = move(case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=case, reviewer=cast["reviewer"])
    assert api.get("/api/v1/jurisdictions/SG/").json()["current_as_of"] == "2026-11-30"


def test_a_check_cannot_be_proposed_in_a_case(cast):
    case = services.case_open(title="Stamp", kind="correction", created_by=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    with pytest.raises(Exception, match="recording a check"):
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=Instrument.objects.get(slug="eu-ai-act"),
            values={"last_verified_on": "2026-12-01"},
        )


def test_anonymous_callers_see_neither_field_without_anonymous_read(anonymous, settings):
    settings.API_ANONYMOUS_READ = False
    response = anonymous.get("/api/v1/jurisdictions/KR/")
    assert response.status_code in (401, 403)
    assert "current_as_of" not in response.content.decode()


def test_checked_rows_cost_no_more_queries_than_unchecked_ones(api, cast):
    url = "/api/v1/instruments/?page_size=100&include=citations"
    api.get(url)  # the key's last use is stamped on the first request
    with CaptureQueriesContext(connection) as unchecked:
        before = api.get(url).json()["results"]
    # Ten rows of the page that no check stands behind yet (the seed stamps some).
    was_checked = sum(r["check"]["state"] == "checked" for r in before)
    slugs = [r["id"] for r in before if r["check"]["state"] != "checked"][:10]
    for row in Instrument.objects.filter(slug__in=slugs):
        _check(row, cast["editor"])
    with CaptureQueriesContext(connection) as checked:
        rows = api.get(url).json()["results"]
    assert sum(r["check"]["state"] == "checked" for r in rows) == was_checked + 10
    assert len(checked) == len(unchecked)
