"""The portal's reading pages: home, search, instrument, jurisdiction, compare.

Every page reads published rows only, through the reading layer (apps.reading,
which the API also calls); every page needs a signed-in account.

What a page shows of the record is the same for every reader and is kept under the
record's version and the day (apps.reading.cache: a publication moves the version,
so nothing is forgotten by hand); what belongs to the reader (what they follow, their
updates, the forms' CSRF tokens) and the rows outside the record (watched sources)
are read afresh. Pages are rendered per request, so no reader ever sees another's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from apps.instruments.models import Instrument, Status
from apps.jurisdictions.models import Approach, Jurisdiction, Membership
from apps.portal import charts, crosswalk, recent, watching
from apps.reading import compare as record_compare
from apps.reading import duty_table, facets, standing
from apps.reading.cache import asks_fresh, kept
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
    (lines, coming), hit = _kept(request, "portal-home", (today,), lambda: _home(today))
    return _rendered(
        request,
        "portal/home.html",
        {
            "recent": lines,
            "upcoming": coming,
            "today": today,
            "watch_updates": watching.updates_for(request.user, limit=10),
        },
        hit,
    )


def _home(today: dt.date) -> tuple:
    return recent.describe(list(recent.newsworthy().select_related(None)[:15])), recent.upcoming(
        today
    )


def _kept(request: HttpRequest, kind: str, parts: tuple, compute):
    return kept(kind, parts, compute, fresh=asks_fresh(request.headers))


def _rendered(request: HttpRequest, template: str, context: dict, hit: bool) -> HttpResponse:
    response = render(request, template, context)
    response["X-Read-Cache"] = "hit" if hit else "miss"
    return response


@login_required
def search(request: HttpRequest) -> HttpResponse:
    params = request.GET
    page_number = int(params["page"]) if params.get("page", "").isdigit() else 1
    chosen = {name: params.get(name, "") for name in facets.FACETS}

    def compute() -> dict:
        # The reading layer keeps the answer too (facets.run: the API and exports ask
        # it); kept here rendered, a repeated search skips the rows by id and the
        # hundred facet and pager links (bench/RESULTS.md, benchmark 3).
        page = facets.run(params.get("q", ""), chosen, params.get("sort", ""), page_number)
        shown = {"page": page}
        return {
            "page": Shown(page.q, page.chosen, page.sort, page.total, page.facets),
            "hits_html": render_to_string("portal/_hits.html", shown, request),
            "facets_html": render_to_string("portal/_facets.html", shown, request),
        }

    # Every link in the fragments is the query string with one parameter changed.
    kept_page, hit = _kept(request, "portal-search", (sorted(params.lists()),), compute)
    context = {
        **kept_page,
        "hits_html": mark_safe(kept_page["hits_html"]),  # noqa: S308 - our templates' own output
        "facets_html": mark_safe(kept_page["facets_html"]),  # noqa: S308
        "query": params.urlencode(),
    }
    template = "portal/_results.html" if request.headers.get("HX-Request") else "portal/search.html"
    return _rendered(request, template, context, hit)


@dataclass(frozen=True)
class Shown:
    """What the search page says around its kept fragments: the heading, the form."""

    q: str
    chosen: dict[str, str]
    sort: str
    total: int
    facets: list


@login_required
def instrument(request: HttpRequest, slug: str) -> HttpResponse:
    on = _date(request.GET.get("as_of"))
    read, hit = _kept(
        request,
        "portal-instrument",
        (slug, on, timezone.localdate()),
        lambda: _instrument(slug, on),
    )
    found = read.instrument
    sources = Source.objects.filter(instruments=found).order_by("name")
    wanted = duty_table.asked(request.GET)
    shown = duty_table.table(standing.standing(read.obligations), wanted.filters)
    context = {
        "instrument": found,
        "derived": read.status,
        "status_label": dict(Status.choices).get(read.status.status, read.status.status),
        "as_of": on,
        "bad_as_of": bool(request.GET.get("as_of")) and on is None,
        "table": shown,
        "duty_rows": [(row, shown.penalties[row.obligation.pk]) for row in shown.duties],
        "asked": wanted,
        "filter_query": _filter_query(request, wanted),
        "timeline": read.timeline,
        "incoming": read.incoming,
        "outgoing": read.outgoing,
        "parties": read.parties(),
        "sources": sources,
        "following": watching.follows(request.user, "instrument", found.slug),
    }
    response = _rendered(request, "portal/instrument.html", context, hit)
    if wanted.errors:
        response.status_code = 400  # a filter value refused, said beside its field
    return response


def _filter_query(request: HttpRequest, wanted) -> str:
    """The filters as GET parameters, for the export links (refused values left out)."""
    kept = {
        name: value for name, value in wanted.typed.items() if value and name not in wanted.errors
    }
    return urlencode(kept)


def _instrument(slug: str, on: dt.date | None):
    # A refusal is raised, so it is never kept.
    try:
        found = instrument_detail(slug)
    except Instrument.DoesNotExist as exc:
        raise Http404("No published instrument has this name.") from exc
    if found.retired_at is not None:
        raise Http404("This instrument was removed from the record.")
    return instrument_page(found, on)


@login_required
def jurisdiction(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    (found, by_status, count, chart), hit = _kept(
        request, "portal-jurisdiction", (code, today), lambda: _jurisdiction(code, today)
    )
    context = {
        "jurisdiction": found,
        "by_status": by_status,
        "instrument_count": count,
        "chart": chart,
        "following": watching.follows(request.user, "jurisdiction", found.code),
        "approaches": [APPROACHES.get(a, a) for a in found.approaches],
    }
    return _rendered(request, "portal/jurisdiction.html", context, hit)


def _jurisdiction(code: str, today: dt.date) -> tuple:
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
    return found, sorted(by_status.items()), len(instruments), charts.timeline(instruments, today)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    codes, topic = crosswalk.asked(request.GET)
    found, hit = crosswalk.answer(codes, topic, asks_fresh(request.headers))
    chosen, known = found["chosen"], found["topic"]
    query = [("j", j.code) for j in chosen] + ([("topic", known)] if known else [])
    context = {
        **found,
        "codes": codes + [""] * (record_compare.MAX_COMPARED - len(codes)),
        "topic_label": dict(found["topics"]).get(known, ""),
        "bad_topic": bool(topic) and not known,
        "crosswalk": crosswalk.table(found["columns"]),
        "export_query": urlencode(query),
        "matrix": charts.matrix(found["rows"]) if found["rows"] else None,
        "too_few": bool(codes) and not chosen,
    }
    return _rendered(request, "portal/compare.html", context, hit)
