"""Taking the record along: CSV and XLSX of a search or a watchlist, an ICS calendar of dates."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from apps.core.cells import neutralise
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.portal import watching
from apps.portal.models import Reader, Watch
from apps.reading import facets

COLUMNS = ["id", "title", "jurisdiction", "kind", "status", "status since", "legal force", "url"]
MAX_ROWS = 5000


def _rows(request: HttpRequest, instruments) -> list[list[str]]:
    out = []
    for row in instruments[:MAX_ROWS]:
        url = request.build_absolute_uri(reverse("portal:instrument", kwargs={"slug": row.slug}))
        out.append(
            [
                row.slug,
                row.title,
                row.jurisdiction.name,
                row.get_kind_display(),
                row.get_status_display(),
                row.status_since.isoformat() if row.status_since else "",
                row.get_legal_force_display(),
                url,
            ]
        )
    return out


def _respond(rows: list[list[str]], name: str, fmt: str, columns=COLUMNS) -> HttpResponse:
    cells = [[neutralise(str(c)) for c in row] for row in [columns, *rows]]
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        # Imported here: openpyxl adds ~19 MB to every web process that loads it.
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = name[:31]
        for row in cells:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return response
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(cells)
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("as", "csv")
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Exports are CSV or XLSX.")
    return fmt


@login_required
def search_export(request: HttpRequest) -> HttpResponse:
    fmt = _format(request)
    params = request.GET
    chosen = {name: params.get(name, "") for name in facets.FACETS}
    rows = facets.matching_rows(params.get("q", ""), chosen, params.get("sort", ""))
    return _respond(_rows(request, rows), "search", fmt)


@login_required
def watchlist_export(request: HttpRequest) -> HttpResponse:
    fmt = _format(request)
    ids = watching.watched_instruments(list(Watch.objects.filter(user=request.user)))
    rows = (
        Instrument.objects.published()
        .filter(pk__in=ids)
        .select_related("jurisdiction")
        .order_by("title")
    )
    return _respond(_rows(request, rows), "watchlist", fmt)


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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
    obligations = (
        Obligation.objects.published()
        .filter(instrument__in=ids, applies_from__isnull=False)
        .select_related("instrument")
        .order_by("applies_from")
    )
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//AI regulation tracker//portal//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:AI regulation: dates you follow",
    ]
    for obligation in obligations:
        start = obligation.applies_from
        url = request.build_absolute_uri(
            reverse("portal:instrument", kwargs={"slug": obligation.instrument.slug})
        )
        summary = f"{obligation.instrument.title}, {obligation.provision} applies"
        lines += [
            "BEGIN:VEVENT",
            f"UID:obligation-{obligation.pk}-{start:%Y%m%d}@ai-regulation-tracker",
            f"DTSTAMP:{now}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(obligation.requirement[:500])}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
