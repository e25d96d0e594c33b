"""Steps the approval tests share: cases in a given state holding given proposals."""

from __future__ import annotations

from apps.cases import services
from apps.cases.models import Case, State
from apps.obligations.models import Obligation
from apps.record.models import AppliedChange
from tests.helpers import move, publish


def working_case(actor, title="t", kind="correction") -> Case:
    case = services.case_open(title=title, kind=kind, created_by=actor)
    return move(case, actor, State.TRIAGED, State.IN_PROGRESS)


def in_review(actor, *proposals, title="t") -> Case:
    """A case by `actor` holding the proposals (target, action, row, values), sent to review."""
    case = working_case(actor, title)
    for target, action, row, values in proposals:
        services.change_propose(
            case=case, actor=actor, target=target, action=action, row=row, values=values
        )
    return move(case, actor, State.IN_REVIEW)


def published_elsewhere(cast, *proposals) -> None:
    """Another editor's case changes the rows first and is published."""
    case = working_case(cast["editor2"], "elsewhere")
    for target, action, row, values in proposals:
        services.change_propose(
            case=case, actor=cast["editor2"], target=target, action=action, row=row, values=values
        )
    publish(case, cast["editor2"], cast["reviewer2"])


def nothing_applied(case: Case, since: int) -> None:
    assert not AppliedChange.objects.filter(pk__gt=since).exists()
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW
    assert not case.transitions.filter(to_state=State.PUBLISHED).exists()


def last_id() -> int:
    return AppliedChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def two_obligations(slug="eu-ai-act") -> list[Obligation]:
    return list(Obligation.objects.published().filter(instrument__slug=slug).order_by("pk")[:2])
