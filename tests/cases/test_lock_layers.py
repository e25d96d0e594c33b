"""Each lock an approval takes, on its own, in real transactions on real connections.

The audit advisory lock serialises every approval, so two approvals alone never
show the case lock, the row locks or their order at work. Where that masks a
layer, a third connection holds that layer (or does what a well-behaved writer
does) and the test watches the approval wait for it in pg_locks, then checks
what the approval did once the holder let go.
"""

from __future__ import annotations

import queue
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F

from apps.cases import services
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from apps.record import rows
from apps.record import services as record
from apps.record.models import AppliedChange
from tests.helpers import make_testland_law, move, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _two_laws() -> tuple[Instrument, Instrument]:
    first = make_testland_law()
    second = Instrument.objects.create(
        slug="zz-law-2",
        title="Testland AI law 2",
        kind="law",
        jurisdiction=first.jurisdiction,
        legal_force="binding",
    )
    assert first.pk < second.pk
    return first, second


def _case_in_review(editor, *rows_, summary: str) -> Case:
    """A case by `editor` updating the summary of each row, in the order given."""
    case = move(
        services.case_open(title=summary, kind="correction", created_by=editor),
        editor,
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    for row in rows_:
        services.change_propose(
            case=case,
            actor=editor,
            target="instrument",
            action="update",
            row=row,
            values={"summary": summary},
        )
    return move(case, editor, State.IN_REVIEW)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _lock_awaited_by(pid: int, timeout: float = 4.0) -> str | None:
    """The kind of lock the backend `pid` waits for once it waits; None if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT locktype FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            waiting = cursor.fetchone()
        if waiting:
            return waiting[0]
        time.sleep(0.01)
    return None


class Holder:
    """A third connection's transaction that the approval must wait for.

    `hold` runs in its own thread: it calls `take` in a transaction, lets the
    approval start, waits until the approval's backend waits for a lock, calls
    `then` (still holding), notes "released" and commits.
    """

    def __init__(self) -> None:
        self.held = threading.Event()
        self.pid: queue.Queue[int] = queue.Queue()
        self.events: list[str] = []
        self.awaited: str | None = None

    def hold(self, take, then=lambda: None):
        def run():
            with transaction.atomic():
                take()
                self.held.set()
                self.awaited = _lock_awaited_by(self.pid.get(timeout=5))
                then()
                self.events.append("released")

        return run

    def approve(self, case: Case, reviewer):
        def run():
            self.pid.put(_backend_pid())
            self.held.wait(timeout=5)
            try:
                return services.case_approve(case=case, reviewer=reviewer)
            finally:
                self.events.append("approval done")

        return run


def _lock(*instruments: Instrument) -> list[Instrument]:
    pks = [i.pk for i in instruments]
    return list(Instrument.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


# -- (a) and (d) as two reviewers meet them ------------------------------------------------


def test_two_approvals_over_the_same_rows_in_opposite_orders_both_finish_one_applied(cast):
    first, second = _two_laws()
    forward = _case_in_review(cast["editor"], first, second, summary="Forward.")
    backward = _case_in_review(cast["editor2"], second, first, summary="Backward.")

    results = run_together(
        lambda: services.case_approve(case=forward, reviewer=cast["reviewer"]),
        lambda: services.case_approve(case=backward, reviewer=cast["reviewer2"]),
    )

    approved = [i for i, r in enumerate(results) if isinstance(r, services.Approval)]
    assert len(approved) == 1, results  # neither died of a deadlock
    [refused] = [r for r in results if not isinstance(r, services.Approval)]
    assert isinstance(refused, services.Conflict), refused
    assert len(refused.stale) == 2  # both rows named: judged after locking them all
    for row in (first, second):
        assert rows.label("instrument", row) in str(refused)
    winner, loser = [(forward, backward), (backward, forward)][approved[0]]
    both = Instrument.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert list(both.values_list("summary", "version")) == [(winner.title, 2)] * 2
    assert AppliedChange.objects.filter(case=winner).count() == 2
    assert not AppliedChange.objects.filter(case=loser).exists()
    assert Case.objects.get(pk=loser.pk).state == State.IN_REVIEW


# -- (a) the row locks ---------------------------------------------------------------------


def test_an_approval_waits_for_a_row_lock_held_elsewhere_and_judges_staleness_after_it(cast):
    first, second = _two_laws()
    case = _case_in_review(cast["editor"], first, second, summary="Ours.")
    holder = Holder()

    def write_both_elsewhere():
        _lock(first, second)
        Instrument.objects.filter(pk__in=[first.pk, second.pk]).update(
            summary="Written elsewhere.", version=F("version") + 1
        )

    held, refused = run_together(
        holder.hold(write_both_elsewhere), holder.approve(case, cast["reviewer"])
    )

    assert held is None, held
    assert holder.awaited == "transactionid"  # a row lock
    assert holder.events == ["released", "approval done"]
    assert isinstance(refused, services.Conflict), refused
    # Had it read the rows before the writer let go, both would have looked current.
    assert len(refused.stale) == 2
    for row in (first, second):
        assert f"{rows.label('instrument', row)} (proposed against version 1, now 2)" in str(
            refused
        )
    assert not AppliedChange.objects.filter(case=case).exists()
    assert set(
        Instrument.objects.filter(pk__in=[first.pk, second.pk]).values_list("summary", flat=True)
    ) == {"Written elsewhere."}
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


# -- (d) the order of the row locks --------------------------------------------------------


def test_an_approval_locks_its_rows_in_a_fixed_order_whatever_order_they_were_proposed(cast):
    first, second = _two_laws()
    # Proposed second row first: locking in proposal order would take `second` first.
    case = _case_in_review(cast["editor"], second, first, summary="Ours.")
    holder = Holder()

    # A writer that locks in the same fixed order: `first`, then (while the approval
    # waits for `first`) `second`. Had the approval locked `second` already, the two
    # would deadlock and PostgreSQL would kill one of them.
    held, approval = run_together(
        holder.hold(lambda: _lock(first), then=lambda: _lock(second)),
        holder.approve(case, cast["reviewer"]),
    )

    assert held is None, held
    assert holder.awaited == "transactionid"
    assert holder.events == ["released", "approval done"]
    assert isinstance(approval, services.Approval), approval
    assert sorted(c.row_id for c in approval.applied) == [first.pk, second.pk]
    assert set(
        Instrument.objects.filter(pk__in=[first.pk, second.pk]).values_list("summary", flat=True)
    ) == {"Ours."}


# -- (b) the audit advisory lock -----------------------------------------------------------


def test_an_approval_takes_the_audit_lock_before_any_row_lock(cast):
    first, other = _two_laws()
    case = _case_in_review(cast["editor"], first, summary="Ours.")
    holder = Holder()
    written: list[int] = []

    # A writer in the order `record.write` keeps: the audit lock, then the row.
    # Had the approval locked `first` before asking for the audit lock, the
    # writer would wait for it while it waits for the writer: a deadlock.
    def lock_the_row_and_write_another():
        _lock(first)
        change = record.write(
            target="instrument",
            row=other,
            values={"summary": "Written by the holder."},
            why=record.Why.system("test"),
        ).change
        written.append(change.pk)

    held, approval = run_together(
        holder.hold(record.lock_audit_trail, then=lock_the_row_and_write_another),
        holder.approve(case, cast["reviewer"]),
    )

    assert held is None, held
    assert holder.awaited == "advisory"
    assert holder.events == ["released", "approval done"]
    assert isinstance(approval, services.Approval), approval
    # The approval's audit entries come after the holder's, which committed first.
    assert min(c.pk for c in approval.applied) > written[0]
    assert Instrument.objects.get(pk=first.pk).summary == "Ours."


# -- (c) the case lock ---------------------------------------------------------------------


def test_two_reviewers_approving_the_same_case_at_once_publish_it_once(cast):
    first, second = _two_laws()
    case = _case_in_review(cast["editor"], first, second, summary="Ours.")

    results = run_together(
        lambda: services.case_approve(case=case, reviewer=cast["reviewer"]),
        lambda: services.case_approve(case=case, reviewer=cast["reviewer2"]),
    )

    assert sum(isinstance(r, services.Approval) for r in results) == 1, results
    [refused] = [r for r in results if not isinstance(r, services.Approval)]
    assert isinstance(refused, ValidationError), refused
    assert refused.messages == ["Only a case in review can be approved; this one is published."]
    assert AppliedChange.objects.filter(case=case).count() == 2
    assert case.transitions.filter(to_state=State.PUBLISHED).count() == 1
    assert Instrument.objects.get(pk=first.pk).version == 2


def test_an_approval_waits_for_the_case_lock_and_refuses_a_case_returned_meanwhile(cast):
    first, _ = _two_laws()
    case = _case_in_review(cast["editor"], first, summary="Ours.")
    holder = Holder()

    def return_to_editor():
        services.case_transition(case=case, to_state=State.IN_PROGRESS, actor=cast["reviewer2"])

    held, refused = run_together(
        holder.hold(return_to_editor), holder.approve(case, cast["reviewer"])
    )

    assert held is None, held
    assert holder.awaited == "transactionid"  # the case row
    assert holder.events == ["released", "approval done"]
    assert isinstance(refused, ValidationError), refused
    assert refused.messages == ["Only a case in review can be approved; this one is in progress."]
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    assert not case.transitions.filter(to_state=State.PUBLISHED).exists()
    assert not AppliedChange.objects.filter(case=case).exists()
    assert Instrument.objects.get(pk=first.pk).version == 1
