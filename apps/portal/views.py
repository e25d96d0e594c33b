"""The portal's reading pages: home, search, instrument, jurisdiction, compare.

Every page reads published rows only, through the domain's selectors (the
same ones the API uses); every page needs a signed-in account.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.amendments.selectors import as_of, instrument_detail, parties_on, timeline
from apps.amendments.status import derive_status
from apps.instruments.models import Instrument, Status
from apps.jurisdictions import compare as record_compare
from apps.jurisdictions.models import Approach, Jurisdiction, Membership
from apps.portal import charts, recent, searching, watching
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
    chosen = {name: params.get(name, "") for name in searching.FACETS}
    page = searching.run(params.get("q", ""), chosen, params.get("sort", ""), page_number)
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
    state = as_of(found, on) if on else None
    derived = state.status if state else derive_status(found)
    obligations = (
        state.obligations if state else [o for o in found.obligations.all() if o.retired_at is None]
    )
    sources = Source.objects.filter(instruments=found).order_by("name")
    context = {
        "instrument": found,
        "derived": derived,
        "status_label": dict(Status.choices).get(derived.status, derived.status),
        "as_of": on,
        "bad_as_of": bool(request.GET.get("as_of")) and on is None,
        "obligations": obligations,
        "timeline": timeline(found),
        "incoming": [a for a in found.incoming_amendments.all() if a.retired_at is None],
        "outgoing": [a for a in found.outgoing_amendments.all() if a.retired_at is None],
        "parties": parties_on(found, on or timezone.localdate())
        if found.parties.all() or found.kind == "treaty"
        else [],
        "sources": sources,
        "following": watching.follows(request.user, "instrument", found.slug),
    }
    return render(request, "portal/instrument.html", context)


@login_required
def jurisdiction(request: HttpRequest, code: str) -> HttpResponse:
    membership = Membership.objects.select_related("group", "member")
    rows = (
        Jurisdiction.objects.published()
        .select_related("parent")
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
    choices = list(Jurisdiction.objects.published().order_by("name").values_list("code", "name"))
    found = {j.code: j for j in Jurisdiction.objects.published().filter(code__in=codes)}
    chosen = [found[c] for c in codes if c in found]
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
