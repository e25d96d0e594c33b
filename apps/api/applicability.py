"""GET /api/v1/applicability/: what binds an organisation on a day, from its profile.

The check itself is apps.reading.applicability; this module reads and refuses the
parameters (problem+json naming the parameter) and writes the answer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from apps.amendments.effects import plain
from apps.api.base import ApiView
from apps.api.problems import bad
from apps.api.serializers import obligation_id
from apps.obligations.models import Addressee, RiskTier, Sector
from apps.reading.applicability import Profile, check
from apps.reading.cache import kept

CHOICES = {"role": Addressee, "risk_tier": RiskTier, "sector": Sector}
# What the schema says of each choice parameter (each repeatable).
CHOICE_TEXTS = {
    "role": "What the organisation is towards AI (repeatable), e.g. `provider`.",
    "risk_tier": "A risk tier its systems or models fall in (repeatable), e.g. `gpai`.",
    "sector": "A sector it works in (repeatable), e.g. `employment`.",
}
NUMBERS = {
    "annual_revenue_usd": "a number of US dollars, 0 or more",
    "training_compute_flop": "a number of floating-point operations, 0 or more (1e25 is fine)",
    "users": "a whole number, 0 or more",
    "employees": "a whole number, 0 or more",
}
NUMBER_TYPES = {"users": "integer", "employees": "integer"}
MAX_MARKETS = 30


def _profile(params) -> tuple[Profile, dt.date]:
    on = timezone.localdate()
    if "on" in params:
        try:
            on = dt.date.fromisoformat(params["on"])
        except ValueError:
            raise bad("on", "a date, YYYY-MM-DD") from None
    markets = [m.strip() for m in params.getlist("market") if m.strip()]
    if len(markets) > MAX_MARKETS:
        raise bad("market", f"at most {MAX_MARKETS} markets")
    picked = {}
    for name, choices in CHOICES.items():
        values = params.getlist(name)
        for value in values:
            if value not in choices.values:
                raise bad(name, f"unknown {value!r}; one of {', '.join(choices.values)}")
        picked[name] = tuple(dict.fromkeys(values))
    facts = {}
    for name, expected in NUMBERS.items():
        if name not in params:
            continue
        facts[name] = _number(
            name, params[name], expected, whole=NUMBER_TYPES.get(name) == "integer"
        )
    sme = params.get("sme")
    if sme not in (None, "true", "false"):
        raise bad("sme", "true or false")
    profile = Profile(
        markets=tuple(dict.fromkeys(markets)),
        roles=picked["role"],
        risk_tiers=picked["risk_tier"],
        sectors=picked["sector"],
        sme=None if sme is None else sme == "true",
        **facts,
    )
    return profile, on


def _number(name: str, raw: str, expected: str, *, whole: bool):
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise bad(name, expected) from None
    if not value.is_finite() or value < 0 or value > Decimal("1e40"):
        raise bad(name, expected)
    if whole:
        if value != value.to_integral_value():
            raise bad(name, expected)
        return int(value)
    return value


def _item(request, derived, reach, match) -> dict:
    stored = derived.obligation
    instrument = stored.instrument
    return {
        "id": obligation_id(stored),
        "instrument": instrument.slug,
        "instrument_title": instrument.title,
        "jurisdiction": reach.jurisdiction.code,
        "reached_because": reach.why,
        "provision": stored.provision,
        "addressee": derived.addressee,
        "risk_tier": derived.risk_tier or None,
        "requirement": derived.requirement,
        "applies_from": plain(derived.applies_from),
        "applies_until": plain(derived.applies_until),
        "penalties": plain(list(derived.penalties.all())),
        "citations": [c.url for c in stored.citations.all()],
        "url": request.build_absolute_uri(f"/api/v1/obligations/{obligation_id(stored)}/"),
        "why": list(match.why),
        "missing": list(match.missing),
    }


class ApplicableObligation(serializers.Serializer):
    """One duty in the answer (the schema; the view writes plain dicts)."""

    id = serializers.CharField(help_text="The obligation's stable id: instrument-slug:key.")
    instrument = serializers.CharField()
    instrument_title = serializers.CharField()
    jurisdiction = serializers.CharField()
    reached_because = serializers.CharField()
    provision = serializers.CharField()
    addressee = serializers.CharField()
    risk_tier = serializers.CharField(allow_null=True)
    requirement = serializers.CharField()
    applies_from = serializers.DateField(allow_null=True)
    applies_until = serializers.DateField(allow_null=True)
    penalties = serializers.ListField(child=serializers.DictField())
    citations = serializers.ListField(child=serializers.URLField())
    url = serializers.URLField()
    why = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Facts the profile left blank."
    )


Coming = inline_serializer(
    "UpcomingChange",
    {
        "change": serializers.ChoiceField(["starts", "changes", "ends", "proposed"]),
        "date": serializers.DateField(allow_null=True, help_text="Empty for a proposal."),
        "cause": serializers.CharField(),
        "verdict": serializers.ChoiceField(["applies", "may_apply"]),
        "obligation": ApplicableObligation(),
    },
    many=True,
)


def _parameter(name, kind, description, *, many=False):
    schema = {"type": "array", "items": kind} if many else kind
    return OpenApiParameter(name, schema, description=description, explode=True if many else None)


class ApplicabilityView(ApiView):
    extra_parameters = frozenset({"on", "market", *CHOICES, *NUMBERS, "sme"})

    @extend_schema(
        summary="What applies to an organisation",
        description="The obligations that bind an organisation on a day, given its markets, "
        "roles, risk tiers, sectors and facts (each optional), those that may bind it if a "
        "fact it left blank is met, and what starts, moves or ends in the next twelve "
        "months (with proposals that would change them). Example: "
        "`?market=DE&role=provider&risk_tier=gpai&on=2025-09-01`.",
        parameters=[
            _parameter("on", {"type": "string", "format": "date"}, "The day (default today)."),
            _parameter(
                "market",
                {"type": "string"},
                "A jurisdiction code where it operates (repeatable).",
                many=True,
            ),
            *(
                _parameter(
                    name, {"type": "string", "enum": list(c.values)}, CHOICE_TEXTS[name], many=True
                )
                for name, c in CHOICES.items()
            ),
            *(
                # users and employees are whole numbers: a generated client sends 1000,
                # not 1000.0 (which the server refuses).
                _parameter(name, {"type": NUMBER_TYPES.get(name, "number"), "minimum": 0}, text)
                for name, text in NUMBERS.items()
            ),
            _parameter("sme", OpenApiTypes.BOOL, "Whether it is a small or medium enterprise."),
        ],
        responses=inline_serializer(
            "Applicability",
            {
                "on": serializers.DateField(),
                "markets": serializers.ListField(child=serializers.CharField()),
                "applicable": ApplicableObligation(many=True),
                "may_apply": ApplicableObligation(many=True),
                "upcoming": Coming,
            },
        ),
    )
    def get(self, request):
        profile, on = _profile(request.query_params)
        # Links in the answer are absolute, so the address it was asked at is part of it.
        parts = (request.build_absolute_uri("/"), on, profile)
        body, hit = kept("applicability", parts, lambda: _answer(request, profile, on))
        response = HttpResponse(body, content_type="application/json")
        response["X-Read-Cache"] = "hit" if hit else "miss"
        return response


def _answer(request, profile: Profile, on: dt.date) -> bytes:
    answer = check(profile, on)
    if answer.unknown_markets:
        # Raised inside the computation, so a refusal is never kept.
        raise bad("market", f"no published jurisdiction has the code {answer.unknown_markets[0]!r}")
    return JSONRenderer().render(
        {
            "on": on.isoformat(),
            "markets": sorted({r.jurisdiction.code for r in answer.reached.values()}),
            "applicable": [
                _item(request, f.obligation, f.reach, f.match) for f in answer.applicable
            ],
            "may_apply": [_item(request, f.obligation, f.reach, f.match) for f in answer.may_apply],
            "upcoming": [
                {
                    "change": c.kind,
                    "date": plain(c.date),
                    "cause": c.cause,
                    "verdict": c.match.verdict,
                    "obligation": _item(request, c.obligation, c.reach, c.match),
                }
                for c in answer.upcoming
            ],
        }
    )
