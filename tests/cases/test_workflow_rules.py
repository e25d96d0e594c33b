"""The workflow's moves: which target states each role is offered from each state, and the
moves the service refuses (the cast of users per role is in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from apps.cases import services
from apps.cases.models import Case, State
from apps.cases.workflow import allowed, moves_for
from tests.helpers import move

pytestmark = pytest.mark.django_db

ALL_STATES = list(State.values)
WORKED = {
    State.NEW: {(State.TRIAGED, "Triage"), (State.DISMISSED, "Dismiss")},
    State.TRIAGED: {(State.IN_PROGRESS, "Start work"), (State.DISMISSED, "Dismiss")},
    State.IN_PROGRESS: {(State.IN_REVIEW, "Submit for review"), (State.DISMISSED, "Dismiss")},
}
EDITOR_MOVES = {**WORKED, State.IN_REVIEW: set(), State.PUBLISHED: set(), State.DISMISSED: set()}
REVIEWER_MOVES = {
    **EDITOR_MOVES,
    State.IN_REVIEW: {
        (State.IN_PROGRESS, "Return to editor"),
        (State.PUBLISHED, "Approve and publish"),
        (State.DISMISSED, "Dismiss"),
    },
}
# role -> state -> the (target, verb) pairs offered
OFFERED = {
    "editor": EDITOR_MOVES,
    "reviewer": REVIEWER_MOVES,
    "administrator": REVIEWER_MOVES,
    "staff": {state: set() for state in ALL_STATES},
}


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("role", list(OFFERED))
def test_each_role_is_offered_exactly_its_moves_from_each_state(cast, role, state):
    offered = moves_for(cast[role], state)
    assert len(offered) == len(set(offered))
    assert set(offered) == OFFERED[role][state]


@pytest.mark.parametrize("role", ["editor", "reviewer", "administrator"])
def test_an_inactive_user_may_make_no_move(cast, role):
    user = cast[role]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert all(moves_for(user, state) == [] for state in ALL_STATES)
    assert not any(allowed(user, frm, to) for frm in ALL_STATES for to in ALL_STATES)
    case = services.case_open(title="x", kind="correction")
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, to_state=State.TRIAGED, actor=user)
    assert Case.objects.get(pk=case.pk).state == State.NEW


def test_an_anonymous_visitor_may_make_no_move():
    visitor = AnonymousUser()
    assert not any(allowed(visitor, frm, to) for frm in ALL_STATES for to in ALL_STATES)


def test_nothing_leaves_a_published_or_dismissed_case_not_even_for_a_superuser(cast, superuser):
    for user in (cast["administrator"], superuser):
        for frm in (State.PUBLISHED, State.DISMISSED):
            assert moves_for(user, frm) == []
            assert not any(allowed(user, frm, to) for to in ALL_STATES)
    case = move(services.case_open(title="x", kind="correction"), cast["editor"], State.DISMISSED)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, to_state=State.NEW, actor=superuser)
    assert Case.objects.get(pk=case.pk).state == State.DISMISSED


def test_an_editor_may_dismiss_a_case_in_progress(cast, summary_case):
    assert summary_case.state == State.IN_PROGRESS
    move(summary_case, cast["editor"], State.DISMISSED)
    assert Case.objects.get(pk=summary_case.pk).state == State.DISMISSED


def test_an_editor_may_not_dismiss_a_case_in_review_and_a_reviewer_may(cast, summary_case):
    case = move(summary_case, cast["editor"], State.IN_REVIEW)
    with pytest.raises(PermissionDenied, match="not allowed for you"):
        services.case_transition(case=case, to_state=State.DISMISSED, actor=cast["editor"])
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW
    move(case, cast["reviewer"], State.DISMISSED)
    assert Case.objects.get(pk=case.pk).state == State.DISMISSED


def test_an_editor_may_not_return_a_case_in_review_and_a_reviewer_may(cast, summary_case):
    case = move(summary_case, cast["editor"], State.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, to_state=State.IN_PROGRESS, actor=cast["editor"])
    move(case, cast["reviewer"], State.IN_PROGRESS)
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_publishing_is_not_a_plain_move_even_for_a_reviewer(cast, summary_case):
    case = move(summary_case, cast["editor"], State.IN_REVIEW)
    assert allowed(cast["reviewer"], State.IN_REVIEW, State.PUBLISHED)  # via case_approve
    with pytest.raises(ValidationError, match="published by approving it"):
        services.case_transition(case=case, to_state=State.PUBLISHED, actor=cast["reviewer"])
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW
    assert not case.transitions.filter(to_state=State.PUBLISHED).exists()


def test_a_moves_note_is_cut_to_the_500_characters_the_timeline_keeps(cast, summary_case):
    services.case_transition(
        case=summary_case, to_state=State.DISMISSED, actor=cast["editor"], note="n" * 600
    )

    dismissed = summary_case.transitions.get(to_state=State.DISMISSED)
    assert dismissed.note == "n" * 500
