"""Which actions the case page offers a user, and why the others are not available.

An action the user may not take is still listed, disabled, with the reason
in a sentence: an editor sees that approval is a reviewer's, a proposer that
four eyes are needed, an author that a case goes to review with a proposal.
Every button asks apps.cases.policy, as the services do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.cases import policy
from apps.cases.models import Case, State
from apps.cases.policy import Act, Refusal


@dataclass(frozen=True)
class Button:
    verb: str
    url_name: str  # admin URL name, reversed with the case's id
    enabled: bool
    reason: str = ""  # why not, when disabled
    post: dict[str, str] = field(default_factory=dict)  # hidden fields
    primary: bool = False
    method: str = "post"  # "get": the button opens a page that asks before acting


def case_buttons(case: Case, user, *, stale: int) -> list[Button]:
    """The buttons of the case page, in workflow order. `stale`: how many of the case's
    proposals are stale."""
    buttons: list[Button] = []
    if case.is_being_worked:
        buttons.append(
            _button(
                "Submit for review",
                "admin:cases_case_submit",
                policy.check(user, Act.SUBMIT, case),
                primary=True,
            )
        )
    for (frm, to), move in policy.MOVES.items():
        if frm != case.state or to in (State.PUBLISHED, State.IN_REVIEW):
            continue  # approval and submission have their own buttons
        refusal = policy.move(user, case, to)
        buttons.append(_button(move.verb, "admin:cases_case_move", refusal, post={"to": to}))
    if case.is_open:
        # A stale proposal's three-way view carries "Return and rebase" (its choices).
        buttons.append(
            _button(
                "Approve and publish",
                "admin:cases_case_approve",
                policy.check(user, Act.APPROVE, case, stale=stale),
                primary=case.state == State.IN_REVIEW,
                method="get",  # the confirmation page, which warns of missing evidence
            )
        )
    return buttons


def _button(verb: str, url_name: str, refusal: Refusal | None, **options) -> Button:
    return Button(verb, url_name, refusal is None, refusal.shown if refusal else "", **options)
