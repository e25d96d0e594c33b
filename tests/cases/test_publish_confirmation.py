""" "Approve and publish" asks first: a page (no script needed) with a box to tick, which
warns plainly when the case has no evidence; nothing is published until it is ticked."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.cases.models import Evidence, State
from apps.instruments.models import Instrument
from tests.helpers import case_proposing, move

pytestmark = pytest.mark.django_db

NEW_SUMMARY = "Revoked on 20 January 2025."


@pytest.fixture
def in_review(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = case_proposing(cast["editor"], eo, {"summary": NEW_SUMMARY})
    return move(case, cast["editor"], State.IN_REVIEW)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _published(case) -> bool:
    case.refresh_from_db()
    return case.state == State.PUBLISHED


def test_the_case_pages_button_opens_the_confirmation_and_publishes_nothing(
    client, cast, in_review
):
    client.force_login(cast["reviewer"])
    page = _text(client.get(reverse("admin:cases_case_change", args=[in_review.pk])))
    url = reverse("admin:cases_case_approve", args=[in_review.pk])
    # A plain GET form: it works without script, and a GET changes nothing.
    assert f'<form method="get" action="{url}">' in page

    confirm = client.get(url)
    assert confirm.status_code == 200
    body = _text(confirm)
    assert f"Approve and publish case #{in_review.pk}?" in body
    assert NEW_SUMMARY.split()[0] in body  # what will be published is shown
    assert 'type="checkbox" name="confirm" id="id_confirm" required' in body
    assert not _published(in_review)


def test_approving_without_ticking_the_box_publishes_nothing_and_says_so_beside_it(
    client, cast, in_review
):
    client.force_login(cast["reviewer"])
    response = client.post(reverse("admin:cases_case_approve", args=[in_review.pk]), {})
    assert response.status_code == 200
    body = _text(response)
    assert (
        '<strong class="errornote" id="id_confirm_error">Tick the box to confirm: approving '
        "publishes these changes to every reader.</strong>"
    ) in body
    assert 'aria-invalid="true" aria-describedby="id_confirm_error"' in body
    assert not _published(in_review)
    assert Instrument.objects.get(slug="us-eo-14110").summary != NEW_SUMMARY


def test_ticking_the_box_publishes(client, cast, in_review):
    client.force_login(cast["reviewer"])
    response = client.post(
        reverse("admin:cases_case_approve", args=[in_review.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    assert _published(in_review)
    assert Instrument.objects.get(slug="us-eo-14110").summary == NEW_SUMMARY


def test_a_case_without_evidence_is_plainly_warned_of(client, cast, in_review):
    client.force_login(cast["reviewer"])
    body = _text(client.get(reverse("admin:cases_case_approve", args=[in_review.pk])))
    assert "Warning: this case has no evidence attached." in body
    assert "publish them without evidence." in body  # the box says it too


def test_a_case_with_evidence_carries_no_such_warning(client, cast, in_review):
    Evidence.objects.create(case=in_review, kind="note", title="Federal Register notice")
    client.force_login(cast["reviewer"])
    body = _text(client.get(reverse("admin:cases_case_approve", args=[in_review.pk])))
    assert "no evidence attached" not in body and "without evidence" not in body


def test_an_editor_asking_for_the_confirmation_is_told_approval_is_a_reviewers(
    client, cast, in_review
):
    client.force_login(cast["editor2"])
    response = client.get(reverse("admin:cases_case_approve", args=[in_review.pk]))
    assert response.status_code == 403
    assert "Only reviewers approve cases." in response.content.decode()


def test_a_case_not_in_review_sends_the_reviewer_back_to_the_case_page(client, cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    working = case_proposing(cast["editor"], eo, {"summary": NEW_SUMMARY})
    client.force_login(cast["reviewer"])
    response = client.get(reverse("admin:cases_case_approve", args=[working.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cases_case_change", args=[working.pk])


def test_the_public_reason_is_written_on_its_own_page_and_shown_before_publishing(
    client, cast, in_review
):
    client.force_login(cast["reviewer"])
    url = reverse("admin:cases_case_reason", args=[in_review.pk])
    assert url in _text(client.get(reverse("admin:cases_case_change", args=[in_review.pk])))
    saved = client.post(url, {"public_reason": "The order was revoked on 20 January 2025."})
    assert saved.status_code == 302
    body = _text(client.get(reverse("admin:cases_case_approve", args=[in_review.pk])))
    assert "Readers will be told: “The order was revoked on 20 January 2025.”" in body


def test_a_too_long_public_reason_is_refused_beside_its_field_keeping_what_was_typed(
    client, cast, in_review
):
    client.force_login(cast["reviewer"])
    typed = "Why " * 200
    response = client.post(
        reverse("admin:cases_case_reason", args=[in_review.pk]), {"public_reason": typed}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_public_reason_error"' in body and "at most 500 characters" in body
    assert typed.strip() in body
    in_review.refresh_from_db()
    assert in_review.public_reason == ""


def test_a_closed_cases_public_reason_is_not_rewritten(client, cast, in_review):
    client.force_login(cast["reviewer"])
    client.post(reverse("admin:cases_case_approve", args=[in_review.pk]), {"confirm": "on"})
    response = client.post(
        reverse("admin:cases_case_reason", args=[in_review.pk]), {"public_reason": "Later."}
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.public_reason == ""
