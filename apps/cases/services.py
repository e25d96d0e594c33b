"""Writes of the editorial workflow. Each is atomic and writes its timeline entry.

Every service that changes a case locks it first and asks apps.cases.policy
under the lock, so a request that loaded the case earlier cannot act on a
state it no longer has. Curated rows change only through apps.record.services.write.
Notifications are queued as Celery tasks once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.amendments.kinds import CHANGED_AS
from apps.cases import conflicts, effects, notices
from apps.cases.models import Case, Comment, Evidence, Kind, ProposedChange, State, Transition
from apps.cases.policy import Act, being_worked, check, enforce, move, require
from apps.record import references, rows
from apps.record import services as record
from apps.record.models import Action, AppliedChange, Origin
from apps.record.registry import REGISTRY
from apps.record.services import Conflict, lock_audit_trail

__all__ = ["Conflict", "lock_audit_trail"]  # re-exported: callers catch services.Conflict


@transaction.atomic
def case_open(
    *,
    title: str,
    kind: str,
    created_by=None,
    priority: int = 2,
    due_on=None,
    instrument=None,
    description: str = "",
    public_reason: str = "",
    evidence: list[dict[str, str]] = (),
    follows_up: Case | None = None,
    source=None,
    reporter=None,
) -> Case:
    case = Case(
        title=title,
        kind=kind,
        priority=priority,
        due_on=due_on,
        created_by=created_by,
        instrument=instrument,
        description=description,
        public_reason=public_reason,
        follows_up=follows_up,
        source=source,
        reporter=reporter,
    )
    case.full_clean()
    case.save()
    Transition.objects.create(
        case=case, from_state="", to_state=State.NEW, actor=created_by, note="opened"
    )
    for item in evidence:
        Evidence.objects.create(case=case, **item)
    return case


@transaction.atomic
def case_transition(*, case: Case, to_state: str, actor, note: str = "") -> Case:
    case = _lock(case.pk)
    enforce(move(actor, case, to_state))
    _move(case, to_state, actor, note)
    return case


def _move(case: Case, to_state: str, actor, note: str) -> None:
    from_state = case.state
    case.state = to_state
    case.save(update_fields=["state", "updated_at"])
    Transition.objects.create(
        case=case, from_state=from_state, to_state=to_state, actor=actor, note=note[:500]
    )
    notices.case_moved(case, from_state, to_state, actor, note)


@transaction.atomic
def case_assign(*, case: Case, assignee, actor) -> Case:
    case = _lock(case.pk)
    require(actor, Act.ASSIGN, case, assignee=assignee)
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    Transition.objects.create(
        case=case,
        from_state=case.state,
        to_state=case.state,
        actor=actor,
        note=f"assigned to {assignee}" if assignee else "unassigned",
    )
    if assignee is not None:
        notices.case_assigned(case, assignee, actor)
    return case


@transaction.atomic
def case_edit(*, case: Case, actor, **fields: Any) -> Case:
    """Title, priority, due date, description or public reason of an open case: plain edits."""
    require(actor, Act.EDIT)
    editable = {"title", "priority", "due_on", "description", "public_reason"}
    if set(fields) - editable:
        raise ValidationError(f"Only {', '.join(sorted(editable))} are edited directly.")
    locked = _lock(case.pk)
    require(actor, Act.EDIT, locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=[*fields, "updated_at"])
    return locked


@transaction.atomic
def case_comment(*, case: Case, author, body: str) -> Comment:
    require(author, Act.COMMENT, case)
    body = body.strip()
    if not body:
        raise ValidationError("A comment cannot be empty.")
    case = _lock(case.pk)
    comment = Comment.objects.create(case=case, author=author, body=body)
    notices.comment_added(comment)
    return comment


@transaction.atomic
def case_raise_priority(*, case: Case, priority: int) -> Case:
    """The watcher saw a more significant change: the case moves up, never down."""
    case = _lock(case.pk)
    if case.is_open and priority > case.priority:
        case.priority = priority
        case.save(update_fields=["priority", "updated_at"])
    return case


@transaction.atomic
def change_propose(
    *, case: Case, actor, target: str, action: str, row=None, values: dict[str, Any] | None = None
) -> ProposedChange:
    """Propose creating, updating or retiring one row; validated now and again on approval.

    An update keeps only the keys that differ from the live row, so applying
    it (or rebasing it) never carries the rest of an old row over a newer edit.
    """
    case = _lock(case.pk)
    require(actor, Act.RETIRE if action == Action.RETIRE else Act.PROPOSE, case)
    values = values or {}
    if action == Action.CREATE:
        rows.build(target, values, None)
        effects.check_proposal(target, values, None)
        row_id = base_version = None
    else:
        if row is None:
            raise ValidationError("An update or retirement names its row.")
        row = rows.fetch(target, row.pk)
        if action == Action.UPDATE:
            rows.build(target, values, row)
            live = rows.snapshot(target, row)
            effects.check_proposal(target, values, live)
            wanted = rows.normalise(target, values, live)
            values = {k: v for k, v in values.items() if k in wanted and live.get(k) != wanted[k]}
            if not values:
                raise ValidationError("The proposal changes nothing in the live row.")
        else:
            values = {}
        row_id, base_version = row.pk, row.version
    return ProposedChange.objects.create(
        case=case,
        target=target,
        action=action,
        row_id=row_id,
        base_version=base_version,
        values=values,
        proposed_by=actor,
    )


@transaction.atomic
def change_rebase(
    *, change: ProposedChange, actor, take_live: Collection[str] = ()
) -> ProposedChange:
    """Re-base a stale proposal on the row's current version, re-validating it.

    `take_live` names the proposed fields where the live value wins: they
    leave the proposal. The rebase and what was chosen go on the timeline.
    """
    case = _lock(change.case_id)
    require(actor, Act.REBASE, case)
    change = ProposedChange.objects.select_for_update().get(pk=change.pk)
    if change.action == Action.CREATE:
        return change
    row = rows.model_of(change.target).objects.get(pk=change.row_id)
    if row.version == change.base_version and not take_live:
        return change  # nothing moved: no rebase, no timeline entry
    unknown = set(take_live) - set(change.values)
    if unknown:
        raise ValidationError(f"The proposal does not change {', '.join(sorted(unknown))}.")
    kept = {k: v for k, v in change.values.items() if k not in take_live}
    if change.action == Action.UPDATE:
        if not kept:
            raise ValidationError(
                "Taking the live value of every field leaves nothing to propose: "
                "withdraw the proposal instead."
            )
        rows.build(change.target, kept, row)
    old_version, change.values, change.base_version = change.base_version, kept, row.version
    change.save(update_fields=["values", "base_version"])
    Transition.objects.create(
        case=case,
        from_state=case.state,
        to_state=case.state,
        actor=actor,
        note=conflicts.rebase_note(change, row, old_version, take_live)[:500],
    )
    return change


@dataclass
class Approval:
    case: Case
    applied: list[AppliedChange]
    follow_ups: list[Case]


def case_approve(*, case: Case, reviewer) -> Approval:
    """Apply every proposed change of the case in one transaction, or none.

    Steps:
    1. Ask the policy: a reviewer, a case in review, nothing proposed by them.
    2. Take the audit lock, lock the case and the target rows (in a fixed
       order, so two approvals cannot deadlock).
    3. Refuse as a whole, naming the rows, if any base version is stale.
    4. Apply each change through the write service, which records it.
    5. Publish the case; flag obligations of amended instruments and open
       follow-up cases; notify after commit.
    """
    require(reviewer, Act.APPROVE)  # before any lock
    with transaction.atomic():
        lock_audit_trail()
        case = _lock(case.pk)
        changes = list(case.changes.order_by("target", "row_id", "id"))
        proposers = {c.proposed_by_id for c in changes}
        require(reviewer, Act.APPROVE, case, proposers=proposers)
        locked = _lock_rows(changes)
        stale = [
            f"{rows.label(c.target, locked[(c.target, c.row_id)])} (proposed against version "
            f"{c.base_version}, now {locked[(c.target, c.row_id)].version})"
            f"{conflicts.stale_note(c)}"
            for c in changes
            if c.action != Action.CREATE and locked[(c.target, c.row_id)].version != c.base_version
        ]
        if check(reviewer, Act.APPROVE, case, proposers=proposers, stale=len(stale)):
            raise Conflict(stale)  # the refusal left: the record's error names the rows
        applied: list[AppliedChange] = []
        # Rows are locked in (target, id) order above; they are written in the
        # registry's order, so a row is created before a row that names it.
        order = list(REGISTRY)
        for change in sorted(changes, key=lambda c: (order.index(c.target), c.id)):
            why = record.Why(Origin.CASE, case=case, proposer=change.proposed_by, approver=reviewer)
            written = record.write(
                target=change.target,
                action=change.action,
                row=change.row_id,
                values=change.values,
                base_version=change.base_version,
                why=why,
            )
            applied.extend(written.changes)
        _move(case, State.PUBLISHED, reviewer, f"approved {len(changes)} change(s)")
        follow_ups = _follow_up(case, applied, reviewer)
    return Approval(case, applied, follow_ups)


def _lock_rows(changes: list[ProposedChange]) -> dict[tuple[str, int], Any]:
    locked: dict[tuple[str, int], Any] = {}
    for change in changes:
        if change.action == Action.CREATE or (change.target, change.row_id) in locked:
            continue
        model = rows.model_of(change.target)
        row = model.objects.select_for_update().filter(pk=change.row_id).first()
        if row is None:
            raise Conflict([f"{model._meta.verbose_name} #{change.row_id} no longer exists"])
        locked[(change.target, change.row_id)] = row
    return locked


# What an amendment does: a change to any of these re-opens obligations of its target.
_EFFECT_FIELDS = {*effects.WHAT_IT_DOES, "effects"}


def _follow_up(case: Case, applied: list[AppliedChange], reviewer) -> list[Case]:
    """An amendment that changes an instrument puts its obligations up for review
    (which ones: apps.cases.effects.to_review; none while it is pending).

    The flag is a recorded change of each obligation, made in the case's name.
    """
    from apps.amendments.models import Amendment

    opened = []
    # A new amendment, or one whose effect moved; a corrected summary is no new change.
    entries = {
        a.row_id: a
        for a in applied
        if a.target == "amendment"
        and a.after
        and (a.action == Action.CREATE or _EFFECT_FIELDS & set(a.after))
    }
    for amendment in Amendment.objects.filter(pk__in=entries):
        # Effects name what they change, whatever the kind; without them, the kind says.
        if amendment.kind not in CHANGED_AS and not amendment.effects.exists():
            continue
        target = amendment.target_instrument
        done = CHANGED_AS.get(amendment.kind, "changed")
        why = record.Why(
            Origin.CASE,
            case=case,
            approver=reviewer,
            reason=f"flagged for review: {target.title} {done}",
        )
        entry = entries[amendment.pk]
        flagged = [
            written
            for obligation_id in effects.to_review(amendment, entry.before, entry.after)
            .values_list("pk", flat=True)
            .order_by("pk")
            if (
                written := record.write(
                    target="obligation", row=obligation_id, values={"needs_review": True}, why=why
                )
            ).change
        ]
        if not flagged:
            continue
        opened.append(
            case_open(
                title=f"Review obligations of {target.title}: {done}",
                kind=Kind.CORRECTION,
                instrument=target,
                follows_up=case,
                priority=3,
                description=f"{len(flagged)} obligation(s) flagged for review by case #{case.pk}.",
            )
        )
    return opened


@transaction.atomic
def change_withdraw(*, change: ProposedChange, actor) -> None:
    """Drop a proposal from a case that is still being worked."""
    require(actor, Act.WITHDRAW, _lock(change.case_id))
    change.delete()


def _lock(case_id: int) -> Case:
    return Case.objects.select_for_update().get(pk=case_id)


@transaction.atomic
def change_propose_by_watcher(
    *, case: Case, target: str, values: dict[str, Any], row=None
) -> ProposedChange:
    """A row read by a watcher adapter (new, or an update of `row`), validated like an
    editor's proposal. Nobody is its proposer, so any reviewer may approve it."""
    enforce(being_worked(_lock(case.pk), "added"))
    # A row it names may be proposed in this same case (a new order and the
    # revocation it makes): the approval creates that one first.
    rows.build(
        target,
        values,
        row,
        pending=lambda model, reference: references.proposed_in(case.changes, model, reference),
    )
    effects.check_proposal(target, values, rows.snapshot(target, row) if row else None)
    return ProposedChange.objects.create(
        case=case,
        target=target,
        action=Action.UPDATE if row is not None else Action.CREATE,
        row_id=row.pk if row is not None else None,
        base_version=row.version if row is not None else None,
        values=values,
        proposed_by=None,
    )
