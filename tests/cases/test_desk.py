"""The editors' desk: the record pages, the dashboard, and error pages that explain."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.cases import services
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from apps.sources.models import Source
from tests.helpers import case_proposing, move

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def aild():
    return Instrument.objects.get(slug="eu-ai-liability-directive")


def test_an_editor_reads_the_whole_record_timeline_first(client, cast, aild):
    client.force_login(cast["editor"])
    response = client.get(reverse("admin:instruments_instrument_record", args=[aild.pk]))
    text, html = _text(response), response.content.decode()
    assert response.status_code == 200
    assert html.index("<h2>Timeline</h2>") < html.index("<h2>Record</h2>")
    assert html.index("<h2>Record</h2>") < html.index("<h2>Obligations</h2>")
    assert (
        "withdrawal announced" in text and "In effect: Withdrawal of Commission proposals" in text
    )
    assert "Propose a change" in text and "Propose a new obligation" in text
    assert "COM document number: COM(2022) 496" in text


def test_the_change_form_is_for_administrators_editors_land_on_the_record(client, cast, aild):
    change = reverse("admin:instruments_instrument_change", args=[aild.pk])
    client.force_login(cast["editor"])
    assert client.get(change)["Location"].endswith(f"/instruments/instrument/{aild.pk}/record/")
    client.force_login(cast["administrator"])
    assert client.get(change).status_code == 200


def test_propose_a_change_opens_an_assigned_case_and_the_prefilled_form(client, cast, aild):
    client.force_login(cast["editor"])
    url = reverse("admin:instruments_instrument_propose", args=[aild.pk])
    response = client.post(url, {"target": "instrument"})
    case = Case.objects.get(instrument=aild)
    assert case.assignee == cast["editor"] and case.created_by == cast["editor"]
    assert response["Location"] == reverse(
        "admin:cases_case_propose_update", args=[case.pk, "instrument", aild.pk]
    )
    form = client.get(response["Location"])
    assert form.status_code == 200 and aild.summary[:40] in form.content.decode()


def test_propose_a_new_obligation_names_its_instrument(client, cast, aild):
    client.force_login(cast["editor"])
    url = reverse("admin:instruments_instrument_propose", args=[aild.pk])
    response = client.post(url, {"target": "obligation"})
    case = Case.objects.get(instrument=aild)
    assert response["Location"] == (
        reverse("admin:cases_case_propose", args=[case.pk, "obligation"]) + f"?instrument={aild.pk}"
    )


def test_a_reader_without_a_role_cannot_open_a_case_from_the_record(client, cast, aild):
    client.force_login(cast["staff"])
    url = reverse("admin:instruments_instrument_propose", args=[aild.pk])
    response = client.post(url, {"target": "instrument"})
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_record_warns_of_open_cases_on_the_row(client, cast, aild):
    case = case_proposing(cast["editor2"], aild, {"summary": "Other text."}, title="Fix AILD")
    client.force_login(cast["editor"])
    text = _text(client.get(reverse("admin:instruments_instrument_record", args=[aild.pk])))
    assert f"Already being changed: case #{case.pk} Fix AILD" in text


def test_the_admin_search_finds_an_instrument_by_its_short_name(client, cast, aild):
    client.force_login(cast["editor"])
    response = client.get(reverse("admin:instruments_instrument_changelist"), {"q": "AILD"})
    assert "AI Liability Directive" in response.content.decode()


def test_the_dashboard_shows_what_waits_for_this_person(client, cast, aild):
    mine = services.case_open(
        title="Mine to do",
        kind="correction",
        created_by=cast["editor"],
        due_on=timezone.localdate(),
    )
    services.case_assign(case=mine, assignee=cast["editor"], actor=cast["editor"])
    review = case_proposing(
        cast["editor2"], aild, {"summary": "Reviewed text."}, title="Ready for review"
    )
    review = move(review, cast["editor2"], State.IN_REVIEW)
    Source.objects.create(
        name="Broken feed",
        url="https://example.org/feed",
        kind="feed",
        broken_since=timezone.now(),
        last_error="HTTP 500",
    )
    client.force_login(cast["editor"])
    editor_home = _text(client.get(reverse("admin:index")))
    assert "My open cases (1)" in editor_home and "Mine to do" in editor_home
    assert "Awaiting your review" not in editor_home
    assert "Broken feed" in editor_home and "My cases (1)" in editor_home
    client.force_login(cast["reviewer"])
    reviewer_home = _text(client.get(reverse("admin:index")))
    assert f"#{review.pk} Ready for review" in reviewer_home and "To review (1)" in reviewer_home


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_of_the_dashboard_and_the_record_page_are_pinned(client, cast, aild):
    client.force_login(cast["reviewer"])
    # Session, user, permissions, the header's counts, the six sections, the app list.
    assert _queries(client, reverse("admin:index")) <= 13
    act = Instrument.objects.get(slug="eu-ai-act")
    small = _queries(client, reverse("admin:instruments_instrument_record", args=[aild.pk]))
    large = _queries(client, reverse("admin:instruments_instrument_record", args=[act.pk]))
    assert large <= 22 and small <= large


def test_admin_error_pages_are_styled_and_say_why(client, cast):
    client.force_login(cast["editor"])
    missing = client.get("/admin/instruments/instrument/999999/record/")
    assert missing.status_code == 404
    assert (
        "Nothing here" in missing.content.decode()
        and "Back to the start" in missing.content.decode()
    )
    client.force_login(cast["staff"])
    forbidden = client.post("/admin/instruments/instrument/1/propose/", {"target": "instrument"})
    assert forbidden.status_code == 403
    assert "editors and reviewers propose changes" in forbidden.content.decode()
    assert 'id="header"' in forbidden.content.decode()  # inside the admin's frame


def test_a_second_proposal_from_the_record_joins_my_open_case(client, cast, aild):
    client.force_login(cast["editor"])
    url = reverse("admin:instruments_instrument_propose", args=[aild.pk])
    client.post(url, {"target": "instrument"})
    client.post(url, {"target": "obligation"})
    assert Case.objects.filter(instrument=aild).count() == 1


def test_the_new_obligation_form_starts_with_its_instrument(client, cast, aild):
    client.force_login(cast["editor"])
    response = client.post(
        reverse("admin:instruments_instrument_propose", args=[aild.pk]), {"target": "obligation"}
    )
    form = client.get(response["Location"]).content.decode()
    assert re.search(rf'name="instrument" id="id_instrument" value="{aild.slug}"', form)
