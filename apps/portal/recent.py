"""The audit trail in plain words.

For example "AI Liability Directive: proposed → withdrawn, effective 6 Oct 2025".

Reads AppliedChange (apps.cases) and names rows by their titles, in a fixed
number of queries per page of changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse

from apps.amendments.models import Amendment
from apps.amendments.models import Kind as AmendmentKind
from apps.instruments.models import Instrument, Status
from apps.obligations.models import Obligation
from apps.record.models import Action, AppliedChange, Origin

STATUS_LABELS = dict(Status.choices)
KIND_LABELS = dict(AmendmentKind.choices)


@dataclass(frozen=True)
class Line:
    change_id: int
    when: dt.datetime
    text: str
    url: str | None
    instrument_id: int | None


def day(value: str | None) -> str:
    if not value:
        return ""
    date = dt.date.fromisoformat(value)
    return f"{date.day} {date:%b %Y}"


def newsworthy() -> QuerySet[AppliedChange]:
    """Changes a reader would call news: a status moved, an instrument or amendment appeared.

    What the seed load itself created is the starting record, not news.
    """
    status_moved = Q(target="instrument", action=Action.UPDATE, after__has_key="status")
    created = Q(action=Action.CREATE, target__in=["instrument", "amendment"]) & ~Q(
        origin=Origin.SEED
    )
    retired = Q(action=Action.RETIRE, target__in=["instrument", "amendment"])
    return AppliedChange.objects.filter(status_moved | created | retired).order_by("-id")


def describe(changes: list[AppliedChange]) -> list[Line]:
    ids = {"instrument": set(), "obligation": set(), "amendment": set()}
    for change in changes:
        if change.target in ids:
            ids[change.target].add(change.row_id)
    obligations = {
        o.pk: o
        for o in Obligation.objects.filter(pk__in=ids["obligation"]).select_related("instrument")
    }
    amendments = {
        a.pk: a
        for a in Amendment.objects.filter(pk__in=ids["amendment"]).select_related(
            "source_instrument", "source_jurisdiction", "target_instrument"
        )
    }
    instruments = {i.pk: i for i in Instrument.objects.filter(pk__in=ids["instrument"])}
    lines = []
    for change in changes:
        line = _line(change, instruments, obligations, amendments)
        if line is not None:
            lines.append(line)
    return lines


def _instrument_url(instrument: Instrument) -> str | None:
    if instrument.retired_at is not None:
        return None
    return reverse("portal:instrument", kwargs={"slug": instrument.slug})


def _line(change, instruments, obligations, amendments) -> Line | None:
    after = change.after or {}
    before = change.before or {}
    if change.target == "instrument" and change.row_id in instruments:
        instrument = instruments[change.row_id]
        url = _instrument_url(instrument)
        if change.action == Action.CREATE:
            status = STATUS_LABELS.get(after.get("status"), "")
            text = f"New in the record: {instrument.title}" + (f" ({status})" if status else "")
        elif change.action == Action.RETIRE:
            text = f"{instrument.title}: removed from the record"
        elif "status" in after:
            old = STATUS_LABELS.get(before.get("status"), before.get("status") or "unknown")
            new = STATUS_LABELS.get(after["status"], after["status"])
            since = day(
                after.get("status_since")
                or (instrument.status_since and str(instrument.status_since))
            )
            text = f"{instrument.title}: {old} → {new}" + (f", effective {since}" if since else "")
        else:
            fields = ", ".join(sorted(k.replace("_", " ") for k in after))
            text = f"{instrument.title}: updated ({fields})"
        return Line(change.pk, change.applied_at, text, url, instrument.pk)
    if change.target == "amendment" and change.row_id in amendments:
        amendment = amendments[change.row_id]
        source = amendment.source_instrument or amendment.source_jurisdiction
        target = amendment.target_instrument
        verb = KIND_LABELS.get(amendment.kind, amendment.kind)
        effective = day(str(amendment.effective_on))
        if change.action == Action.RETIRE:
            text = f"Removed: {source} {verb} {target.title}"
        else:
            text = f"{source} {verb} {target.title}, effective {effective}"
        return Line(change.pk, change.applied_at, text, _instrument_url(target), target.pk)
    if change.target == "obligation" and change.row_id in obligations:
        obligation = obligations[change.row_id]
        what = {"create": "new obligation", "retire": "obligation removed"}.get(
            change.action, "obligation updated"
        )
        text = f"{obligation.instrument.title}, {obligation.provision}: {what}"
        return Line(
            change.pk,
            change.applied_at,
            text,
            _instrument_url(obligation.instrument),
            obligation.instrument_id,
        )
    return None


def upcoming(today: dt.date, days: int = 90) -> list[dict]:
    """Application dates in the next `days`: obligations that start applying, staged events."""
    until = today + dt.timedelta(days=days)
    rows = (
        Obligation.objects.published()
        .filter(
            applies_from__gte=today, applies_from__lte=until, instrument__retired_at__isnull=True
        )
        .select_related("instrument")
        .order_by("applies_from", "instrument__title", "provision")
    )
    out: dict[tuple, dict] = {}
    for obligation in rows:
        key = (obligation.applies_from, obligation.instrument_id)
        entry = out.setdefault(
            key,
            {
                "date": obligation.applies_from,
                "instrument": obligation.instrument,
                "provisions": [],
            },
        )
        entry["provisions"].append(obligation.provision)
    return list(out.values())
