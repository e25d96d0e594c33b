"""Two reviewers approve conflicting cases at the same moment, in real transactions."""

import threading

import pytest
from django.db import connection

from apps.cases import services
from apps.cases.models import AppliedChange, Case, State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from tests.cases.conftest import move

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_one_of_two_simultaneous_conflicting_approvals_applies(cast):
    country = Jurisdiction.objects.create(code="ZZ", name="Testland", kind="country")
    row = Instrument.objects.create(
        slug="zz-law",
        title="Testland AI law",
        kind="law",
        jurisdiction=country,
        legal_force="binding",
    )
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

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def approve(case, reviewer):
        try:
            barrier.wait(timeout=10)
            services.case_approve(case=case, reviewer=reviewer)
            outcomes[case.title] = "published"
        except Exception as exc:  # recorded and asserted below
            outcomes[case.title] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(cases[0], cast["reviewer"])),
        threading.Thread(target=approve, args=(cases[1], cast["reviewer2"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    results = list(outcomes.values())
    assert results.count("published") == 1, outcomes
    [refused] = [r for r in results if r != "published"]
    assert isinstance(refused, services.Conflict), refused
    assert "Testland AI law" in str(refused)
    row.refresh_from_db()
    assert row.version == 2
    winner = next(title for title, r in outcomes.items() if r == "published")
    assert row.summary == winner
    assert AppliedChange.objects.filter(target="instrument", row_id=row.pk).count() == 1
    loser = next(c for c in cases if c.title != winner)
    assert Case.objects.get(pk=loser.pk).state == State.IN_REVIEW
