"""Two reviewers approve conflicting cases at the same moment, in real transactions."""

import pytest

from apps.cases import services
from apps.cases.models import AppliedChange, Case, State
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
