"""Cases opened by the watcher: a detected change opens a case or joins the open one.

Runs inside the transaction that stores the change, so a change and its case
are stored together or not at all.

Adapters' proposals (apps.sources.adapters) become proposed changes through one
path, whatever the adapter:
- a row proposal (instrument, amendment) names its row by natural key and other
  rows by reference; a reference resolves to the live row (by identifier, then by
  natural key). A row already recorded, or already proposed in the case, is not
  proposed again;
- a proposed change holds ids, so a row naming a row that is only proposed in the
  same case (a new order and the revocation it makes) waits: the case's notes say
  so, and when the case is approved, and the named row exists, the watcher
  proposes it in a follow-up case;
- what cannot be proposed (references to rows not in the record, rows the
  model's rules refuse) is listed with the reason in a note of the case;
- a status proposal becomes the event that implies that status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.cases import rows, services
from apps.cases.models import (
    WORKING_STATES,
    Action,
    AppliedChange,
    Case,
    Evidence,
    Kind,
    ProposedChange,
    State,
    Transition,
)
from apps.cases.registry import REGISTRY, Child, for_model
from apps.instruments.models import Instrument
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
    return services.case_open(
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
    )


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
        out.extend(f"* {p.get('summary', '')}" for p in change.proposals)
    return "\n".join(out)[:200_000]


def _propose(case: Case, change: Change) -> None:
    """Turn an adapter's proposals into proposed changes of the case.

    Row proposals go through one generic path (`_propose_row`); a status becomes
    the event that implies it. A row that refers to a row listed after it is tried
    again once the others are proposed. What is not proposed is listed, with the
    reason, in a note of the case.
    """
    not_proposed: list[str] = []
    again: list[dict[str, Any]] = []
    for proposal in change.proposals:
        if proposal.get("target") == "status":
            _propose_status(case, proposal.get("values", {}), change)
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
PROPOSED, RECORDED, WAITING, UNKNOWN, INVALID = (
    "proposed",
    "recorded",
    "waiting",
    "unknown",
    "invalid",
)


def _is_row(proposal: dict[str, Any]) -> bool:
    return (
        proposal.get("target") in REGISTRY
        and isinstance(proposal.get("key"), dict)
        and bool(proposal["key"])
        and isinstance(proposal.get("values"), dict)
    )


def _propose_row(case: Case, proposal: dict[str, Any]) -> tuple[str, str]:
    """(outcome, reason for the editor when it is not proposed) for one row proposal."""
    target, summary = proposal["target"], proposal.get("summary", "")
    values = dict(proposal["values"])
    if _recorded(target, proposal["key"], values) or _proposed(case, target, proposal["key"]):
        return RECORDED, ""
    references = _resolve(case, target, values)
    if references.unknown:
        names = ", ".join(references.unknown)
        return UNKNOWN, f"{summary}: not proposed, {names} not in the record"
    if references.waiting:
        names = ", ".join(references.waiting)
        return WAITING, (
            f"{summary}: waits for {names}, proposed in this case; once this case is "
            "approved the watcher proposes it in a follow-up case"
        )
    if _matches(target, proposal.get("match") or (), values):
        return RECORDED, ""
    try:
        services.change_propose_by_watcher(case=case, target=target, values=values)
    except ValidationError as exc:
        logger.info("adapter proposal %s not usable: %s", proposal["key"], exc.messages)
        return INVALID, f"{summary}: not proposed, {_messages(exc)}"
    return PROPOSED, ""


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return "; ".join(exc.messages)


def _unique_lookup(model: type[models.Model], given: dict[str, Any]) -> dict[str, Any]:
    """The part of a natural key that names one row: its unique concrete fields."""
    lookup = {}
    for name, value in given.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.concrete and not model_field.is_relation and model_field.unique:
            lookup[name] = value
    return lookup


def _identifiers(target: str) -> Child | None:
    return next((c for c in REGISTRY[target].children if c.related == "identifiers"), None)


def _recorded(target: str, key: dict[str, Any], values: dict[str, Any]) -> bool:
    """The row is recorded: by its natural key, or (for rows with identifiers) because
    one of its identifiers already belongs to a row, which may carry another slug."""
    model = rows.model_of(target)
    lookup = _unique_lookup(model, key)
    if lookup and model.objects.filter(**lookup).exists():
        return True
    child = _identifiers(target)
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


@dataclass
class References:
    """What the references of one row proposal name."""

    found: list[tuple[str, int]] = field(default_factory=list)  # (target, id) resolved
    waiting: list[str] = field(default_factory=list)  # rows proposed in the case, not recorded
    unknown: list[str] = field(default_factory=list)


def _resolve(case: Case | None, target: str, values: dict[str, Any]) -> References:
    """Replace each reference in `values` by the id of the row it names (in place)."""
    references = References()
    for model_field in rows.fields_of(target):
        reference = values.get(model_field.name)
        if not model_field.is_relation or not isinstance(reference, dict):
            continue
        related = model_field.related_model
        row = _find(related, reference)
        name = _reference_name(reference)
        if row is not None:
            values[model_field.name] = row.pk
            curated = for_model(related)
            references.found.append((curated.target if curated else "", row.pk))
        elif case is not None and _proposed_in(case, related, reference):
            references.waiting.append(name)
        else:
            references.unknown.append(name)
    return references


def _reference_name(reference: dict[str, Any]) -> str:
    """ "us-eo-14999 (eo 14999)": the natural key, and the identifier an editor knows."""
    natural = [str(v) for k, v in reference.items() if k != "identifier"]
    identifier = reference.get("identifier")
    number = (
        f"{identifier.get('scheme')} {identifier.get('value')}"
        if isinstance(identifier, dict)
        else ""
    )
    if natural and number:
        return f"{natural[0]} ({number})"
    return natural[0] if natural else number


def _find(model: type[models.Model], reference: dict[str, Any]) -> models.Model | None:
    """The live row a reference names: by identifier first, then by natural key."""
    live = model.objects.filter(retired_at__isnull=True)
    curated = for_model(model)
    child = _identifiers(curated.target) if curated else None
    identifier = reference.get("identifier")
    if child is not None and isinstance(identifier, dict):
        owner_ids = child.model.objects.filter(
            scheme=identifier.get("scheme"), value=str(identifier.get("value"))
        ).values_list(f"{child.parent}_id", flat=True)
        row = live.filter(pk__in=owner_ids).first()
        if row is not None:
            return row
    natural = {k: v for k, v in reference.items() if k != "identifier"}
    lookup = _unique_lookup(model, natural)
    return live.filter(**lookup).first() if lookup and len(lookup) == len(natural) else None


def _proposed_in(case: Case, model: type[models.Model], reference: dict[str, Any]) -> bool:
    """A new row the reference names is proposed in the case (not yet recorded)."""
    curated = for_model(model)
    if curated is None:
        return False
    created = case.changes.filter(target=curated.target, action=Action.CREATE)
    natural = _unique_lookup(model, {k: v for k, v in reference.items() if k != "identifier"})
    if any(created.filter(**{f"values__{k}": v}).exists() for k, v in natural.items()):
        return True
    identifier = reference.get("identifier")
    child = _identifiers(curated.target)
    return (
        child is not None
        and isinstance(identifier, dict)
        and created.filter(
            **{
                f"values__{child.related}__contains": [
                    {"scheme": identifier.get("scheme"), "value": str(identifier.get("value"))}
                ]
            }
        ).exists()
    )


def _note(case: Case, title: str, lines: list[str]) -> None:
    if lines:
        Evidence.objects.create(
            case=case,
            kind=Evidence.EvidenceKind.NOTE,
            title=title[:300],
            text="\n".join(f"* {line}" for line in lines)[:200_000],
        )


@receiver(post_save, sender=Transition, dispatch_uid="cases.propose_rows_that_waited")
def propose_rows_that_waited(sender: type, instance: Transition, created: bool, **_: Any) -> None:
    """Once a case is approved, the rows it created exist: the adapter's rows that
    waited for them (a revocation by an order proposed in the same case) are proposed
    in a follow-up case, in the same transaction as the approval."""
    if not created or instance.to_state != State.PUBLISHED:
        return
    case = instance.case
    made = set(
        AppliedChange.objects.filter(case=case, action=Action.CREATE).values_list(
            "target", "row_id"
        )
    )
    if not made:
        return
    ready = []
    for change in Change.objects.filter(evidence__case=case).distinct().order_by("pk"):
        for proposal in change.proposals:
            if not _is_row(proposal):
                continue
            target, values = proposal["target"], dict(proposal["values"])
            if _recorded(target, proposal["key"], values):
                continue
            references = _resolve(None, target, values)
            waited = any(found in made for found in references.found)
            if (
                waited
                and not references.unknown
                and not _matches(target, proposal.get("match") or (), values)
            ):
                ready.append(proposal)
    if not ready:
        return
    follow_up = services.case_open(
        title=f"Proposals that waited for case #{case.pk}: {case.title}"[:300],
        kind=Kind.SOURCE_CHANGE,
        priority=case.priority,
        source=case.source,
        follows_up=case,
        description=(
            f"Case #{case.pk} created the rows these proposals name; the watcher read them "
            "from the same source change."
        ),
    )
    not_proposed = [reason for p in ready if (reason := _propose_row(follow_up, p)[1])]
    _note(follow_up, "Read by the adapter but not proposed", not_proposed)


# A status is never typed: a source's status becomes the event that implies it.
STATUS_EVENT = {
    "proposed": "introduced",
    "under_negotiation": "passed_chamber",
    "adopted": "adopted",
    "withdrawn": "withdrawn",
    "repealed": "repealed",
    "expired": "expired",
}


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
