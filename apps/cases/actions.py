"""Which actions the case page offers a user, and why the others are not available.

An action the user may not take is still listed, disabled, with the reason
in a sentence: an editor sees that approval is a reviewer's, a proposer that
four eyes are needed, an author that a case goes to review with a proposal.
The services enforce the same rules; this only explains them in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.accounts.roles import can_review, can_work
from apps.cases.models import WORKING_STATES, Case, Kind, State
from apps.cases.workflow import MOVES, allowed


@dataclass(frozen=True)
class Button:
    verb: str
    url_name: str  # admin URL name, reversed with the case's id
    enabled: bool
    reason: str = ""  # why not, when disabled
    post: dict[str, str] = field(default_factory=dict)  # hidden fields
    primary: bool = False


def case_buttons(case: Case, user, *, proposers: set, stale: int) -> list[Button]:
    """The buttons of the case page, in workflow order. `proposers`: ids of users who
    proposed in the case; `stale`: how many of its proposals are stale."""
    buttons: list[Button] = []
    if case.state in WORKING_STATES:
        buttons.append(_submit(case, user))
    for (frm, to), (verb, needs_review) in MOVES.items():
        if frm != case.state or to in (State.PUBLISHED, State.IN_REVIEW):
            continue  # approval and submission have their own buttons
        ok = allowed(user, frm, to)
        reason = ""
        if not ok:
            reason = (
                f"Only reviewers may use “{verb}” on a case in review."
                if needs_review
                else "Only editors and reviewers move cases."
            )
        buttons.append(Button(verb, "admin:cases_case_move", ok, reason, {"to": to}))
    if case.state == State.IN_REVIEW:
        # A stale proposal's three-way view carries "Return and rebase" (its choices).
        buttons.append(_approve(user, proposers, stale))
    elif case.is_open:
        buttons.append(
            Button(
                "Approve and publish",
                "admin:cases_case_approve",
                False,
                "A case is approved once it is in review: submit it first.",
            )
        )
    return buttons


def _submit(case: Case, user) -> Button:
    reason = ""
    if not can_work(user):
        reason = "Only editors and reviewers submit cases for review."
    elif not case.changes.all() and case.kind != Kind.SOURCE_CHANGE:
        reason = (
            "Propose at least one change before submitting, or dismiss the case "
            "if nothing needs to change."
        )
    return Button("Submit for review", "admin:cases_case_submit", not reason, reason, primary=True)


def _approve(user, proposers: set, stale: int) -> Button:
    reason = ""
    if not can_review(user):
        reason = "Only reviewers approve and publish; another account with the reviewer role must."
    elif user.pk in proposers:
        reason = "You proposed a change in this case: another reviewer must approve it (four eyes)."
    elif stale:
        reason = (
            f"{stale} proposal(s) were made against rows that changed since: "
            "return and rebase them first (below)."
        )
    return Button(
        "Approve and publish", "admin:cases_case_approve", not reason, reason, primary=True
    )
