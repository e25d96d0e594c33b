"""A reader's report: who takes it, the case it opens, and what the reader sees of it.

The rule (issue 23): the editor responsible for the reported row's jurisdiction,
else the editor on duty, else nobody. Both are rows of ReportDuty, which an
administrator edits in the desk. A person named there who can no longer work cases
(deactivated, or their role taken away) is passed over, so a report never waits
on someone who cannot open it. A report nobody takes stays unassigned, says why on
its timeline, and is listed on every editor's desk (apps/cases/desk.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q

from apps.accounts.roles import can_work
from apps.cases import notices, services
from apps.cases.models import Case, Evidence, EvidenceKind, Kind, ReportDuty, State, Transition


@dataclass(frozen=True)
class Taker:
    editor: object | None  # a user, or None: nobody takes it
    why: str  # in words, for the case's timeline and the assignee's email


def taker(jurisdiction) -> Taker:
    """Who takes a report about `jurisdiction` (None: a page about no one jurisdiction)."""
    slots = Q(jurisdiction__isnull=True)
    if jurisdiction is not None:
        slots |= Q(jurisdiction=jurisdiction)
    duties = ReportDuty.objects.filter(slots).select_related("editor")
    # The jurisdiction's own editor first, then the one on duty.
    for duty in sorted(duties, key=lambda d: d.jurisdiction_id is None):
        if not can_work(duty.editor):
            continue
        if duty.jurisdiction_id is not None:
            return Taker(duty.editor, f"the editor responsible for {jurisdiction.name}")
        return Taker(duty.editor, "the editor on duty")
    where = f"no editor is responsible for {jurisdiction.name} and " if jurisdiction else ""
    return Taker(None, f"{where}no editor is on duty")


@transaction.atomic
def open_report(
    *, reporter, message: str, url: str, page: str, instrument=None, jurisdiction=None
) -> Case:
    """Open the case of a reader's report and hand it to whoever the rule names."""
    about = instrument.title if instrument is not None else page or "the portal"
    case = services.case_open(
        title=f"Reader report on {about}"[:300],
        kind=Kind.READER_REQUEST,
        instrument=instrument,
        reporter=reporter,
        evidence=[
            {
                "kind": EvidenceKind.READER_REQUEST,
                "url": url,
                "title": f"Reported on {page or 'the portal'} by {reporter.get_username()}"[:300],
                "text": message,
            }
        ],
    )
    if jurisdiction is None and instrument is not None:
        jurisdiction = instrument.jurisdiction
    found = taker(jurisdiction)
    if found.editor is not None:
        case.assignee = found.editor
        case.save(update_fields=["assignee", "updated_at"])
    note = f"assigned to {found.editor}" if found.editor else "unassigned"
    note = f"{note}: {found.why}"
    Transition.objects.create(
        case=case, from_state=case.state, to_state=case.state, actor=None, note=note[:500]
    )
    if found.editor is not None:
        notices.reader_report_assigned(case, found.editor, found.why, message)
    return case


# -- what the reader sees ----------------------------------------------------------

BEING_LOOKED_AT = {State.TRIAGED, State.IN_PROGRESS, State.IN_REVIEW}


@dataclass(frozen=True)
class ReportView:
    number: int
    received: object  # a datetime
    page: str  # the address reported on ("" when it was the portal at large)
    message: str
    state: str  # received, being looked at, closed
    outcome: str  # for a closed report: what the editors did
    reason: str  # the editors' public reason, once closed


def state_of(case: Case) -> tuple[str, str]:
    """The state as a reader says it, and for a closed report its outcome."""
    if case.state == State.PUBLISHED:
        return "closed", "The editors corrected the record."
    if case.state == State.DISMISSED:
        return "closed", "The editors made no change to the record."
    if case.state in BEING_LOOKED_AT:
        return "being looked at", ""
    return "received", ""


def reports_of(user) -> list[ReportView]:
    """The signed-in reader's own reports, newest first (two queries)."""
    cases = (
        Case.objects.filter(reporter=user, kind=Kind.READER_REQUEST)
        .order_by("-created_at", "-pk")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(kind=EvidenceKind.READER_REQUEST),
                to_attr="messages",
            )
        )
    )
    shown = []
    for case in cases:
        first = case.messages[0] if case.messages else None
        state, outcome = state_of(case)
        shown.append(
            ReportView(
                number=case.pk,
                received=case.created_at,
                page=first.url if first else "",
                message=first.text if first else "",
                state=state,
                outcome=outcome,
                # A reason is public once the case is closed; before, it may be a draft.
                reason=case.public_reason if state == "closed" else "",
            )
        )
    return shown
