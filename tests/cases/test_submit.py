"""One step to review, and every action the case page does not offer says why."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.cases import services, steps
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from tests.helpers import move

pytestmark = pytest.mark.django_db


def _case_with_proposal(cast, *states):
    case = move(
        services.case_open(title="One step", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        *states,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=Instrument.objects.get(slug="us-eo-14110"),
        values={"summary": "Submitted in one step."},
    )
    return case


def _buttons(response) -> dict[str, object]:
    return {b.verb: b for b in response.context["buttons"]}


@pytest.mark.parametrize(
    "path", [(), (State.TRIAGED,), (State.TRIAGED, State.IN_PROGRESS)], ids=lambda p: len(p)
)
def test_an_author_submits_in_one_step_is_assigned_and_finds_the_case_in_my_cases(
    client, cast, path
):
    case = _case_with_proposal(cast, *path)
    client.force_login(cast["editor"])
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert _buttons(page)["Submit for review"].enabled
    response = client.post(reverse("admin:cases_case_submit", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.assignee) == (State.IN_REVIEW, cast["editor"])
    # Every move is still on the timeline, in order, by the submitter.
    moves = [
        (t.to_state, t.actor)
        for t in case.transitions.all()
        if t.from_state and t.from_state != t.to_state
    ]
    assert moves[-(3 - len(path)) :] == [
        (s, cast["editor"])
        for s in [State.TRIAGED, State.IN_PROGRESS, State.IN_REVIEW][len(path) :]
    ]
    mine = client.get(reverse("admin:cases_case_changelist") + "?queue=mine").content.decode()
    assert "One step" in mine


def test_a_case_without_a_proposal_is_not_submitted_and_the_page_says_why(client, cast):
    case = services.case_open(title="Empty", kind="correction", created_by=cast["editor"])
    client.force_login(cast["editor"])
    submit = _buttons(client.get(reverse("admin:cases_case_change", args=[case.pk])))[
        "Submit for review"
    ]
    assert not submit.enabled and "Propose at least one change" in submit.reason
    response = client.post(reverse("admin:cases_case_submit", args=[case.pk]), follow=True)
    assert "at least one proposed change" in response.content.decode()
    case.refresh_from_db()
    # Nothing of the step stayed: not moved, not assigned.
    assert (case.state, case.assignee, case.transitions.count()) == (State.NEW, None, 1)


def test_a_published_case_cannot_be_submitted_again(cast):
    case = _case_with_proposal(cast)
    steps.case_submit(case=case, actor=cast["editor"])
    services.case_approve(case=case, reviewer=cast["reviewer"])
    with pytest.raises(ValidationError, match="Only a case being worked"):
        steps.case_submit(case=case, actor=cast["editor"])


def test_actions_not_available_are_shown_disabled_with_the_reason(client, cast):
    case = _case_with_proposal(cast)
    steps.case_submit(case=case, actor=cast["editor"])
    url = reverse("admin:cases_case_change", args=[case.pk])

    client.force_login(cast["editor"])
    editor = _buttons(client.get(url))
    assert not editor["Approve and publish"].enabled
    assert "Only reviewers approve" in editor["Approve and publish"].reason
    assert not editor["Return to editor"].enabled
    assert "Only reviewers" in editor["Return to editor"].reason

    # A reviewer who proposed in the case: four eyes.
    services.case_transition(case=case, to_state=State.IN_PROGRESS, actor=cast["reviewer"])
    services.change_propose(
        case=case,
        actor=cast["reviewer"],
        target="instrument",
        action="update",
        row=Instrument.objects.get(slug="eu-gdpr"),
        values={"summary": "Also by the reviewer."},
    )
    steps.case_submit(case=case, actor=cast["reviewer"])
    client.force_login(cast["reviewer"])
    page = client.get(url)
    approve = _buttons(page)["Approve and publish"]
    assert not approve.enabled and "four eyes" in approve.reason
    body = page.content.decode()
    assert "disabled" in body and "another reviewer must approve it (four eyes)" in body
    client.force_login(cast["reviewer2"])
    assert _buttons(client.get(url))["Approve and publish"].enabled


def test_a_direct_post_of_an_unavailable_action_gets_an_admin_page_saying_why(client, cast):
    case = _case_with_proposal(cast)
    steps.case_submit(case=case, actor=cast["editor"])
    client.force_login(cast["editor"])
    response = client.post(reverse("admin:cases_case_approve", args=[case.pk]), {"confirm": "on"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only reviewers approve cases." in body
    assert reverse("admin:cases_case_change", args=[case.pk]) in body  # a way back
    assert 'id="site-name"' in body or "Django administration" in body  # inside the admin
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


def test_a_case_in_review_says_why_its_proposals_cannot_be_changed(client, cast):
    case = _case_with_proposal(cast)
    steps.case_submit(case=case, actor=cast["editor"])
    client.force_login(cast["editor"])
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "Withdraw proposal" not in page
    assert "a reviewer can return it to the editor" in page
    client.force_login(cast["reviewer"])
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "return it to the editor to change them" in page
