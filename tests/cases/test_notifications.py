"""Notification emails go out once per transition, after commit, never on rollback."""

import pytest
from django.core import mail
from django.db import transaction

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from tests.helpers import move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]


def test_the_assignee_and_the_reviewers_hear_of_each_transition_once(
    cast, django_capture_on_commit_callbacks
):
    case = services.case_open(title="Notify", kind="correction", created_by=cast["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=case, assignee=cast["editor2"], actor=cast["editor"])
    assert [m.to for m in mail.outbox] == [["editor2@example.org"]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case = move(case, cast["editor"], State.TRIAGED)
    assert [m.to for m in mail.outbox] == [["editor2@example.org"]]
    assert "triaged" in mail.outbox[0].subject
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case = move(case, cast["editor2"], State.IN_PROGRESS)
    assert mail.outbox == []  # the assignee moved it: nobody else to tell

    eo = Instrument.objects.get(slug="us-eo-14110")
    services.change_propose(
        case=case,
        actor=cast["editor2"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "x"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        move(case, cast["editor2"], State.IN_REVIEW)
    [message] = mail.outbox
    assert sorted(message.to) == [
        "administrator@example.org",
        "reviewer2@example.org",
        "reviewer@example.org",
    ]


def test_no_mail_leaves_for_a_rolled_back_transition(cast, django_capture_on_commit_callbacks):
    case = services.case_open(title="Rollback", kind="correction", created_by=cast["editor"])
    services.case_assign(case=case, assignee=cast["editor2"], actor=cast["editor"])
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.case_transition(case=case, to_state=State.TRIAGED, actor=cast["editor"])
        raise RuntimeError("the request failed later")
    assert callbacks == []
    assert mail.outbox == []
    case.refresh_from_db()
    assert case.state == State.NEW
    assert case.transitions.count() == 2  # opened, assigned: the rolled-back move left nothing
