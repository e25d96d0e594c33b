"""The portal's reading pages: home, search, instrument, jurisdiction, compare.

Every page reads published rows only, through the reading layer (apps.reading,
which the API also calls); every page needs a signed-in account.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.instruments.models import Instrument, Status
from apps.jurisdictions.models import Approach, Jurisdiction, Membership
from apps.portal import charts, recent, watching
from apps.reading import compare as record_compare
from apps.reading import facets, standing
from apps.reading.on_a_day import instrument_detail, instrument_page
from apps.sources.models import Source

APPROACHES = dict(Approach.choices)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    lines = recent.describe(list(recent.newsworthy().select_related(None)[:15]))
    return render(
        request,
        "portal/home.html",
        {
            "recent": lines,
            "upcoming": recent.upcoming(today),
            "today": today,
            "watch_updates": watching.updates_for(request.user, limit=10),
        },
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    params = request.GET
    page_number = int(params["page"]) if params.get("page", "").isdigit() else 1
    chosen = {name: params.get(name, "") for name in facets.FACETS}
    page = facets.run(params.get("q", ""), chosen, params.get("sort", ""), page_number)
    context = {"page": page, "query": params.urlencode()}
    template = "portal/_results.html" if request.headers.get("HX-Request") else "portal/search.html"
    return render(request, template, context)


@login_required
def instrument(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = instrument_detail(slug)
    except Instrument.DoesNotExist as exc:
        raise Http404("No published instrument has this name.") from exc
    if found.retired_at is not None:
        raise Http404("This instrument was removed from the record.")
    on = _date(request.GET.get("as_of"))
    read = instrument_page(found, on)
    sources = Source.objects.filter(instruments=found).order_by("name")
    context = {
        "instrument": found,
        "derived": read.status,
        "status_label": dict(Status.choices).get(read.status.status, read.status.status),
        "as_of": on,
        "bad_as_of": bool(request.GET.get("as_of")) and on is None,
        "obligations": standing.standing(read.obligations),
        "timeline": read.timeline,
        "incoming": read.incoming,
        "outgoing": read.outgoing,
        "parties": read.parties(),
        "sources": sources,
        "following": watching.follows(request.user, "instrument", found.slug),
    }
    return render(request, "portal/instrument.html", context)


@login_required
def jurisdiction(request: HttpRequest, code: str) -> HttpResponse:
    membership = Membership.objects.select_related("group", "member")
    rows = (
        Jurisdiction.objects.published()
        .select_related("parent", "verified_against")
        .prefetch_related(
            Prefetch("memberships", queryset=membership),
            Prefetch("member_of", queryset=membership),
            "children",
        )
    )
    found = rows.filter(code=code).first()
    if found is None:
        raise Http404("No published jurisdiction has this code.")
    instruments = list(
        Instrument.objects.published()
        .filter(jurisdiction=found)
        .prefetch_related("events")
        .order_by("title")
    )
    by_status: dict[str, list[Instrument]] = {}
    for row in instruments:
        by_status.setdefault(row.get_status_display(), []).append(row)
    context = {
        "jurisdiction": found,
        "by_status": sorted(by_status.items()),
        "instrument_count": len(instruments),
        "chart": charts.timeline(instruments, timezone.localdate()),
        "following": watching.follows(request.user, "jurisdiction", found.code),
        "approaches": [APPROACHES.get(a, a) for a in found.approaches],
    }
    return render(request, "portal/jurisdiction.html", context)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    codes = [c for c in request.GET.getlist("j") if c][: record_compare.MAX_COMPARED]
    codes = list(dict.fromkeys(codes))
    choices = record_compare.choices()
    chosen = record_compare.choose(codes).jurisdictions
    rows = record_compare.compare(chosen) if len(chosen) >= record_compare.MIN_COMPARED else []
    for row in rows:
        row["approach_labels"] = [APPROACHES.get(a, a) for a in row["approaches"]]
    context = {
        "choices": choices,
        "codes": codes + [""] * (record_compare.MAX_COMPARED - len(codes)),
        "rows": rows,
        "matrix": charts.matrix(rows) if rows else None,
        "too_few": bool(codes) and len(chosen) < record_compare.MIN_COMPARED,
    }
    return render(request, "portal/compare.html", context)
