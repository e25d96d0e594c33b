"""The audit trail in plain words.

For example "AI Liability Directive: now withdrawn (was: proposed), since 6 October 2025";
an edit of a row says each fact it changed, from what to what, in the wording module's
words (apps.reading.wording: obligation_edit, instrument_edit), never "updated";
an amendment's line also says what it moved, in the wording module's sentence
("Article 10 now applies from 1 March 2028 instead of 1 March 2027, by ..."), each
linked to the obligation's row.

Reads AppliedChange (apps.record) and names rows by their titles, in a fixed
number of queries per page of changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse

from apps.amendments.models import Amendment
from apps.amendments.models import Kind as AmendmentKind
from apps.instruments.lifecycle import ENDED
from apps.instruments.models import Instrument, Status
from apps.obligations.models import Obligation
from apps.reading import standing, wording
from apps.reading.obligations import changed_by_amendments
from apps.record.models import Action, AppliedChange, Origin

STATUS_LABELS = dict(Status.choices)
KIND_LABELS = dict(AmendmentKind.choices)


@dataclass(frozen=True)
class Moved:
    """What an amendment did to one obligation, and the obligation's row."""

    text: str
    url: str | None


@dataclass(frozen=True)
class Line:
    change_id: int
    when: dt.datetime
    text: str
    url: str | None
    instrument_id: int | None
    moved: tuple[Moved, ...] = ()


def day(value: str | None) -> str:
    if not value:
        return ""
    date = dt.date.fromisoformat(value)
    return f"{date.day} {date:%b %Y}"


def newsworthy() -> QuerySet[AppliedChange]:
    """Changes a reader would call news: a status moved, an instrument or amendment
    appeared, an amendment was adopted (its date of effect set) or its effects changed.

    What the seed load itself created is the starting record, not news.
    """
    status_moved = Q(target="instrument", action=Action.UPDATE, after__has_key="status")
    created = Q(action=Action.CREATE, target__in=["instrument", "amendment"]) & ~Q(
        origin=Origin.SEED
    )
    retired = Q(action=Action.RETIRE, target__in=["instrument", "amendment"])
    law_moved = Q(target="amendment", action=Action.UPDATE) & (
        Q(after__has_key="effective_on") | Q(after__has_key="effects")
    )
    return AppliedChange.objects.filter(status_moved | created | retired | law_moved).order_by(
        "-id"
    )


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
    moves = standing.moves_by(
        change.row_id for change in changes if change.target == "amendment" and _moves_law(change)
    )
    lines = []
    for change in changes:
        line = _line(change, instruments, obligations, amendments, moves)
        if line is not None:
            lines.append(line)
    return lines


def _instrument_url(instrument: Instrument) -> str | None:
    if instrument.retired_at is not None:
        return None
    return reverse("portal:instrument", kwargs={"slug": instrument.slug})


def _moves_law(change: AppliedChange) -> bool:
    """An amendment's creation, or an update of its date of effect or its effects."""
    if change.action == Action.CREATE:
        return True
    return change.action == Action.UPDATE and bool(
        {"effective_on", "effects"} & set(change.after or {})
    )


def _row_url(obligation) -> str | None:
    """The obligation's row in its instrument's table."""
    if obligation.retired_at is not None:
        return None
    page = _instrument_url(obligation.instrument)
    return f"{page}#obligation-{obligation.key}" if page else None


def _moved(change: AppliedChange, moves: dict[int, list[standing.Move]]) -> tuple[Moved, ...]:
    if not _moves_law(change):
        return ()
    return tuple(
        Moved(move.note.text, _row_url(move.obligation)) for move in moves.get(change.row_id, [])
    )


def _line(change, instruments, obligations, amendments, moves) -> Line | None:
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
        else:
            if "status" in after and "status_since" not in after and instrument.status_since:
                after = {**after, "status_since": instrument.status_since.isoformat()}
            said = wording.instrument_edit(instrument, before, after, STATUS_LABELS)
            # Only upkeep moved (a check's date): said plainly, for a reader who asks.
            text = f"{instrument.title}: " + ("; ".join(said) or wording.upkeep(after))
            if url and "status" in after:
                url += "#status"
        return Line(change.pk, change.applied_at, text, url, instrument.pk)
    if change.target == "amendment" and change.row_id in amendments:
        amendment = amendments[change.row_id]
        source = amendment.source_instrument or amendment.source_jurisdiction
        target = amendment.target_instrument
        verb = KIND_LABELS.get(amendment.kind, amendment.kind)
        what = f"{source} {verb} {target.title}"
        adopted = change.action == Action.UPDATE and before.get("effective_on", "") is None
        if change.action == Action.RETIRE:
            text = f"Removed: {what}"
        elif amendment.is_pending:
            # A proposal is not law: never said to be in effect.
            text = f"{amendment.pending_words.capitalize()}: {what}"
        else:
            effective = day(amendment.effective_on.isoformat())
            text = f"{'Adopted: ' if adopted else ''}{what}, effective {effective}"
        return Line(
            change.pk,
            change.applied_at,
            text,
            _instrument_url(target),
            target.pk,
            _moved(change, moves),
        )
    if change.target == "obligation" and change.row_id in obligations:
        obligation = obligations[change.row_id]
        title = obligation.instrument.title
        url = _row_url(obligation)
        if change.action == Action.CREATE:
            text = f"{title}: new obligation, {_duty(obligation, after)}"
        elif change.action == Action.RETIRE:
            # The row left the page: the line leads to the instrument's table.
            text = f"{title}: {obligation.provision} removed from the record"
            url = _instrument_url(obligation.instrument)
            url = f"{url}#h-obligations" if url else None
        else:
            said = wording.obligation_edit(obligation, before, after)
            upkeep = f"{obligation.provision}: {wording.upkeep(after)}"
            text = f"{title}: " + (" ".join(said) or upkeep)
        return Line(change.pk, change.applied_at, text, url, obligation.instrument_id)
    return None


def _duty(obligation: Obligation, after: dict) -> str:
    """A new duty as it was created: "Article 50 binds the provider from 2 August 2026"."""
    addressee = after.get("addressee") or obligation.addressee
    who = wording.ADDRESSEES.get(addressee, addressee)
    start = after.get("applies_from")
    since = wording.day(dt.date.fromisoformat(start)) if start else "a day not yet fixed"
    return f"{after.get('provision') or obligation.provision} binds the {who} from {since}"


def upkeep_only(change: AppliedChange) -> bool:
    """A check or other bookkeeping, nothing a reader would call a change of the law."""
    return change.action == Action.UPDATE and (
        change.origin == Origin.VERIFY or wording.upkeep_only(change.before, change.after)
    )


def upcoming(today: dt.date, days: int = 90) -> list[dict]:
    """Application dates in the next `days`: obligations that start applying as the law
    stands today, amendments in effect applied, with what amendments did or will do to
    them in plain words. Only the few rows an amendment changes are derived (their
    effects are read then); the rest stand as stored. Instruments that ended are left out:
    their obligations ended with them."""
    until = today + dt.timedelta(days=days)
    rows = list(
        Obligation.objects.published()
        .filter(instrument__retired_at__isnull=True)
        .exclude(instrument__status__in=ENDED)
        .annotate(changed=changed_by_amendments())
        .filter(Q(applies_from__gte=today, applies_from__lte=until) | Q(changed=True))
        .select_related("instrument")
    )
    derived = standing.changed(rows, today)
    found = []
    for obligation in rows:
        row = derived.get(obligation.pk)
        start = row.applies_from if row else obligation.applies_from
        if row and standing.Standing(row, ()).state in (standing.NOT_YET, standing.ENDED):
            continue  # not law yet, or no longer
        if start is not None and today <= start <= until:
            found.append((start, obligation, standing.notes(row) if row else ()))
    found.sort(key=lambda item: (item[0], item[1].instrument.title, item[1].provision))
    out: dict[tuple, dict] = {}
    for start, obligation, notes in found:
        entry = out.setdefault(
            (start, obligation.instrument_id),
            {"date": start, "instrument": obligation.instrument, "provisions": [], "notes": []},
        )
        entry["provisions"].append(obligation.provision)
        entry["notes"] += [note.text for note in notes]
    return list(out.values())
