"""Each row's check state and each jurisdiction's "current as of" on the portal, for
readers and editors, published and while proposed (issue 30)."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.cases import services
from apps.cases.models import State
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import services as record
from tests.helpers import move

pytestmark = pytest.mark.django_db


def _check(row, user, target="instrument"):
    record.verify(
        target=target,
        row=row,
        citation=Citation.objects.get(key="eurlex-eli-reg-2024-1689"),
        checked_on=dt.date(2026, 12, 2),
        locator="Article 113",
        states="Entry into force and the dates of application.",
        user=user,
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/jurisdictions/EU/")
    assert response.status_code == 302


def test_a_reader_sees_that_a_seed_row_is_not_checked_and_not_swept(signed_in):
    page = signed_in.get("/jurisdictions/SG/").content.decode()  # not swept by issue 30
    assert "Not checked since it was first recorded" in page
    assert "No sweep recorded" in page
    act = signed_in.get("/instruments/eu-ai-act/").content.decode()
    assert "Not checked since it was first recorded" in act and "Last checked" not in act
    assert "since the seed" not in act + page  # the editors' word, not a reader's
    assert "no reading recorded" in act  # its unopened official citations claim no date


@pytest.mark.parametrize("who", ["reader", "editor"])
def test_a_checked_row_shows_the_day_and_the_source_to_readers_and_editors(
    client, reader, cast, who
):
    _check(Instrument.objects.get(slug="eu-ai-act"), cast["editor"])
    _check(Jurisdiction.objects.get(code="EU"), cast["editor"], target="jurisdiction")
    client.force_login(reader if who == "reader" else cast["editor"])
    title = Citation.objects.get(key="eurlex-eli-reg-2024-1689").title
    for url in ("/instruments/eu-ai-act/", "/jurisdictions/EU/"):
        page = client.get(url).content.decode()
        assert f"Checked on 2 Dec 2026 against {title}" in page
    act = client.get("/instruments/eu-ai-act/").content.decode()
    assert "Article 113" in act and "Read to state: Entry into force" in act


def test_a_sweep_date_in_a_case_is_not_shown_until_published(signed_in, cast):
    korea = Jurisdiction.objects.get(code="KR")
    case = services.case_open(title="Sweep KR", kind="correction", created_by=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="jurisdiction",
        action="update",
        row=korea,
        values={"current_as_of": "2026-11-30"},
    )
    assert "30 Nov 2026" not in signed_in.get("/jurisdictions/KR/").content.decode()
    case = move(case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=case, reviewer=cast["reviewer"])
    page = signed_in.get("/jurisdictions/KR/").content.decode()
    assert "30 Nov 2026: events up to this day were looked for" in page
