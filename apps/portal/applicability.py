"""The "What applies" page: an organisation's profile, and the duties that bind it on a day.

The answer is apps.reading.applicability.check, the one the API gives
(GET /api/v1/applicability/); this module only lays it out: the three lists
grouped by jurisdiction and instrument, the next twelve months as a timeline
(proposals apart: they are not law), a printable view and CSV/XLSX exports whose
rows are the page's and whose columns are the API items'.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.obligations.models import Addressee, RiskTier, Sector
from apps.portal import exports
from apps.portal.models import SavedProfile
from apps.portal.profile_form import ProfileForm, submitted
from apps.reading.applicability import APPLIES, Answer, Profile, check
from apps.reading.compare import choices as jurisdiction_choices

ADDRESSEES = dict(Addressee.choices)
TIERS = dict(RiskTier.choices)
SECTORS = dict(Sector.choices)
LISTS = {"applicable": "applies", "may_apply": "may apply", "upcoming": "upcoming"}
# The API item's fields, in its order, after what says which list and change a row is.
COLUMNS = [
    "list",
    "change",
    "date",
    "cause",
    "id",
    "instrument",
    "instrument_title",
    "jurisdiction",
    "reached_because",
    "provision",
    "addressee",
    "risk_tier",
    "requirement",
    "applies_from",
    "applies_until",
    "penalties",
    "citations",
    "url",
    "why",
    "missing",
]


def item(request: HttpRequest, derived, reach, match) -> dict:
    """One duty as the page shows it and the export writes it."""
    stored = derived.obligation
    instrument = stored.instrument
    return {
        "id": f"{instrument.slug}:{stored.key}",
        "instrument": instrument.slug,
        "instrument_title": instrument.title,
        "jurisdiction": reach.jurisdiction.code,
        "jurisdiction_name": reach.jurisdiction.name,
        "reached_because": reach.why,
        "provision": stored.provision,
        "addressee": derived.addressee,
        "addressee_label": ADDRESSEES.get(derived.addressee, derived.addressee),
        "risk_tier": derived.risk_tier or "",
        "risk_tier_label": TIERS.get(derived.risk_tier, ""),
        "requirement": derived.requirement,
        "applies_from": derived.applies_from,
        "applies_until": derived.applies_until,
        "penalties": [p.describe() for p in derived.penalties.all()],
        "citations": list(stored.citations.all()),
        "url": request.build_absolute_uri(
            reverse("portal:instrument", kwargs={"slug": instrument.slug})
        ),
        "why": list(match.why),
        "missing": list(match.missing),
        "verdict": match.verdict,
    }


def laid_out(request: HttpRequest, answer: Answer) -> dict:
    """The answer as the page shows it: lists grouped, the timeline, the proposals."""
    applicable = [item(request, f.obligation, f.reach, f.match) for f in answer.applicable]
    may_apply = [item(request, f.obligation, f.reach, f.match) for f in answer.may_apply]
    upcoming = [
        {
            "change": c.kind,
            "date": c.date,
            "cause": c.cause,
            "item": item(request, c.obligation, c.reach, c.match),
        }
        for c in answer.upcoming
    ]
    return {
        "applicable": applicable,
        "may_apply": may_apply,
        "upcoming": upcoming,
        "applicable_groups": _grouped(applicable),
        "may_apply_groups": _grouped(may_apply),
        "timeline": [c for c in upcoming if c["change"] != "proposed"],
        "proposals": [c for c in upcoming if c["change"] == "proposed"],
        "reached": sorted(answer.reached.values(), key=lambda r: r.jurisdiction.name),
        "on": answer.on,
        "applies": APPLIES,
    }


def _grouped(items: list[dict]) -> list[dict]:
    """By jurisdiction, then instrument, in the order the check sorted them."""
    groups = []
    for (code, name, why), in_jurisdiction in groupby(
        items, key=lambda i: (i["jurisdiction"], i["jurisdiction_name"], i["reached_because"])
    ):
        instruments = [
            {"slug": slug, "title": title, "items": list(duties)}
            for (slug, title), duties in groupby(
                in_jurisdiction, key=lambda i: (i["instrument"], i["instrument_title"])
            )
        ]
        groups.append({"code": code, "name": name, "why": why, "instruments": instruments})
    return groups


def rows(shown: dict) -> list[list[str]]:
    """The export's rows: the three lists, in the page's order."""
    out = []
    for name in ("applicable", "may_apply"):
        for duty in shown[name]:
            out.append(_cells(LISTS[name], {}, duty))
    for coming in shown["upcoming"]:
        out.append(_cells(LISTS["upcoming"], coming, coming["item"]))
    return out


def _cells(listed: str, coming: dict, duty: dict) -> list:
    """One export row: the API item's columns, each code written as its label (the
    jurisdiction by its name) and dates kept as dates for the spreadsheet."""
    values = {
        **duty,
        "list": listed,
        "change": coming.get("change", ""),
        "date": coming.get("date"),
        "cause": coming.get("cause", ""),
        "jurisdiction": duty["jurisdiction_name"],
        "addressee": duty["addressee_label"],
        "risk_tier": duty["risk_tier_label"],
        "penalties": "; ".join(duty["penalties"]),
        "citations": " ".join(c.url for c in duty["citations"]),
        "why": "; ".join(duty["why"]),
        "missing": ", ".join(duty["missing"]),
    }
    return [_cell(values[column]) for column in COLUMNS]


def _cell(value):
    return value if value is None or isinstance(value, dt.date) else str(value)


def summary(profile: Profile) -> list[tuple[str, str]]:
    """The profile's answers in words, for the printed page."""
    blank = "not answered"

    def named(values, labels) -> str:
        return ", ".join(labels.get(v, v) for v in values) or blank

    def number(value) -> str:
        if value is None:
            return blank
        return f"{value.normalize():,f}" if isinstance(value, Decimal) else f"{value:,}"

    return [
        ("Markets", ", ".join(profile.markets) or blank),
        ("Roles", named(profile.roles, ADDRESSEES)),
        ("Risk tiers", named(profile.risk_tiers, TIERS)),
        ("Sectors", named(profile.sectors, SECTORS)),
        ("Annual revenue (USD)", number(profile.annual_revenue_usd)),
        ("Training compute (FLOP)", number(profile.training_compute_flop)),
        ("Users", number(profile.users)),
        ("Employees", number(profile.employees)),
        ("SME", blank if profile.sme is None else ("yes" if profile.sme else "no")),
    ]


def respond(request, form: ProfileForm, *, template: str, extra: dict) -> HttpResponse:
    """The page (or its printable view, `?print=1`) for a form, bound or not."""
    params = request.GET.copy()
    params.pop("print", None)
    query = params.urlencode()
    context = {
        "form": form,
        "printable": request.GET.get("print") == "1",
        "query": query,
        "print_url": f"?{query}&print=1" if query else "?print=1",
        **extra,
    }
    if form.is_bound and form.is_valid():
        profile = form.profile()
        context["shown"] = laid_out(request, check(profile, form.day()))
        context["answers"] = summary(profile)
    name = "portal/applicability_print.html" if context["printable"] else template
    return render(request, name, context)


def export(request, form: ProfileForm, name: str) -> HttpResponse:
    fmt = exports._format(request)
    if not form.is_valid():
        return HttpResponse(
            "The profile has errors; correct them on the page first.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    shown = laid_out(request, check(form.profile(), form.day()))
    return exports._respond(rows(shown), name, fmt, columns=COLUMNS)


def form_for(data) -> ProfileForm:
    return ProfileForm(data, jurisdictions=jurisdiction_choices())


@login_required
def page(request: HttpRequest) -> HttpResponse:
    form = (
        form_for(request.GET)
        if submitted(request.GET)
        else ProfileForm(jurisdictions=jurisdiction_choices())
    )
    saved = SavedProfile.objects.filter(user=request.user).only("pk", "name", "following")
    return respond(
        request,
        form,
        template="portal/applicability.html",
        extra={"saved_profiles": saved},
    )


@login_required
def page_export(request: HttpRequest) -> HttpResponse:
    return export(request, form_for(request.GET), "what-applies")
