"""Two reviewers approve conflicting cases at the same moment, in real transactions."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.cases import services
from apps.cases.models import Case, State
from apps.record.models import AppliedChange
from tests.helpers import make_testland_law, move, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_one_of_two_simultaneous_conflicting_approvals_applies(cast):
    row = make_testland_law()
    cases = []
    for editor, summary in (("editor", "From case A."), ("editor2", "From case B.")):
        case = move(
            services.case_open(title=summary, kind="correction"),
            cast[editor],
            State.TRIAGED,
            State.IN_PROGRESS,
        )
        services.change_propose(
            case=case,
            actor=cast[editor],
            target="instrument",
            action="update",
            row=row,
            values={"summary": summary},
        )
        cases.append(move(case, cast[editor], State.IN_REVIEW))

    results = run_together(
        lambda: services.case_approve(case=cases[0], reviewer=cast["reviewer"]),
        lambda: services.case_approve(case=cases[1], reviewer=cast["reviewer2"]),
    )

    approved = [i for i, r in enumerate(results) if isinstance(r, services.Approval)]
    assert len(approved) == 1, results
    [refused] = [r for r in results if not isinstance(r, services.Approval)]
    assert isinstance(refused, services.Conflict), refused
    assert "Testland AI law" in str(refused)
    row.refresh_from_db()
    assert row.version == 2
    winner, loser = cases[approved[0]], cases[1 - approved[0]]
    assert row.summary == winner.title
    assert AppliedChange.objects.filter(target="instrument", row_id=row.pk).count() == 1
    assert Case.objects.get(pk=loser.pk).state == State.IN_REVIEW


def _in_progress_case_with_a_proposal(cast, row):
    case = move(
        services.case_open(title="race", kind="correction"),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=row,
        values={"summary": "First proposal."},
    )
    return case


def test_a_proposal_racing_a_submit_for_review_never_lands_in_the_case_in_review(cast):
    row = make_testland_law()
    case = _in_progress_case_with_a_proposal(cast, row)
    submitted = threading.Event()

    def submit():
        with transaction.atomic():
            services.case_transition(case=case, to_state=State.IN_REVIEW, actor=cast["editor"])
            submitted.set()
            time.sleep(0.5)  # the reviewer's view of the case is now fixed; commit late

    def propose():
        submitted.wait(timeout=10)
        # `case` was loaded while it was in progress, as a request would have it.
        return services.change_propose(
            case=case,
            actor=cast["editor2"],
            target="jurisdiction",
            action="update",
            row=row.jurisdiction,
            values={"summary": "Late proposal."},
        )

    _, refused = run_together(submit, propose)

    assert isinstance(refused, ValidationError), refused
    assert "being worked" in " ".join(refused.messages)
    assert "in review" in " ".join(refused.messages)
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW
    assert list(case.changes.values_list("values", flat=True)) == [{"summary": "First proposal."}]


def test_audit_ids_follow_commit_order_while_two_approvals_overlap(cast):
    rows_ = [make_testland_law()]
    from apps.instruments.models import Instrument

    rows_.append(
        Instrument.objects.create(
            slug="zz-law-2",
            title="Testland AI law 2",
            kind="law",
            jurisdiction=rows_[0].jurisdiction,
            legal_force="binding",
        )
    )
    first, second = (
        move(_in_progress_case_with_a_proposal(cast, row), cast["editor"], State.IN_REVIEW)
        for row in rows_
    )
    first_written = threading.Event()
    commits: list[str] = []

    def approve_first():
        with transaction.atomic():
            services.case_approve(case=first, reviewer=cast["reviewer"])
            first_written.set()
            time.sleep(0.5)  # holds its audit ids, uncommitted
        commits.append("first")

    def approve_second():
        first_written.wait(timeout=10)
        services.case_approve(case=second, reviewer=cast["reviewer2"])
        commits.append("second")

    results = run_together(approve_first, approve_second)
    assert results == [None, None], results
    assert commits == ["first", "second"]  # the second waited for the first to commit
    ids = {
        c: list(AppliedChange.objects.filter(case=c).values_list("id", flat=True))
        for c in (first, second)
    }
    assert max(ids[first]) < min(ids[second])
