"""The desk's verification queue, and recording a check from it (issue 30)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.cases.models import Case
from apps.cases.verification import queue
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import services as record
from apps.record.models import AppliedChange, Origin, Verification
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

URL = "/admin/cases/case/verification/"


def _check(row, user, day=None, target="instrument"):
    return record.verify(
        target=target,
        row=row,
        citation=Citation.objects.get(key="eurlex-eli-reg-2024-1689"),
        checked_on=day or timezone.localdate(),
        locator="Article 113",
        states="Entry into force and the dates of application.",
        user=user,
    )


def _listed(kind: str) -> dict[str, tuple[str, ...]]:
    key = "slug" if kind == "instruments" else "code"
    return {getattr(d.row, key): d.reasons for d in queue()[kind]}


def test_it_is_a_page_of_the_cases_admin_linked_from_the_desk(client, cast):
    assert reverse("admin:cases_case_verification") == URL
    client.force_login(cast["editor"])
    assert URL in client.get("/admin/").content.decode()


def test_rows_never_checked_are_listed_saying_what_the_record_knows(cast):
    korea = _listed("jurisdictions")["KR"]
    assert "not checked since the seed" in korea


def test_a_fresh_check_takes_a_row_off_and_one_older_than_180_days_puts_it_back(cast):
    korea = Jurisdiction.objects.get(code="KR")
    _check(korea, cast["editor"], target="jurisdiction")
    assert "KR" not in _listed("jurisdictions")

    old = timezone.localdate() - dt.timedelta(days=181)
    Jurisdiction.objects.filter(pk=korea.pk).update(last_verified_on=old)
    assert any("over 180 days ago" in r for r in _listed("jurisdictions")["KR"])


def test_an_instrument_watched_through_a_paused_or_broken_source_is_listed(cast):
    source = Source.objects.filter(instruments__isnull=False).first()
    act = source.instruments.first()
    _check(act, cast["editor"])
    assert "its watched source is paused" in _listed("instruments")[act.slug]

    Source.objects.filter(instruments=act).update(active=True, broken_since=None)
    assert act.slug not in _listed("instruments")
    Source.objects.filter(pk=source.pk).update(broken_since=timezone.now())
    assert "its watched source is broken" in _listed("instruments")[act.slug]


def test_an_instrument_waiting_past_its_next_step_is_listed_even_when_checked(cast):
    today = timezone.localdate()
    act = Instrument.objects.get(slug="eu-ai-act")
    Source.objects.filter(instruments=act).update(active=True)
    _check(act, cast["editor"])
    # Adopted and not in force, though its prohibitions apply from 2 February 2025.
    Instrument.objects.filter(pk=act.pk).update(status="adopted", status_since=today)
    reasons = _listed("instruments")["eu-ai-act"]
    assert reasons == ("adopted, not in force, though a duty applies from 2 Feb 2025",)
    # Proposed for over a year: adoption was expected.
    Instrument.objects.filter(pk=act.pk).update(
        status="proposed", status_since=today - dt.timedelta(days=400)
    )
    assert "adoption was expected within a year" in _listed("instruments")["eu-ai-act"][0]
    Instrument.objects.filter(pk=act.pk).update(status_since=today - dt.timedelta(days=30))
    assert "eu-ai-act" not in _listed("instruments")


def test_the_queue_takes_two_queries_and_its_page_a_fixed_number_however_many_rows(
    client, cast, django_assert_num_queries
):
    with django_assert_num_queries(2):
        queue()
    client.force_login(cast["editor"])
    client.get(URL)  # the header's desk counts are cached after the first page
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    listed = sum(len(rows) for rows in queue().values())
    for row in Instrument.objects.all()[:5]:
        _check(row, cast["editor"], day=timezone.localdate() - dt.timedelta(days=200))
    Source.objects.update(active=True, broken_since=timezone.now())
    with CaptureQueriesContext(connection) as after:
        page = client.get(URL).content.decode()
    assert len(after) == len(before) == 6  # session, user, groups, permissions, the queue
    assert "its watched source is broken" in page and listed > 100


def test_one_click_opens_a_case_and_the_check_recorded_there_needs_no_reviewer(client, cast):
    act = Instrument.objects.get(slug="eu-ai-act")
    client.force_login(cast["editor"])
    response = client.post(
        reverse("admin:instruments_instrument_propose", args=[act.pk]),
        {"target": "instrument", "purpose": "verify"},
    )
    case = Case.objects.latest("pk")
    assert case.title == f"Verify or correct {act}" and case.assignee == cast["editor"]
    verify_url = reverse("admin:instruments_instrument_verify", args=[act.pk])
    assert response["Location"] == f"{verify_url}?case={case.pk}"
    form = client.get(response["Location"]).content.decode()
    assert "propose a correction in case" in form

    eli = Citation.objects.get(key="eurlex-eli-reg-2024-1689")
    done = client.post(
        verify_url,
        {
            "case": case.pk,
            "citation": eli.pk,
            "checked_on": timezone.localdate().isoformat(),
            "locator": "Article 113",
            "states": "Entry into force on the twentieth day after publication.",
        },
    )
    assert done.status_code == 302
    act.refresh_from_db()
    assert act.last_verified_on == timezone.localdate() and act.verified_against == eli
    check = Verification.objects.get()
    assert check.case == case and check.checked_by == cast["editor"]
    assert AppliedChange.objects.filter(origin=Origin.VERIFY, row_id=act.pk).exists()
    case.refresh_from_db()
    assert case.state != "published"  # nothing waited for a reviewer


def test_the_check_form_refuses_a_check_without_locator_or_statement_and_says_why(client, cast):
    act = Instrument.objects.get(slug="eu-ai-act")
    client.force_login(cast["editor"])
    url = reverse("admin:instruments_instrument_verify", args=[act.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = client.post(url, {"checked_on": tomorrow.isoformat()}).content.decode()
    assert "Name the citation" in page
    assert "where in the source the fact stands" in page
    assert "in your own words" in page.lower() or "own words" in page
    assert "is in the future" in page
    assert not Verification.objects.exists()


@pytest.mark.parametrize("url", [URL, "/admin/instruments/instrument/1/verify/"])
def test_staff_without_an_editorial_role_may_not_check_rows(client, cast, url):
    client.force_login(cast["staff"])
    assert client.get(url).status_code == 403
