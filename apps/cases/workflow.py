"""Which moves a case may make, and who may make them.

Publishing is not a plain move: it happens only through case_approve, which
applies the changes in the same transaction.
"""

from __future__ import annotations

from apps.accounts.roles import can_review, can_work
from apps.cases.models import State

# (from, to) -> (verb shown on the button, needs reviewer rights)
MOVES: dict[tuple[str, str], tuple[str, bool]] = {
    (State.NEW, State.TRIAGED): ("Triage", False),
    (State.TRIAGED, State.IN_PROGRESS): ("Start work", False),
    (State.IN_PROGRESS, State.IN_REVIEW): ("Submit for review", False),
    (State.IN_REVIEW, State.IN_PROGRESS): ("Return to editor", True),
    (State.IN_REVIEW, State.PUBLISHED): ("Approve and publish", True),
    (State.NEW, State.DISMISSED): ("Dismiss", False),
    (State.TRIAGED, State.DISMISSED): ("Dismiss", False),
    (State.IN_PROGRESS, State.DISMISSED): ("Dismiss", False),
    (State.IN_REVIEW, State.DISMISSED): ("Dismiss", True),
}


def allowed(user, from_state: str, to_state: str) -> bool:
    move = MOVES.get((from_state, to_state))
    if move is None or not can_work(user):
        return False
    return can_review(user) if move[1] else True


def moves_for(user, state: str) -> list[tuple[str, str]]:
    """(target state, verb) pairs this user may take from `state`."""
    return [
        (to, verb)
        for (frm, to), (verb, _) in MOVES.items()
        if frm == state and allowed(user, frm, to)
    ]
