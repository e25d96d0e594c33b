"""Cases opened by the watcher: a detected change opens a case or joins the open one.

Runs inside the transaction that stores the change, so a change and its case
are stored together or not at all.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver

from apps.amendments.models import Amendment
from apps.cases import rows, services
from apps.cases.models import WORKING_STATES, Case, Evidence, Kind, ProposedChange
from apps.instruments.models import Identifier, Instrument
from apps.jurisdictions.models import Jurisdiction
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


def _eo(number: Any) -> Instrument | None:
    found = (
        Identifier.objects.filter(scheme="eo", value=str(number))
        .select_related("instrument")
        .first()
    )
    return found.instrument if found else None


def _propose(case: Case, change: Change) -> None:
    """Turn an adapter's proposals into proposed changes of the case.

    A new executive order becomes a proposed instrument (with its EO and
    Federal Register numbers and its signing date); a revocation, amendment or
    supersession between two orders we record becomes a proposed amendment.
    What cannot be matched to rows stays as text in the evidence.
    """
    for proposal in change.proposals:
        values = proposal.get("values", {})
        if proposal.get("kind") == "instrument" and values.get("kind") == "executive_order":
            _propose_order(case, values, proposal.get("summary", ""))
        elif proposal.get("kind") == "amendment" and values.get("kind") in _AMENDING:
            _propose_amendment(case, values, proposal.get("summary", ""))
        elif proposal.get("kind") == "status":
            _propose_status(case, values, change)


_AMENDING = {"revokes", "amends", "supersedes"}


def _propose_order(case: Case, values: dict[str, Any], summary: str) -> None:
    number = values.get("eo_number")
    slug = f"us-eo-{number}"
    if (
        _eo(number) is not None
        or ProposedChange.objects.filter(case=case, values__slug=slug).exists()
    ):
        return
    us = Jurisdiction.objects.filter(code="US").first()
    if us is None or not values.get("signing_date"):
        return
    identifiers = [{"scheme": "eo", "value": str(number), "provenance": "editorial"}]
    if values.get("document_number"):
        identifiers.append(
            {"scheme": "fr_doc", "value": str(values["document_number"]), "provenance": "editorial"}
        )
    _watcher_proposes(
        case,
        "instrument",
        slug,
        {
            "slug": slug,
            "title": str(values.get("title") or summary)[:500],
            "kind": "executive_order",
            "jurisdiction": us.pk,
            "legal_force": "binding",
            "issuing_body": "President of the United States",
            "provenance": "editorial",
            "summary": summary,
            "identifiers": identifiers,
            "events": [
                {
                    "kind": "signed",
                    "date": values["signing_date"],
                    "date_precision": "day",
                    "note": "read from the Federal Register",
                    "provenance": "editorial",
                }
            ],
        },
    )


def _propose_amendment(case: Case, values: dict[str, Any], summary: str) -> None:
    source, target = _eo(values.get("source_eo")), _eo(values.get("target_eo"))
    if source is None or target is None:
        return
    kind = values["kind"]
    if Amendment.objects.filter(
        source_instrument=source, target_instrument=target, kind=kind
    ).exists():
        return
    key = f"eo-{values['source_eo']}-{kind}-eo-{values['target_eo']}"
    if ProposedChange.objects.filter(case=case, values__key=key).exists():
        return
    _watcher_proposes(
        case,
        "amendment",
        key,
        {
            "key": key,
            "kind": kind,
            "source_instrument": source.pk,
            "target_instrument": target.pk,
            "effective_on": str(values.get("effective_on") or ""),
            "effective_on_precision": "day",
            "provenance": "editorial",
            "summary": summary,
        },
    )


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
