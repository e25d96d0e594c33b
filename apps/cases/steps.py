"""Steps an editor or reviewer takes as one action, made of the workflow's own moves.

Each step asks apps.cases.policy, then runs its moves (apps.cases.services,
which ask it again for each move) in one transaction: every move is still
allowed or refused by the same rules and written to the timeline, and a
refusal part way leaves the case as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.db import transaction

from apps.cases import services
from apps.cases.models import Case, ProposedChange, State
from apps.cases.policy import Act, require
from apps.record import rows

# From a case being worked to review, through the states in between.
SUBMIT_PATH = [State.TRIAGED, State.IN_PROGRESS, State.IN_REVIEW]


@transaction.atomic
def case_submit(*, case: Case, actor, note: str = "") -> Case:
    """New, triaged or in progress straight to review; the submitter takes the case.

    The case is assigned first, so "My cases" holds it while it waits for a
    reviewer, and the mail announcing the review does not go to the submitter.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, Act.SUBMIT, case)
    if case.assignee_id != actor.pk:
        services.case_assign(case=case, assignee=actor, actor=actor)
    start = SUBMIT_PATH.index(case.state) + 1 if case.state in SUBMIT_PATH else 0
    for state in SUBMIT_PATH[start:]:
        case = services.case_transition(
            case=case,
            to_state=state,
            actor=actor,
            note=note if state == State.IN_REVIEW else "on the way to review",
        )
    return case


@transaction.atomic
def case_return_and_rebase(
    *, case: Case, actor, take_live: Mapping[int, Collection[str]], note: str = ""
) -> Case:
    """A reviewer returns a case in review and rebases its stale proposals in one action.

    `take_live` maps a proposal's id to the fields where the live value wins
    (see services.change_rebase); every stale proposal of the case is rebased.
    """
    case = services.case_transition(
        case=case,
        to_state=State.IN_PROGRESS,
        actor=actor,
        note=note or "returned to rebase proposals on rows changed since",
    )
    for change in stale_changes(case):
        services.change_rebase(change=change, actor=actor, take_live=take_live.get(change.pk, ()))
    return case


def stale_changes(case: Case) -> list[ProposedChange]:
    """The case's proposals whose row moved on since they were made."""
    out = []
    for change in case.changes.exclude(row_id=None).order_by("id"):
        version = (
            rows.model_of(change.target)
            .objects.filter(pk=change.row_id)
            .values_list("version", flat=True)
            .first()
        )
        if version is not None and version != change.base_version:
            out.append(change)
    return out
