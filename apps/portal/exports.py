"""Taking the record along: CSV and XLSX of a search, a watchlist or an instrument's
obligations as the law stands (the calendar feed: ics.py). The columns are those a
reader sees on the page, labels rather than codes; apps.portal.spreadsheets writes
the files so that they open cleanly."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.portal import spreadsheets, watching
from apps.portal.models import Watch
from apps.reading import duty_table, facets, standing
from apps.reading.on_a_day import instrument_detail, instrument_page

COLUMNS = [
    "title",
    "original title",
    "jurisdiction",
    "kind",
    "legal force",
    "status",
    "status since",
    "first dated event",
    "obligations",
    "url",
    "id",
]
# An obligation's values as they stand on the day (amendments applied), and in plain
# words what amendments did, will do or propose to do to it.
OBLIGATION_COLUMNS = [
    "instrument",
    "jurisdiction",
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


def _rows(request: HttpRequest, instruments) -> list[list]:
    rows = list(instruments[:MAX_ROWS])
    counts = dict(  # one query for every row's obligations
        Obligation.objects.published()
        .filter(instrument__in=[r.pk for r in rows])
        .values("instrument")
        .annotate(n=Count("pk"))
        .values_list("instrument", "n")
    )
    out = []
    for row in rows:
        url = request.build_absolute_uri(reverse("portal:instrument", kwargs={"slug": row.slug}))
        out.append(
            [
                row.title,
                row.original_title,
                row.jurisdiction.name,
                row.get_kind_display(),
                row.get_legal_force_display(),
                row.get_status_display(),
                row.status_since,
                row.first_event_on,
                counts.get(row.pk, 0),
                url,
                row.slug,
            ]
        )
    return out


def _obligation_rows(request: HttpRequest, rows: list[standing.Standing]) -> list[list]:
    out = []
    for row in rows[:MAX_ROWS]:
        o = row.obligation
        page = reverse("portal:instrument", kwargs={"slug": o.instrument.slug})
        out.append(
            [
                o.instrument.title,
                o.instrument.jurisdiction.name,
                o.provision,
                o.key,
                row.addressee_label,
                o.requirement,
                row.risk_tier_label,
                o.applies_from,
                o.applies_until,
                row.state_label,
                "; ".join(p.describe() for p in o.penalties.all()),
                " | ".join(f"{note.label}: {note.text}" for note in row.notes),
                request.build_absolute_uri(f"{page}#obligation-{o.key}"),
            ]
        )
    return out


def _respond(rows: list[list], name: str, fmt: str, columns: list[str] = COLUMNS) -> HttpResponse:
    """The rows (text, whole numbers, dates) as a CSV or XLSX download."""
    return spreadsheets.respond(columns, rows, name, fmt, timezone.localdate().isoformat())


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
    rows = Obligation.objects.published().filter(instrument__in=ids)
    derived = standing.read(rows.select_related("instrument__jurisdiction"))
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
