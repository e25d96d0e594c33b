"""The policy for case actions: for each act, who may do it to which case, and the reason
given when not (the cast of users per role is in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from apps.cases import policy, services
from apps.cases.models import Case, State
from apps.cases.policy import Act, check
from apps.instruments.models import Instrument
from tests.helpers import make_user, move

pytestmark = pytest.mark.django_db

ROWS = ["us-eo-14110", "eu-gdpr", "eu-ai-act"]
WORKED = (State.TRIAGED, State.IN_PROGRESS)


def _case(cast, *states, kind="correction"):
    case = services.case_open(title="Policy", kind=kind, created_by=cast["editor"])
    return move(case, cast["editor"], *states)


def _propose(case, user, slug=ROWS[0]):
    return services.change_propose(
        case=case,
        actor=user,
        target="instrument",
        action="update",
        row=Instrument.objects.get(slug=slug),
        values={"summary": f"Proposed by {user.username} in case #{case.pk}."},
    )


def _in_review(cast, *proposers):
    """A case in review with one proposal by each of `proposers` (role names), each its row."""
    case = _case(cast, *WORKED)
    for name, slug in zip(proposers, ROWS, strict=False):
        _propose(case, cast[name], slug)
    return move(case, cast["editor"], State.IN_REVIEW)


def _published(cast):
    case = _in_review(cast, "editor")
    return services.case_approve(case=case, reviewer=cast["reviewer"]).case


def _refused(refusal, error, reason, page=None):
    assert refusal is not None, "allowed, expected a refusal"
    assert (refusal.error, refusal.reason) == (error, reason)
    assert refusal.shown == (page if page is not None else reason)


# -- the moves -----------------------------------------------------------------------------


def test_an_editor_may_triage_a_new_case_and_a_staff_member_without_a_role_may_not(cast):
    case = _case(cast)
    assert check(cast["editor"], Act.TRIAGE, case) is None
    _refused(
        check(cast["staff"], Act.TRIAGE, case),
        PermissionDenied,
        "Moving a case from new to triaged is not allowed for you.",
        "Only editors and reviewers move cases.",
    )


def test_work_starts_on_a_triaged_case_not_on_a_new_one(cast):
    assert check(cast["editor"], Act.START, _case(cast, State.TRIAGED)) is None
    _refused(
        check(cast["editor"], Act.START, _case(cast)),
        PermissionDenied,
        "Moving a case from new to in progress is not allowed for you.",
    )


def test_a_reviewer_returns_a_case_in_review_and_an_editor_may_not(cast):
    case = _in_review(cast, "editor")
    assert check(cast["reviewer"], Act.RETURN, case) is None
    _refused(
        check(cast["editor"], Act.RETURN, case),
        PermissionDenied,
        "Moving a case from in review to in progress is not allowed for you.",
        "Only reviewers may use “Return to editor” on a case in review.",
    )
    # The same move back to in progress is a return, never a start.
    assert check(cast["reviewer"], Act.START, case) is not None


def test_an_editor_dismisses_a_case_being_worked_but_not_one_in_review(cast):
    assert check(cast["editor"], Act.DISMISS, _case(cast, *WORKED)) is None
    _refused(
        check(cast["editor"], Act.DISMISS, _in_review(cast, "editor")),
        PermissionDenied,
        "Moving a case from in review to dismissed is not allowed for you.",
        "Only reviewers may use “Dismiss” on a case in review.",
    )
    _refused(
        check(cast["administrator"], Act.DISMISS, _published(cast)),
        PermissionDenied,
        "Moving a case from published to dismissed is not allowed for you.",
    )


def test_without_a_case_a_move_is_asked_of_the_role_alone(cast):
    assert check(cast["editor"], Act.DISMISS) is None
    _refused(
        check(cast["staff"], Act.TRIAGE), PermissionDenied, "Only editors and reviewers move cases."
    )
    _refused(
        check(cast["editor"], Act.RETURN),
        PermissionDenied,
        "Only reviewers may use “Return to editor” on a case in review.",
    )
    assert check(cast["reviewer"], Act.RETURN) is None


def test_publishing_is_never_a_plain_move_even_for_a_reviewer(cast):
    case = _in_review(cast, "editor")
    assert policy.allowed(cast["reviewer"], State.IN_REVIEW, State.PUBLISHED)
    _refused(
        policy.move(cast["reviewer"], case, State.PUBLISHED),
        ValidationError,
        "A case is published by approving it.",
    )


# -- submitting ----------------------------------------------------------------------------


def test_a_case_with_a_proposal_is_submitted_from_any_state_it_is_worked_in(cast):
    for states in [(), (State.TRIAGED,), WORKED]:
        case = _case(cast, *states)
        _propose(case, cast["editor"])
        assert check(cast["editor"], Act.SUBMIT, case) is None


def test_a_case_without_a_proposal_is_not_submitted_and_the_page_says_what_to_do(cast):
    case = _case(cast, *WORKED)
    _refused(
        check(cast["editor"], Act.SUBMIT, case),
        ValidationError,
        "A case goes to review with at least one proposed change; "
        "dismiss it if nothing needs to change.",
        "Propose at least one change before submitting, or dismiss the case "
        "if nothing needs to change.",
    )
    # The move to review says the same.
    assert policy.move(cast["editor"], case, State.IN_REVIEW) == check(
        cast["editor"], Act.SUBMIT, case
    )


def test_a_watchers_case_goes_to_review_without_a_proposal(cast):
    case = _case(cast, *WORKED, kind="source_change")
    assert check(cast["editor"], Act.SUBMIT, case) is None
    assert policy.move(cast["editor"], case, State.IN_REVIEW) is None


def test_only_a_case_being_worked_is_submitted_and_only_by_those_who_work_cases(cast):
    _refused(
        check(cast["editor"], Act.SUBMIT, _published(cast)),
        ValidationError,
        "Only a case being worked is submitted for review; this one is published.",
    )
    case = _case(cast)
    _propose(case, cast["editor"])
    _refused(
        check(cast["staff"], Act.SUBMIT, case),
        PermissionDenied,
        "Only editors and reviewers submit cases for review.",
    )


# -- approving -----------------------------------------------------------------------------


def test_a_reviewer_who_proposed_nothing_may_approve_a_case_in_review(cast):
    case = _in_review(cast, "editor", "editor2")
    assert check(cast["reviewer"], Act.APPROVE, case) is None


def test_four_eyes_hold_in_a_case_with_several_proposers(cast):
    # The reviewer proposed one change of three; the others are by two editors.
    case = _in_review(cast, "editor", "reviewer", "editor2")
    _refused(
        check(cast["reviewer"], Act.APPROVE, case),
        PermissionDenied,
        "You proposed a change in this case: another reviewer must approve it.",
        "You proposed a change in this case: another reviewer must approve it (four eyes).",
    )
    assert check(cast["reviewer2"], Act.APPROVE, case) is None
    # The service asks the same question, under its locks.
    with pytest.raises(PermissionDenied, match="another reviewer must approve it"):
        services.case_approve(case=case, reviewer=cast["reviewer"])
    assert services.case_approve(case=case, reviewer=cast["reviewer2"]).case.state == (
        State.PUBLISHED
    )


def test_the_proposers_may_be_given_rather_than_read_from_the_case(cast):
    case = _in_review(cast, "editor")
    reviewer = cast["reviewer"]
    assert check(reviewer, Act.APPROVE, case, proposers={cast["editor"].pk}) is None
    assert check(reviewer, Act.APPROVE, case, proposers={cast["editor"].pk, reviewer.pk})


def test_an_editor_may_not_approve_and_the_page_says_who_may(cast):
    _refused(
        check(cast["editor2"], Act.APPROVE, _in_review(cast, "editor")),
        PermissionDenied,
        "Only reviewers approve cases.",
        "Only reviewers approve and publish; another account with the reviewer role must.",
    )
    assert check(cast["editor2"], Act.APPROVE) is not None
    assert check(cast["reviewer"], Act.APPROVE) is None


def test_a_case_is_approved_only_in_review(cast):
    _refused(
        check(cast["reviewer"], Act.APPROVE, _case(cast, *WORKED)),
        ValidationError,
        "Only a case in review can be approved; this one is in progress.",
        "A case is approved once it is in review: submit it first.",
    )
    # A closed case has nothing to submit: the page says what the service says.
    _refused(
        check(cast["reviewer2"], Act.APPROVE, _published(cast)),
        ValidationError,
        "Only a case in review can be approved; this one is published.",
    )


def test_stale_proposals_are_rebased_before_approval(cast):
    case = _in_review(cast, "editor")
    _refused(
        check(cast["reviewer"], Act.APPROVE, case, stale=2),
        ValidationError,
        "2 proposal(s) were made against rows that changed since: return and rebase them first.",
        "2 proposal(s) were made against rows that changed since: "
        "return and rebase them first (below).",
    )


# -- proposals -----------------------------------------------------------------------------


@pytest.mark.parametrize("act", [Act.PROPOSE, Act.RETIRE])
def test_changes_are_proposed_while_the_case_is_being_worked(cast, act):
    assert check(cast["editor"], act, _case(cast, State.TRIAGED)) is None
    _refused(
        check(cast["editor"], act, _in_review(cast, "editor")),
        ValidationError,
        "Proposals are proposed while the case is being worked, not in state in review; "
        "return it to the editor first.",
    )
    _refused(
        check(cast["staff"], act, _case(cast)),
        PermissionDenied,
        "Only editors and reviewers propose changes.",
    )


@pytest.mark.parametrize(
    "act, verb, refusal",
    [
        (Act.WITHDRAW, "withdrawn", "Only editors and reviewers withdraw proposals."),
        (Act.REBASE, "rebased", "Only editors and reviewers rebase proposals."),
    ],
)
def test_proposals_are_withdrawn_and_rebased_only_while_being_worked(cast, act, verb, refusal):
    assert check(cast["editor2"], act, _case(cast, *WORKED)) is None
    _refused(
        check(cast["editor"], act, _published(cast)),
        ValidationError,
        f"Proposals are {verb} while the case is being worked, not in state published; "
        "return it to the editor first.",
    )
    _refused(check(cast["staff"], act, _case(cast)), PermissionDenied, refusal)


def test_the_watchers_proposals_follow_the_same_rule_with_no_user(cast):
    assert policy.being_worked(_case(cast), "added") is None
    _refused(
        policy.being_worked(_in_review(cast, "editor"), "added"),
        ValidationError,
        "Proposals are added while the case is being worked, not in state in review; "
        "return it to the editor first.",
    )


# -- comments, assignment, edits -----------------------------------------------------------


def test_editors_comment_even_on_a_closed_case_and_a_staff_member_may_not(cast):
    assert check(cast["editor"], Act.COMMENT, _published(cast)) is None
    _refused(
        check(cast["staff"], Act.COMMENT, _case(cast)),
        PermissionDenied,
        "Only editors and reviewers comment on cases.",
    )


def test_an_open_case_is_assigned_to_someone_who_works_cases(cast):
    case = _in_review(cast, "editor")
    assert check(cast["editor"], Act.ASSIGN, case, assignee=cast["reviewer"]) is None
    assert check(cast["editor"], Act.ASSIGN, case, assignee=None) is None  # unassigned
    _refused(
        check(cast["editor"], Act.ASSIGN, case, assignee=cast["staff"]),
        PermissionDenied,
        "Only editors and reviewers take or assign cases.",
    )
    _refused(
        check(cast["editor"], Act.ASSIGN, _published(cast), assignee=cast["editor2"]),
        ValidationError,
        "A closed case cannot be reassigned.",
    )


def test_a_case_is_taken_by_someone_who_works_cases_while_it_is_open(cast):
    case = _case(cast)
    assert check(cast["editor2"], Act.TAKE, case) is None
    _refused(
        check(cast["staff"], Act.TAKE, case),
        PermissionDenied,
        "Only editors and reviewers take or assign cases.",
    )
    dismissed = move(_case(cast), cast["editor"], State.DISMISSED)
    _refused(
        check(cast["editor2"], Act.TAKE, dismissed),
        ValidationError,
        "A closed case cannot be reassigned.",
    )


def test_an_open_case_is_edited_and_a_closed_one_is_not(cast):
    assert check(cast["editor"], Act.EDIT, _in_review(cast, "editor")) is None
    _refused(
        check(cast["editor"], Act.EDIT, _published(cast)),
        ValidationError,
        "A closed case is not edited.",
    )
    _refused(
        check(cast["staff"], Act.EDIT), PermissionDenied, "Only editors and reviewers edit cases."
    )


@pytest.mark.parametrize("act", list(Act))
def test_an_inactive_administrator_may_do_nothing(cast, act):
    user = cast["administrator"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert check(user, act) is not None
    assert check(user, act, _case(cast)) is not None


def test_require_raises_the_refusals_error_with_its_reason(cast):
    with pytest.raises(PermissionDenied) as denied:
        policy.require(cast["staff"], Act.COMMENT)
    assert str(denied.value) == "Only editors and reviewers comment on cases."
    with pytest.raises(ValidationError) as invalid:
        policy.require(cast["editor"], Act.EDIT, _published(cast))
    assert invalid.value.messages == ["A closed case is not edited."]
    policy.require(cast["editor"], Act.EDIT, _case(cast))  # allowed: nothing raised


# -- lists ---------------------------------------------------------------------------------


def test_assignees_are_the_active_users_with_the_work_permission_whatever_their_group(
    cast, django_user_model, superuser
):
    direct = make_user(django_user_model, "direct")  # no group: the permission itself
    direct.user_permissions.add(Permission.objects.get(codename="work_case"))
    gone = make_user(django_user_model, "gone", group="editor")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    names = set(policy.assignees().values_list("username", flat=True))

    assert {"editor", "editor2", "reviewer", "reviewer2", "administrator"} <= names
    assert {"direct", superuser.username} <= names
    assert names.isdisjoint({"staffreader", "gone"})
    assert all(
        check(cast["editor"], Act.ASSIGN, None, assignee=u) is None for u in policy.assignees()
    )


def test_the_review_queue_leaves_out_a_case_the_reviewer_works_themselves(cast):
    theirs = _in_review(cast, "editor")
    services.case_assign(case=theirs, assignee=cast["reviewer"], actor=cast["reviewer"])
    other = _in_review(cast, "editor")
    queue = Case.objects.filter(policy.awaiting_review(cast["reviewer"]))
    assert other in queue and theirs not in queue
    assert theirs in Case.objects.filter(policy.awaiting_review(cast["reviewer2"]))


def test_the_query_of_cases_being_worked_holds_what_takes_proposals(cast):
    cases = [_case(cast), _case(cast, *WORKED), _in_review(cast, "editor"), _published(cast)]
    found = set(Case.objects.filter(policy.BEING_WORKED, pk__in=[c.pk for c in cases]))
    assert found == {c for c in cases if policy.being_worked(c, "proposed") is None}
    assert len(found) == 2
