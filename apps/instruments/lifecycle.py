"""What the lifecycle's words mean: the one home of the status and event vocabularies.

The words themselves are the choices in apps.instruments.models (Status,
EventKind). Which statuses end an instrument, which let its obligations apply,
which event implies which status and which event a source's stated status
stands for are said here once; the derivation (apps.amendments.status), the
reading layer, the portal and the watcher all read them from here.
"""

from __future__ import annotations

from apps.instruments.models import EventKind, Status

# An instrument in one of these has stopped: its obligations no longer apply.
ENDED = frozenset(
    {
        Status.WITHDRAWN,
        Status.REPEALED,
        Status.REVOKED,
        Status.SUPERSEDED,
        Status.EXPIRED,
        Status.REJECTED,
    }
)
# An instrument in one of these binds: its obligations apply on their own dates.
APPLYING = frozenset({Status.IN_FORCE, Status.PARTLY_APPLICABLE})
# Not yet law: before adoption.
NOT_ADOPTED = frozenset({Status.UNKNOWN, Status.PROPOSED, Status.UNDER_NEGOTIATION})

# The status an event brings (an executive order's signature is special-cased by
# the derivation: it takes effect when signed).
EVENT_STATUS: dict[str, str] = {
    EventKind.PROPOSED: Status.PROPOSED,
    EventKind.INTRODUCED: Status.PROPOSED,
    EventKind.PASSED_CHAMBER: Status.UNDER_NEGOTIATION,
    EventKind.ADOPTED: Status.ADOPTED,
    EventKind.PUBLISHED: Status.ADOPTED,
    EventKind.ANNOUNCED: Status.ADOPTED,
    EventKind.SIGNED: Status.SIGNED,
    EventKind.OPENED_FOR_SIGNATURE: Status.SIGNED,
    EventKind.ENTERED_INTO_FORCE: Status.IN_FORCE,
    EventKind.APPLIES_FROM: Status.IN_FORCE,
    EventKind.WITHDRAWN: Status.WITHDRAWN,
    EventKind.REPEALED: Status.REPEALED,
    EventKind.REVOKED: Status.REVOKED,
    EventKind.SUPERSEDED: Status.SUPERSEDED,
    EventKind.EXPIRED: Status.EXPIRED,
    EventKind.REJECTED: Status.REJECTED,
}

# The stages an act reaches only once adopted: an ended act counts too (it was law until
# it ended), except a withdrawal or a rejection, which end a proposal.
ADOPTION = frozenset(
    {
        Status.ADOPTED,
        Status.SIGNED,
        Status.IN_FORCE,
        Status.PARTLY_APPLICABLE,
        Status.REPEALED,
        Status.REVOKED,
        Status.SUPERSEDED,
        Status.EXPIRED,
    }
)


PROPOSAL = frozenset({Status.PROPOSED, Status.UNDER_NEGOTIATION})


def only_proposed_on(events, day) -> bool:
    """Whether an act whose events are `events` was still a proposal on `day`: the record
    holds its proposal (or negotiation) and no event at or past adoption dated by then.
    An amendment takes effect only through an adopted act, so a proposal never reads as
    in effect (issue 23). An act with no such event says nothing of its stage: not refused."""
    events = list(events)
    if not any(EVENT_STATUS.get(e.kind) in PROPOSAL for e in events):
        return False
    return not any(e.date <= day and EVENT_STATUS.get(e.kind) in ADOPTION for e in events)


# A status is never typed: a status a source states becomes the event that implies it.
STATUS_EVENT: dict[str, str] = {
    Status.PROPOSED: EventKind.INTRODUCED,
    Status.UNDER_NEGOTIATION: EventKind.PASSED_CHAMBER,
    Status.ADOPTED: EventKind.ADOPTED,
    Status.WITHDRAWN: EventKind.WITHDRAWN,
    Status.REPEALED: EventKind.REPEALED,
    Status.EXPIRED: EventKind.EXPIRED,
}
