"""The calendar feed: the day each followed obligation starts to apply, as the law stands.

One event per obligation, whatever its date: when an amendment moves the date the
event keeps its UID and its SEQUENCE rises, so calendar apps move it; when the
obligation ends (an amendment ends it, or its instrument is repealed) the event is
cancelled, which is how a subscribed calendar learns to drop it.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from apps.amendments.effects import DerivedObligation
from apps.instruments.names import short_title
from apps.obligations.models import Obligation
from apps.portal import watching
from apps.portal.models import Reader, Watch
from apps.reading import standing

LINE_OCTETS = 75  # RFC 5545 3.1: longer content lines are folded


def text(value: str) -> str:
    """An RFC 5545 TEXT value: backslashes, separators and line breaks escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """The line cut into pieces of at most 75 octets, each after the first starting with
    a space; never inside a multi-byte character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > LINE_OCTETS:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def sequence(derived: DerivedObligation) -> int:
    """The event's SEQUENCE, which must rise whenever its date or status changes.

    Nothing is stored per event, so it is counted from what grows with every such
    change. A write raises a version: the obligation's, its instrument's (events that
    end it) or that of any amendment of the instrument, retired ones included (its date,
    its effects, its retirement). Time passing writes nothing, yet applies a scheduled
    amendment or ends the obligation: the amendments in effect on it and its having
    ended are counted too. One write can take away at most one amendment in effect and
    the ending, so versions count three times: the sum still rises. (Re-targeting an
    amendment to another instrument is the one write it misses.)
    """
    instrument = derived.obligation.instrument
    versions = derived.obligation.version + instrument.version
    versions += sum(a.version for a in instrument.incoming_amendments.all())
    in_effect = len({step.amendment.pk for step in derived.history})
    return 3 * versions + in_effect + int(_ended(derived))


def _ended(derived: DerivedObligation) -> bool:
    return derived.applies_until is not None and derived.applies_until <= derived.on


def _event(request: HttpRequest, derived: DerivedObligation, now: str) -> list[str]:
    obligation = derived.obligation
    start = derived.applies_from
    page = reverse("portal:instrument", kwargs={"slug": obligation.instrument.slug})
    url = request.build_absolute_uri(f"{page}#obligation-{obligation.key}")
    # A calendar shows the summary in a day's cell: the short name, not a 110-character
    # title; the full title, the duty and the link are in the description.
    summary = f"{short_title(obligation.instrument.title)}: {obligation.provision} applies"
    notes = [note.text for note in standing.notes(derived)]
    description = "\n".join(
        [obligation.instrument.title, derived.requirement[:500], *notes, f"Details: {url}"]
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:obligation-{obligation.pk}@ai-regulation-tracker",
        f"SEQUENCE:{sequence(derived)}",
        f"DTSTAMP:{now}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{start + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{text(summary)}",
        f"DESCRIPTION:{text(description)}",
        f"URL:{url}",
    ]
    if _ended(derived):
        lines.append("STATUS:CANCELLED")
    return [*lines, "END:VEVENT"]


def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """Obligation dates of what the reader follows, as an iCalendar feed at a secret address."""
    reader = (
        Reader.objects.filter(calendar_token=token, user__is_active=True)
        .select_related("user")
        .first()
    )
    if reader is None:
        raise Http404("No calendar at this address (it may have been replaced).")
    ids = watching.watched_instruments(list(Watch.objects.filter(user=reader.user)))
    derived = [
        d
        for d in standing.read(Obligation.objects.published().filter(instrument__in=ids))
        if d.exists and d.applies_from is not None  # not yet law, or no day to mark
    ]
    derived.sort(key=lambda d: (d.applies_from, d.obligation.pk))
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//AI regulation tracker//portal//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:AI regulation: dates you follow",
    ]
    for one in derived:
        lines += _event(request, one, now)
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(fold(line) for line in lines) + "\r\n",
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
