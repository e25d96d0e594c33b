"""Cases opened by the watcher: a detected change opens a case or joins the open one.

Runs inside the transaction that stores the change, so a change and its case
are stored together or not at all.

Adapters' proposals (apps.sources.adapters) become proposed changes through one
path, whatever the adapter:
- a row proposal (instrument, amendment) names its row by natural key and other
  rows by reference; a reference resolves to the live row (by identifier, then by
  natural key). A row already recorded, or already proposed in the case, is not
  proposed again;
- a row naming a row that is only proposed in the same case (a new order and the
  revocation it makes) is proposed with a reference to it: the approval creates
  the named row first, then the one that names it (apps.record.references);
- what cannot be proposed (references to rows not in the record, rows the
  model's rules refuse) is listed with the reason in a note of the case;
- a status proposal becomes the event that implies that status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver

from apps.cases import notices, services
from apps.cases.models import WORKING_STATES, Case, Evidence, Kind, ProposedChange
from apps.instruments.lifecycle import STATUS_EVENT
from apps.instruments.models import Instrument
from apps.record import references, rows
from apps.record.registry import REGISTRY
from apps.sources.adapters import MalformedProposal, Proposal
from apps.sources.models import Change, Significance, Source
from apps.sources.signals import change_detected, source_broken

logger = logging.getLogger(__name__)
PRIORITY = {Significance.HIGH: 3, Significance.MEDIUM: 2, Significance.LOW: 1}


def _open_case_for(source: Source, instrument: Instrument | None) -> Case | None:
    # Only a case still being worked: what a reviewer is looking at must not
    # grow under them. A change during review opens a case of its own.
    # Locked, and PostgreSQL re-checks the state under the lock: a case that
    # went to review meanwhile is skipped, never joined.
    cases = Case.objects.select_for_update().filter(
        kind=Kind.SOURCE_CHANGE, state__in=WORKING_STATES
    )
    if instrument is not None:
        return cases.filter(instrument=instrument).order_by("id").first()
    return cases.filter(source=source, instrument__isnull=True).order_by("id").first()


@receiver(change_detected, dispatch_uid="cases.open_case_for_change")
def open_case_for_change(sender: type, source: Source, change: Change, **_: Any) -> Case:
    instrument = source.instruments.order_by("id").first()
    if instrument is not None:
        # Serialises concurrent changes about the same instrument: one case, not two.
        Instrument.objects.select_for_update().filter(pk=instrument.pk).first()
    case = _open_case_for(source, instrument)
    if case is None:
        case = services.case_open(
            title=f"{source.name} changed"[:300],
            kind=Kind.SOURCE_CHANGE,
            priority=PRIORITY.get(change.significance, 2),
            instrument=instrument,
            description=f"Detected a {change.significance} change: {', '.join(change.reasons)}",
            source=source,
        )
        notices.watcher_case_opened(case, source, change)
    else:
        case = services.case_raise_priority(
            case=case, priority=PRIORITY.get(change.significance, 2)
        )
    with transaction.atomic():
        try:
            Evidence.objects.create(
                case=case,
                kind=Evidence.EvidenceKind.SOURCE_CHANGE,
                url=source.url,
                title=f"{source.name}: {change.significance} change",
                text=diff_as_text(change),
                source_change=change,
            )
        except IntegrityError:
            return case  # this change is already attached
    _propose(case, change)
    return case


@receiver(source_broken, dispatch_uid="cases.report_broken_source")
def report_broken_source(sender: type, source: Source, reason: str, **_: Any) -> Case:
    case = services.case_open(
        title=f"Source broken: {source.name}"[:300],
        kind=Kind.CORRECTION,
        priority=3,
        description=f"The watcher cannot read this source: {reason}",
        evidence=[
            {
                "kind": Evidence.EvidenceKind.NOTE,
                "url": source.url,
                "title": "watcher report",
                "text": reason,
            }
        ],
        source=source,
    )
    notices.source_broken(source, reason, case)
    return case


def diff_as_text(change: Change) -> str:
    """The diff as plain text; the template escapes it, nothing here is HTML."""
    out = []
    for line in change.diff:
        op = line["op"]
        if op == "equal":
            out.append(f"  {line['old']}")
        elif op == "skip":
            out.append(f"  … {line['old']}")
        elif op == "delete":
            out.append(f"- {line['old']}")
        elif op == "insert":
            out.append(f"+ {line['new']}")
        else:
            out.extend([f"- {line['old']}", f"+ {line['new']}"])
    if change.proposals:
        out.append("")
        out.append("Read by the adapter:")
        out.extend(f"* {_summary(stored)}" for stored in change.proposals)
    return "\n".join(out)[:200_000]


def _summary(stored: object) -> str:
    try:
        return Proposal.from_json(stored).summary
    except MalformedProposal as exc:
        return f"(a proposal that cannot be read: {exc})"


def _proposals(change: Change) -> list[Proposal]:
    """The change's proposals as the adapter made them. One that cannot be read back is
    skipped, never half-applied: the evidence lists it with the reason (_summary)."""
    found = []
    for stored in change.proposals:
        try:
            found.append(Proposal.from_json(stored))
        except MalformedProposal as exc:
            logger.warning("change %s: proposal not read: %s", change.pk, exc)
    return found


def _propose(case: Case, change: Change) -> None:
    """Turn an adapter's proposals into proposed changes of the case.

    Row proposals go through one generic path (`_propose_row`); a status becomes
    the event that implies it. A row that refers to a row listed after it is tried
    again once the others are proposed. What is not proposed is listed, with the
    reason, in a note of the case.
    """
    not_proposed: list[str] = []
    again: list[Proposal] = []
    for proposal in _proposals(change):
        if proposal.target == "status":
            _propose_status(case, proposal.values, change)
        elif _is_row(proposal):
            outcome, reason = _propose_row(case, proposal)
            if outcome == UNKNOWN:
                again.append(proposal)
            elif reason:
                not_proposed.append(reason)
    for proposal in again:
        not_proposed.append(_propose_row(case, proposal)[1])
    _note(case, "Read by the adapter but not proposed", [r for r in not_proposed if r])


# Outcomes of one row proposal.
PROPOSED, RECORDED, UNKNOWN, INVALID = ("proposed", "recorded", "unknown", "invalid")


def _is_row(proposal: Proposal) -> bool:
    return proposal.target in REGISTRY and bool(proposal.key)


def _propose_row(case: Case, proposal: Proposal) -> tuple[str, str]:
    """(outcome, reason for the editor when it is not proposed) for one row proposal."""
    target, summary = proposal.target, proposal.summary
    values = dict(proposal.values)
    if _recorded(target, proposal.key, values) or _proposed(case, target, proposal.key):
        return RECORDED, ""
    unknown = _resolve(case, target, values)
    if unknown:
        return UNKNOWN, f"{summary}: not proposed, {', '.join(unknown)} not in the record"
    pending = any(references.is_reference(values.get(f.name)) for f in rows.fields_of(target))
    if not pending and _matches(target, proposal.match, values):
        return RECORDED, ""
    try:
        services.change_propose_by_watcher(case=case, target=target, values=values)
    except ValidationError as exc:
        logger.info("adapter proposal %s not usable: %s", proposal.key, exc.messages)
        return INVALID, f"{summary}: not proposed, {_messages(exc)}"
    return PROPOSED, ""


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return "; ".join(exc.messages)


def _recorded(target: str, key: dict[str, Any], values: dict[str, Any]) -> bool:
    """The row is recorded: by its natural key, or (for rows with identifiers) because
    one of its identifiers already belongs to a row, which may carry another slug."""
    model = rows.model_of(target)
    lookup = references.unique_lookup(model, key)
    if lookup and model.objects.filter(**lookup).exists():
        return True
    child = references.identifiers(model)
    return child is not None and any(
        child.model.objects.filter(scheme=item.get("scheme"), value=str(item.get("value"))).exists()
        for item in values.get(child.related) or []
        if isinstance(item, dict)
    )


def _proposed(case: Case, target: str, key: dict[str, Any]) -> bool:
    lookup = {f"values__{name}": value for name, value in key.items()}
    return case.changes.filter(target=target, **lookup).exists()


def _matches(target: str, fields: Iterable[str], values: dict[str, Any]) -> bool:
    """A recorded row has the same values in the fields that identify it (an amendment
    seeded under a key of its own)."""
    lookup = {name: values.get(name) for name in fields}
    return bool(lookup) and rows.model_of(target).objects.filter(**lookup).exists()


def _resolve(case: Case, target: str, values: dict[str, Any]) -> list[str]:
    """Replace each reference in `values` by the id of the live row it names (in place);
    one naming a row proposed in the case stays a reference. Returns the names of
    the references that name no row at all."""
    unknown = []
    for model_field in rows.fields_of(target):
        reference = values.get(model_field.name)
        if not model_field.is_relation or not references.is_reference(reference):
            continue
        row = references.find(model_field.related_model, reference)
        if row is not None:
            values[model_field.name] = row.pk
        elif not references.proposed_in(case.changes, model_field.related_model, reference):
            unknown.append(references.name(reference))
    return unknown


def _note(case: Case, title: str, lines: list[str]) -> None:
    if lines:
        Evidence.objects.create(
            case=case,
            kind=Evidence.EvidenceKind.NOTE,
            title=title[:300],
            text="\n".join(f"* {line}" for line in lines)[:200_000],
        )


def _propose_status(case: Case, values: dict[str, Any], change: Change) -> None:
    instrument, kind = case.instrument, STATUS_EVENT.get(str(values.get("status")))
    if instrument is None or kind is None or instrument.events.filter(kind=kind).exists():
        return
    if ProposedChange.objects.filter(case=case, row_id=instrument.pk, target="instrument").exists():
        return
    date = values.get("since")
    note = "read by the watcher"
    if not date:
        date = change.detected_at.date().isoformat()
        note += "; the source gives no date: this is the day it was seen, check the official one"
    events = rows.snapshot("instrument", instrument)["events"]
    events.append(
        {
            "kind": kind,
            "date": str(date),
            "date_precision": "day",
            "note": note,
            "provenance": "editorial",
        }
    )
    _watcher_proposes(case, "instrument", instrument.slug, {"events": events}, row=instrument)


def _watcher_proposes(case: Case, target: str, name: str, values: dict[str, Any], row=None) -> None:
    try:
        services.change_propose_by_watcher(case=case, target=target, values=values, row=row)
    except ValidationError as exc:
        # Left to the editor: the evidence still lists what the adapter read.
        logger.info("adapter proposal %s not usable: %s", name, exc.messages)
