"""Taking the record along: CSV and XLSX of a search, a watchlist or an instrument's
obligations as the law stands (the calendar feed: ics.py)."""

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
from apps.portal.models import Watch
from apps.reading import duty_table, facets, standing
from apps.reading.on_a_day import instrument_detail, instrument_page

COLUMNS = ["id", "title", "jurisdiction", "kind", "status", "status since", "legal force", "url"]
# An obligation's values as they stand on the day (amendments applied), and in plain
# words what amendments did, will do or propose to do to it.
OBLIGATION_COLUMNS = [
    "instrument",
    "provision",
    "key",
    "addressee",
    "requirement",
    "risk tier",
    "applies from",
    "applies until",
    "standing",
    "penalties",
    "changes by amendments",
    "url",
]
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


def _obligation_rows(request: HttpRequest, rows: list[standing.Standing]) -> list[list[str]]:
    out = []
    for row in rows[:MAX_ROWS]:
        o = row.obligation
        page = reverse("portal:instrument", kwargs={"slug": o.instrument.slug})
        out.append(
            [
                o.instrument.title,
                o.provision,
                o.key,
                row.addressee_label,
                o.requirement,
                row.risk_tier_label,
                o.applies_from.isoformat() if o.applies_from else "",
                o.applies_until.isoformat() if o.applies_until else "",
                row.state_label,
                "; ".join(p.describe() for p in o.penalties.all()),
                " | ".join(f"{note.label}: {note.text}" for note in row.notes),
                request.build_absolute_uri(f"{page}#obligation-{o.key}"),
            ]
        )
    return out


def _respond(
    rows: list[list[str]], name: str, fmt: str, columns: list[str] = COLUMNS
) -> HttpResponse:
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


@login_required
def watchlist_obligations_export(request: HttpRequest) -> HttpResponse:
    """The obligations of what the reader follows, as they stand today."""
    fmt = _format(request)
    ids = watching.watched_instruments(list(Watch.objects.filter(user=request.user)))
    derived = standing.read(Obligation.objects.published().filter(instrument__in=ids))
    derived.sort(key=lambda d: (d.instrument.title, d.provision, d.key))
    rows = _obligation_rows(request, standing.standing(derived))
    return _respond(rows, "obligations", fmt, OBLIGATION_COLUMNS)


@login_required
def instrument_export(request: HttpRequest, slug: str) -> HttpResponse:
    """An instrument's obligations as its page shows them: today, or those that applied
    on `as_of`, amendments applied."""
    fmt = _format(request)
    try:
        found = instrument_detail(slug)
        on = dt.date.fromisoformat(request.GET["as_of"]) if request.GET.get("as_of") else None
    except (Instrument.DoesNotExist, ValueError) as exc:
        raise Http404(
            "No published instrument has this name, or the day is not YYYY-MM-DD."
        ) from exc
    if found.retired_at is not None:
        raise Http404("This instrument was removed from the record.")
    wanted = duty_table.asked(request.GET)
    if wanted.errors:
        return HttpResponse(
            " ".join(wanted.errors.values()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    # The page's filters (apps.reading.duty_table) apply to every row it exports.
    every = standing.standing(instrument_page(found, on).obligations)
    rows = _obligation_rows(request, [row for row in every if wanted.filters.keeps(row)])
    return _respond(rows, f"{slug[:20]}-obligations", fmt, OBLIGATION_COLUMNS)
