"""The one write path for curated rows: every change is locked, versioned and audited.

Case approval, administrators' direct edits, the seed loader, flags and the
derived status all call `write`; nothing else creates, updates or retires a
curated row (apps.record.registry) or one of its children.

`write` steps:
1. Take the audit trail's advisory lock (AppliedChange ids in commit order)
   and lock the row; refuse a stale base version as a Conflict.
2. Normalise the new values against the row as it is (children matched by
   natural key keep what the writer did not give) and keep only the keys that
   differ: a write that changes nothing writes nothing.
3. Save exactly those fields and children, bump `version`, re-derive the
   status of the instruments whose facts moved, and record one AppliedChange
   per changed row with the before and after of the keys that changed.
PostgreSQL checks the models' CheckConstraints; a violation comes back as a
ValidationError carrying the constraint's own message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from apps.amendments.status import derive_status
from apps.core.constraints import explain, validate_without_checks
from apps.record import rows
from apps.record.models import Action, AppliedChange, Origin, Verification

# Serialises writers so AppliedChange ids follow commit order (see AppliedChange).
_AUDIT_LOCK = 0x7472_6163  # "trac"


class Conflict(Exception):
    """A write refused because rows changed since the proposals were made."""

    def __init__(self, stale: list[str]) -> None:
        self.stale = stale
        super().__init__(
            "These rows changed since the proposal was made; rebase the "
            "proposals on the current rows: " + "; ".join(stale)
        )


@dataclass(frozen=True)
class Why:
    """Who made a write and on what authority; stored on each AppliedChange."""

    origin: str
    # The approving case (a cases.Case): the record names the workflow's rows
    # without importing the workflow.
    case: Any = None
    proposer: Any = None
    approver: Any = None
    reason: str = ""

    @classmethod
    def system(cls, reason: str, case: Any = None) -> Why:
        return cls(Origin.CASE if case else Origin.SYSTEM, case=case, reason=reason)


@dataclass
class Written:
    row: models.Model | None
    change: AppliedChange | None  # None when nothing changed
    also: list[AppliedChange] = field(default_factory=list)  # derived changes of other rows

    @property
    def outcome(self) -> str:
        if self.change is None:
            return "unchanged"
        return {Action.CREATE: "inserted", Action.RETIRE: "retired"}.get(
            self.change.action, "updated"
        )

    @property
    def changes(self) -> list[AppliedChange]:
        return ([self.change] if self.change else []) + self.also


def lock_audit_trail() -> None:
    """Serialise writers of the audit trail until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK])


@transaction.atomic
def write(
    *,
    target: str,
    why: Why,
    action: str = Action.UPDATE,
    row: models.Model | int | None = None,
    values: dict[str, Any] | None = None,
    base_version: int | None = None,
) -> Written:
    """Create (row=None), update or retire one curated row; see the module's steps."""
    lock_audit_trail()
    values = values or {}
    current = None
    if row is not None:
        pk = row if isinstance(row, int) else row.pk
        try:
            current = rows.fetch(target, pk, lock=True)
        except rows.model_of(target).DoesNotExist:
            name = rows.model_of(target)._meta.verbose_name
            raise Conflict([f"{name} #{pk} no longer exists"]) from None
        if base_version is not None and current.version != base_version:
            raise Conflict(
                [
                    f"{rows.label(target, current)} (proposed against version "
                    f"{base_version}, now {current.version})"
                ]
            )
    if action == Action.RETIRE:
        return _retire(target, current, why)
    before = rows.snapshot(target, current) if current is not None else None
    wanted = rows.normalise(
        target, values, before, stamps=why.origin in (Origin.SEED, Origin.VERIFY)
    )
    if before is not None:
        wanted = {k: v for k, v in wanted.items() if before.get(k) != v}
        if not wanted:
            return Written(current, None)
    try:
        with transaction.atomic():
            obj = _save(target, current, wanted)
    except IntegrityError as exc:
        raise ValidationError(explain(exc, _models(target))) from None
    obj = rows.fetch(target, obj.pk)
    moved = _status_moves(target, before, wanted, obj)
    if target == "instrument" and obj.pk in moved:
        _refresh_own_derived(obj)
        moved.discard(obj.pk)
    after = rows.snapshot(target, obj)
    change = _record(target, current is None, obj, before, after, why)
    also = [c for pk in sorted(moved) if (c := refresh_status(pk, why)) is not None]
    return Written(obj, change, also)


def _models(target: str) -> list[type[models.Model]]:
    curated = rows.kind(target)
    return [curated.model, *(child.model for child in curated.children)]


def _save(target: str, current: models.Model | None, wanted: dict[str, Any]) -> models.Model:
    curated = rows.kind(target)
    obj = current if current is not None else curated.model()
    changed_fields = [f for f in (*curated.fields, *curated.stamp_fields) if f.name in wanted]
    for f in changed_fields:
        setattr(obj, f.attname, rows.python(f, wanted[f.name]))
    validate_without_checks(obj)
    if current is None:
        obj.save()
    else:
        obj.version += 1
        obj.save(update_fields=[f.attname for f in changed_fields] + ["version", "updated_at"])
    if "citations" in wanted:
        rows.check_citations(wanted["citations"])
        obj.citations.set(wanted["citations"])
    for child in curated.children:
        if child.related in wanted:
            _sync_children(child, obj, wanted[child.related])
    if target == "instrument" and current is not None and "events" in wanted:
        # Checked again under the lock: another case may have dated an amendment
        # through this act since the events were proposed.
        rows.check_adoption(obj, list(curated.child("events").model.objects.filter(instrument=obj)))
    return obj


def _sync_children(child, parent: models.Model, items: list[dict[str, Any]]) -> None:
    """Delete, update and add children by natural key; an untouched child keeps its row."""
    existing = {
        rows.child_key(child, rows.child_snapshot(child, c)): c for c in _children(child, parent)
    }
    wanted = {rows.child_key(child, item): item for item in items}
    for key, instance in existing.items():
        if key not in wanted:
            instance.delete()
    for key, item in wanted.items():
        instance = existing.get(key)
        if instance is not None and rows.child_snapshot(child, instance) == item:
            continue
        if instance is None:
            instance = rows.child_instance(child, item)
            setattr(instance, child.parent, parent)
        else:
            for f in child.fields:
                setattr(instance, f.attname, rows.python(f, item[f.name]))
        # Unique and check constraints are PostgreSQL's: one query fewer per child.
        instance.full_clean(
            exclude=[child.parent], validate_unique=False, validate_constraints=False
        )
        instance.save()
        if child.cited:
            rows.check_citations(item.get("citations", []))
            instance.citations.set(item.get("citations", []))


def _children(child, parent: models.Model) -> list[models.Model]:
    manager = getattr(parent, child.related)
    return list(manager.prefetch_related("citations") if child.cited else manager.all())


def _retire(target: str, current: models.Model | None, why: Why) -> Written:
    if current is None:
        raise ValidationError("A retirement names its row.")
    if current.retired_at is not None:
        return Written(current, None)
    before = rows.snapshot(target, current)
    current.retired_at = timezone.now()
    current.version += 1
    current.save(update_fields=["retired_at", "version", "updated_at"])
    change = _store(target, Action.RETIRE, current, before, None, why)
    moved = _status_moves(target, before, {}, current)
    also = [c for pk in sorted(moved) if (c := refresh_status(pk, why)) is not None]
    return Written(current, change, also)


def _record(target, created, obj, before, after, why) -> AppliedChange:
    if created:
        return _store(target, Action.CREATE, obj, None, after, why)
    keys = [k for k in after if before.get(k) != after.get(k)]
    return _store(
        target,
        Action.UPDATE,
        obj,
        {k: before.get(k) for k in keys},
        {k: after[k] for k in keys},
        why,
    )


def _store(target, action, obj, before, after, why: Why) -> AppliedChange:
    return AppliedChange.objects.create(
        target=target,
        action=action,
        row_id=obj.pk,
        version=obj.version,
        before=before,
        after=after,
        origin=why.origin,
        reason=why.reason[:500],
        case=why.case,
        proposer=why.proposer,
        approver=why.approver,
    )


# -- checks -------------------------------------------------------------------
@transaction.atomic
def verify(
    *,
    target: str,
    row: models.Model | int,
    citation: Any,
    checked_on: dt.date | None,
    locator: str,
    states: str,
    user: Any,
    case: Any = None,
) -> Verification:
    """Record that `user` checked a row against `citation` on `checked_on`.

    One editor's word is enough (no second reviewer): a check changes no fact,
    it says a source was read. Steps:
    1. Refuse a check without a citation, a locator or a statement, or dated
       after today, naming each problem.
    2. The citation records the reading: an empty locator or statement takes
       this check's, its first reading moves back to this day if earlier, its
       last check forward if later.
    3. The row, through `write` with origin "verify": the citation joins its
       citations, and its stamp (`last_verified_on`, `verified_against`) moves
       to this check unless a later check already stands.
    4. The check itself is stored with the AppliedChange of step 3, if any.
    """
    locator, states = (locator or "").strip(), (states or "").strip()
    errors: dict[str, list[str]] = {}
    if rows.kind(target).stamped == ():
        raise ValidationError(f"A {target} carries no check stamp.")
    if citation is None:
        errors["citation"] = ["Name the citation the row was checked against."]
    if not locator:
        errors["locator"] = [
            "Say where in the source the fact stands (article, section, paragraph or page)."
        ]
    if not states:
        errors["states"] = ["Say in your own words what the source was read to state."]
    if checked_on is None:
        errors["checked_on"] = ["Give the day of the check."]
    elif checked_on > timezone.localdate():
        errors["checked_on"] = [
            f"{checked_on.isoformat()} is in the future: record a check on the day it was made."
        ]
    if errors:
        raise ValidationError(errors)
    from apps.core.models import Citation

    lock_audit_trail()
    pk = row if isinstance(row, int) else row.pk
    current = rows.fetch(target, pk, lock=True)
    if current.retired_at is not None:
        raise ValidationError("This row is retired: it is no longer in the record to check.")
    source = Citation.objects.select_for_update().get(pk=getattr(citation, "pk", citation))
    _record_reading(source, checked_on, locator, states)
    values: dict[str, Any] = {
        "citations": sorted({c.pk for c in current.citations.all()} | {source.pk})
    }
    if current.last_verified_on is None or current.last_verified_on <= checked_on:
        values["last_verified_on"] = checked_on.isoformat()
        values["verified_against"] = source.pk
    why = Why(
        Origin.VERIFY,
        case=case,
        proposer=user,
        reason=f"checked against {source.key} at {locator}: {states}",
    )
    written = write(target=target, row=current.pk, values=values, why=why)
    return Verification.objects.create(
        target=target,
        row_id=current.pk,
        citation=source,
        checked_on=checked_on,
        locator=locator,
        states=states,
        checked_by=user,
        case=case,
        change=written.change,
    )


def _record_reading(citation, day: dt.date, locator: str, states: str) -> None:
    changed = []
    if not citation.locator.strip():
        citation.locator = locator
        changed.append("locator")
    if not citation.states.strip():
        citation.states = states
        changed.append("states")
    if citation.accessed_on is None or citation.accessed_on > day:
        citation.accessed_on = day
        changed.append("accessed_on")
    if citation.last_verified_on is None or citation.last_verified_on < day:
        citation.last_verified_on = day
        changed.append("last_verified_on")
    if changed:
        citation.save(update_fields=changed)


# -- derived status ---------------------------------------------------------
def _status_moves(
    target: str, before: dict[str, Any] | None, wanted: dict[str, Any], obj: models.Model
) -> set[int]:
    """Instruments whose derived status may have moved with this write."""
    if target == "instrument":
        return {obj.pk} if before is None or "events" in wanted else set()
    if target == "amendment":
        ids = {obj.target_instrument_id}
        if before is not None:
            ids.add(before["target_instrument"])
        return ids
    return set()


def _refresh_own_derived(instrument: models.Model) -> None:
    """An instrument's status and first event's date, after its events were written."""
    derived = derive_status(instrument)
    first = min((e.date for e in instrument.events.all()), default=None)
    now = (derived.status, derived.since, first)
    if (instrument.status, instrument.status_since, instrument.first_event_on) != now:
        instrument.status, instrument.status_since, instrument.first_event_on = now
        instrument.save(update_fields=["status", "status_since", "first_event_on"])


def refresh_status(instrument_id: int, why: Why) -> AppliedChange | None:
    """Re-derive one instrument's status; a move is a recorded change of that row."""
    from apps.instruments.models import Instrument

    lock_audit_trail()  # before the row lock, in the same order as `write`
    instrument = (
        Instrument.objects.select_for_update(of=("self",))
        .prefetch_related("events", "incoming_amendments")
        .get(pk=instrument_id)
    )
    derived = derive_status(instrument)
    before = {"status": instrument.status, "status_since": rows.plain(instrument.status_since)}
    after = {"status": derived.status, "status_since": rows.plain(derived.since)}
    if before == after:
        return None
    instrument.status, instrument.status_since = derived.status, derived.since
    instrument.version += 1
    instrument.save(update_fields=["status", "status_since", "version", "updated_at"])
    keys = [k for k in after if before[k] != after[k]]
    return _store(
        "instrument",
        Action.UPDATE,
        instrument,
        {k: before[k] for k in keys},
        {k: after[k] for k in keys},
        Why(why.origin, why.case, why.proposer, why.approver, _status_reason(why, derived)),
    )


def _status_reason(why: Why, derived) -> str:
    cause = f"status derived from {derived.cause}"
    return f"{why.reason}; {cause}" if why.reason else cause


@transaction.atomic
def refresh_statuses(reason: str = "daily status refresh") -> int:
    """Re-derive every instrument's status (dates pass); returns how many moved.

    One read of every event and amendment; only the instruments that moved are
    locked and written, each as a recorded change.
    """
    from apps.instruments.models import Instrument

    moved = []
    instruments = Instrument.objects.only("id", "kind", "status", "status_since").prefetch_related(
        "events", "incoming_amendments"
    )
    for instrument in instruments:
        derived = derive_status(instrument)
        if (instrument.status, instrument.status_since) != (derived.status, derived.since):
            moved.append(instrument.pk)
    why = Why.system(reason)
    return sum(refresh_status(pk, why) is not None for pk in moved)
