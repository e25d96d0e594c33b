"""Who may do what to a case, and when: the one place the workflow's rules are written.

`check(user, act, case)` answers None when the user may do the act to the
case now, or a Refusal saying why. Without a case it answers for any case:
only the rules about people are asked (a page deciding whether to offer an
action at all, a service refusing before it takes a lock). The services ask
again on the case they locked, so what a page showed earlier never decides
a write; the case page lists what the user may not do, disabled, with the
refusal's words.

A refusal's `reason` is what the service raises (PermissionDenied: not this
user; ValidationError: not this case now). Where the case page says it in
other words beside its button (it names the role, or points at the
button to use instead), those are `page`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from apps.accounts.roles import WORK, can_review, can_work
from apps.cases.models import WORKING_STATES, Case, Kind, State


class Act(StrEnum):
    TRIAGE = "triage"
    START = "start"
    SUBMIT = "submit"  # to review in one step, from any state the case is worked in
    RETURN = "return"
    DISMISS = "dismiss"
    APPROVE = "approve"  # and publish: the move to published is made only by approval
    PROPOSE = "propose"
    RETIRE = "retire"  # propose retiring a row
    WITHDRAW = "withdraw"
    REBASE = "rebase"
    COMMENT = "comment"
    ASSIGN = "assign"
    TAKE = "take"  # assign to oneself
    EDIT = "edit"  # the case's title, priority, due date, description


@dataclass(frozen=True)
class Refusal:
    reason: str
    error: type[Exception] = PermissionDenied
    page: str = ""

    def __str__(self) -> str:
        return self.reason

    @property
    def shown(self) -> str:
        """What the case page says beside the disabled button."""
        return self.page or self.reason

    def exception(self) -> Exception:
        return self.error(self.reason)


@dataclass(frozen=True)
class Move:
    act: Act
    verb: str  # shown on the button
    review: bool  # needs reviewer rights


MOVES: dict[tuple[str, str], Move] = {
    (State.NEW, State.TRIAGED): Move(Act.TRIAGE, "Triage", False),
    (State.TRIAGED, State.IN_PROGRESS): Move(Act.START, "Start work", False),
    (State.IN_PROGRESS, State.IN_REVIEW): Move(Act.SUBMIT, "Submit for review", False),
    (State.IN_REVIEW, State.IN_PROGRESS): Move(Act.RETURN, "Return to editor", True),
    (State.IN_REVIEW, State.PUBLISHED): Move(Act.APPROVE, "Approve and publish", True),
    (State.NEW, State.DISMISSED): Move(Act.DISMISS, "Dismiss", False),
    (State.TRIAGED, State.DISMISSED): Move(Act.DISMISS, "Dismiss", False),
    (State.IN_PROGRESS, State.DISMISSED): Move(Act.DISMISS, "Dismiss", False),
    (State.IN_REVIEW, State.DISMISSED): Move(Act.DISMISS, "Dismiss", True),
}
# The acts that are one move each, and the state each moves to.
MOVE_TO = {
    Act.TRIAGE: State.TRIAGED,
    Act.START: State.IN_PROGRESS,
    Act.RETURN: State.IN_PROGRESS,
    Act.DISMISS: State.DISMISSED,
}

# Acts only editors and reviewers (the work permission) do, and the refusal.
WORKERS_ONLY = {
    Act.PROPOSE: "Only editors and reviewers propose changes.",
    Act.RETIRE: "Only editors and reviewers propose changes.",
    Act.WITHDRAW: "Only editors and reviewers withdraw proposals.",
    Act.REBASE: "Only editors and reviewers rebase proposals.",
    Act.COMMENT: "Only editors and reviewers comment on cases.",
    Act.EDIT: "Only editors and reviewers edit cases.",
}
# Acts on proposals, which change only while the case is being worked: the verb said.
ON_PROPOSALS = {
    Act.PROPOSE: "proposed",
    Act.RETIRE: "proposed",
    Act.WITHDRAW: "withdrawn",
    Act.REBASE: "rebased",
}

# The query form of `being_worked`, for lists of cases that still take proposals.
BEING_WORKED = Q(state__in=WORKING_STATES)


def check(
    user, act: str, case: Case | None = None, *, assignee=None, proposers=None, stale: int = 0
) -> Refusal | None:
    """None if `user` may do `act` to `case` now, else why not.

    Facts the case does not hold: `assignee`, whom ASSIGN gives the case to
    (None: nobody, or not asked); `proposers`, the ids of the users who
    proposed in the case (read from `case.changes` when not given); `stale`,
    how many of its proposals were made against rows that changed since.
    """
    act = Act(act)
    if act in MOVE_TO:
        return _one_move(user, act, case)
    if act is Act.SUBMIT:
        return _submit(user, case)
    if act is Act.APPROVE:
        return _approve(user, case, proposers, stale)
    if act in (Act.ASSIGN, Act.TAKE):
        return _assign(user, case, user if act is Act.TAKE else assignee)
    if not can_work(user):
        return Refusal(WORKERS_ONLY[act])
    if case is None:
        return None
    if act in ON_PROPOSALS:
        return being_worked(case, ON_PROPOSALS[act])
    if act is Act.EDIT and not case.is_open:
        return Refusal("A closed case is not edited.", ValidationError)
    return None


def require(user, act: str, case: Case | None = None, **facts) -> None:
    """Raise the refusal's error, if `check` refuses."""
    enforce(check(user, act, case, **facts))


def enforce(refusal: Refusal | None) -> None:
    """Raise the refusal's error, if there is a refusal."""
    if refusal is not None:
        raise refusal.exception()


def move(user, case: Case, to_state: str) -> Refusal | None:
    """None if `user` may move `case` from its state to `to_state` now, else why not."""
    if to_state == State.PUBLISHED:
        return Refusal("A case is published by approving it.", ValidationError)
    refusal = _edge(user, case.state, to_state)
    if refusal is None and to_state == State.IN_REVIEW:
        return _has_a_proposal(case)
    return refusal


def allowed(user, from_state: str, to_state: str) -> bool:
    """The move table and the roles alone: whether this user may ever make this move."""
    return _edge(user, from_state, to_state) is None


def moves_for(user, state: str) -> list[tuple[str, str]]:
    """(target state, verb) pairs this user may take from `state`."""
    return [
        (to, m.verb) for (frm, to), m in MOVES.items() if frm == state and allowed(user, frm, to)
    ]


def being_worked(case: Case, verb: str) -> Refusal | None:
    """Proposals are added, withdrawn and rebased only while the case is being worked
    (the watcher's too, which no user makes)."""
    if case.is_being_worked:
        return None
    return Refusal(
        f"Proposals are {verb} while the case is being worked, not in state "
        f"{case.get_state_display()}; return it to the editor first.",
        ValidationError,
    )


def assignees() -> QuerySet:
    """Whom a case may be assigned to: every active user with the work permission."""
    return (
        get_user_model()
        .objects.with_perm(WORK, backend="django.contrib.auth.backends.ModelBackend")
        .order_by("username")
    )


def awaiting_review(user) -> Q:
    """The review queue of `user`: cases in review, less the ones they work themselves
    (a submitter keeps the case while it waits). Approval itself refuses a proposer."""
    return Q(state=State.IN_REVIEW) & ~Q(assignee=user)


def _edge(user, from_state: str, to_state: str) -> Refusal | None:
    found = MOVES.get((from_state, to_state))
    if found is not None and not can_work(user):
        page = "Only editors and reviewers move cases."
    elif found is not None and found.review and not can_review(user):
        page = f"Only reviewers may use “{found.verb}” on a case in review."
    elif found is not None:
        return None
    else:
        page = ""
    return _not_allowed(from_state, to_state, page)


def _not_allowed(from_state: str, to_state: str, page: str = "") -> Refusal:
    return Refusal(
        f"Moving a case from {State(from_state).label} to {State(to_state).label} "
        "is not allowed for you.",
        page=page,
    )


def _one_move(user, act: Act, case: Case | None) -> Refusal | None:
    if case is None:  # who may make such a move at all: asked of its least demanding edge
        edge = min((k for k, m in MOVES.items() if m.act is act), key=lambda k: MOVES[k].review)
        refusal = _edge(user, *edge)
        return None if refusal is None else Refusal(refusal.shown)
    to_state = MOVE_TO[act]
    found = MOVES.get((case.state, to_state))
    if found is None or found.act is not act:  # from here, no such move (start, not return)
        return _not_allowed(case.state, to_state)
    return move(user, case, to_state)


def _submit(user, case: Case | None) -> Refusal | None:
    if case is not None and not case.is_being_worked:
        return Refusal(
            f"Only a case being worked is submitted for review; this one is "
            f"{case.get_state_display()}.",
            ValidationError,
        )
    if not can_work(user):
        return Refusal("Only editors and reviewers submit cases for review.")
    return None if case is None else _has_a_proposal(case)


def _has_a_proposal(case: Case) -> Refusal | None:
    if case.kind == Kind.SOURCE_CHANGE or case.changes.exists():
        return None  # a watcher's case may close with no change: approval publishes nothing
    return Refusal(
        "A case goes to review with at least one proposed change; "
        "dismiss it if nothing needs to change.",
        ValidationError,
        page="Propose at least one change before submitting, or dismiss the case "
        "if nothing needs to change.",
    )


def _approve(user, case: Case | None, proposers, stale: int) -> Refusal | None:
    if case is not None and case.state != State.IN_REVIEW:
        return Refusal(
            f"Only a case in review can be approved; this one is {case.get_state_display()}.",
            ValidationError,
            page="A case is approved once it is in review: submit it first."
            if case.is_being_worked
            else "",
        )
    if not can_review(user):
        return Refusal(
            "Only reviewers approve cases.",
            page="Only reviewers approve and publish; another account with the reviewer role must.",
        )
    if case is None:
        return None
    if proposers is None:
        proposers = {change.proposed_by_id for change in case.changes.all()}
    if user.pk in proposers:  # four eyes, however many others proposed too
        return Refusal(
            "You proposed a change in this case: another reviewer must approve it.",
            page="You proposed a change in this case: another reviewer must approve it "
            "(four eyes).",
        )
    if stale:
        return Refusal(
            f"{stale} proposal(s) were made against rows that changed since: "
            "return and rebase them first.",
            ValidationError,
            page=f"{stale} proposal(s) were made against rows that changed since: "
            "return and rebase them first (below).",
        )
    return None


def _assign(user, case: Case | None, assignee) -> Refusal | None:
    if not can_work(user) or (assignee is not None and not can_work(assignee)):
        return Refusal("Only editors and reviewers take or assign cases.")
    if case is not None and not case.is_open:
        return Refusal("A closed case cannot be reassigned.", ValidationError)
    return None
