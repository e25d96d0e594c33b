"""Baselines: the same rows as the API answers, built the cheapest way Django allows.

Each baseline is a bare Django view: no authentication, throttling, filter forms or
serializers, rows read with `.values()` and encoded with orjson. The API's figure
next to it says what the framework layers cost on the same data, on the same
machine, in the same minute.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from django.db import connection
from django.db.models import Q
from django.http import HttpResponse

from apps.instruments.models import Identifier, Instrument
from apps.obligations.models import Obligation, Penalty, RiskTier
from apps.reading.markets import reach
from apps.reading.obligations import in_force_by
from apps.record.models import AppliedChange

try:
    import orjson

    def dumps(value) -> bytes:
        return orjson.dumps(value, default=str)  # Decimal amounts as strings, as the API

    ENCODER = "orjson"
except ImportError:  # a venv without the dev extra; the figure says which ran
    import json

    def dumps(value) -> bytes:
        return json.dumps(value, default=str).encode()

    ENCODER = "json"


class ServerTiming:
    """Adds `X-Bench-Queries` and `X-Bench-Ms` to every response: the queries a request
    ran and its time inside Django, read by bench/run.py from outside the process."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(queries)
        response["X-Bench-Ms"] = f"{(time.perf_counter() - start) * 1000:.2f}"
        return response


INSTRUMENT_FIELDS = (
    "id", "slug", "title", "original_title", "original_language", "kind", "jurisdiction__code",
    "issuing_body", "legal_force", "status", "status_since", "summary", "topics", "pillars",
    "approach", "source_status_text", "last_verified_on", "version", "updated_at", "retired_at",
)  # fmt: skip
OBLIGATION_FIELDS = (
    "id", "instrument_id", "key", "provision", "addressee", "requirement", "risk_tier",
    "applies_from", "applies_until", "pillars", "version", "updated_at", "retired_at",
)  # fmt: skip
PENALTY_FIELDS = (
    "obligation_id", "applies_to", "max_amount", "currency", "turnover_percent", "prison_years",
    "rule",
)  # fmt: skip


def _grouped(rows, key: str) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        out[row.pop(key)].append(row)
    return out


def instruments(request):
    """GET /bench/baseline/instruments/?page=&page_size=&legal_force=&kind=: the API list
    with include=obligations,identifiers (obligations with penalties and citations)."""
    page = int(request.GET.get("page", 1))
    size = int(request.GET.get("page_size", 100))
    rows = Instrument.objects.filter(retired_at__isnull=True)
    for name in ("legal_force", "kind"):
        if request.GET.get(name):
            rows = rows.filter(**{name: request.GET[name]})
    count = rows.count()
    items = list(rows.order_by("title").values(*INSTRUMENT_FIELDS)[(page - 1) * size : page * size])
    ids = [item["id"] for item in items]
    identifiers = _grouped(
        Identifier.objects.filter(instrument__in=ids)
        .order_by("scheme", "value")
        .values("instrument_id", "scheme", "value"),
        "instrument_id",
    )
    obligations = list(
        Obligation.objects.filter(instrument__in=ids, retired_at__isnull=True)
        .order_by("applies_from", "provision")
        .values(*OBLIGATION_FIELDS)
    )
    oids = [o["id"] for o in obligations]
    penalties = _grouped(
        Penalty.objects.filter(obligation__in=oids).values(*PENALTY_FIELDS), "obligation_id"
    )
    citations = _grouped(
        Obligation.citations.through.objects.filter(obligation__in=oids).values(
            "obligation_id", "citation__key", "citation__url", "citation__title"
        ),
        "obligation_id",
    )
    by_instrument: dict[int, list[dict]] = defaultdict(list)
    for obligation in obligations:
        oid = obligation.pop("id")
        obligation["penalties"] = penalties.get(oid, [])
        obligation["citations"] = citations.get(oid, [])
        by_instrument[obligation.pop("instrument_id")].append(obligation)
    for item in items:
        iid = item.pop("id")
        item["identifiers"] = identifiers.get(iid, [])
        item["obligations"] = by_instrument.get(iid, [])
    body = {"count": count, "page": page, "results": items}
    return HttpResponse(dumps(body), content_type="application/json")


def applicability(request):
    """GET /bench/baseline/applicability/?on=&market=&role=&risk_tier=: the duties the
    applicability check answers, found the cheapest way, with their penalties and
    citations: the obligations of the reached jurisdictions' binding instruments with an
    event in force by the day, whose own dates cover it and whose addressee and tier fit.
    No amendments' effects, conditions, status derivation or upcoming changes: the floor
    under the check, on nearly the same rows."""
    on = dt.date.fromisoformat(request.GET["on"])
    reached, _ = reach(request.GET.getlist("market"), on)
    tiers = [*request.GET.getlist("risk_tier"), "", RiskTier.PROHIBITED]
    obligations = list(
        Obligation.objects.filter(
            retired_at__isnull=True,
            instrument__retired_at__isnull=True,
            instrument__jurisdiction__in=list(reached),
            instrument__legal_force="binding",
            addressee__in=[*request.GET.getlist("role"), "company"],
            risk_tier__in=tiers,
            applies_from__lte=on,
        )
        .filter(Q(applies_until__isnull=True) | Q(applies_until__gt=on))
        .filter(in_force_by(on, "instrument"))
        .order_by("instrument__title", "provision", "key")
        .values(*OBLIGATION_FIELDS, "instrument__slug", "instrument__title")
    )
    oids = [o["id"] for o in obligations]
    penalties = _grouped(
        Penalty.objects.filter(obligation__in=oids)
        .order_by("applies_to", "id")  # no join for the Meta ordering through obligations
        .values(*PENALTY_FIELDS),
        "obligation_id",
    )
    citations = _grouped(
        Obligation.citations.through.objects.filter(obligation__in=oids).values(
            "obligation_id", "citation__url"
        ),
        "obligation_id",
    )
    for obligation in obligations:
        oid = obligation["id"]
        obligation["penalties"] = penalties.get(oid, [])
        obligation["citations"] = [c["citation__url"] for c in citations.get(oid, [])]
    body = {"on": on.isoformat(), "applicable": obligations}
    return HttpResponse(dumps(body), content_type="application/json")


def changes(request):
    """GET /bench/baseline/changes/?after=&limit=: a page of the audit trail by id, as stored
    (no stable ids looked up: the floor under the feed)."""
    after = int(request.GET.get("after", 0))
    limit = int(request.GET.get("limit", 100))
    page = list(
        AppliedChange.objects.filter(id__gt=after)
        .order_by("id")
        .values(
            "id", "target", "action", "row_id", "version", "before", "after", "origin", "reason",
            "case__public_reason", "applied_at",
        )[: limit + 1]
    )  # fmt: skip
    more = len(page) > limit
    page = page[:limit]
    last = page[-1]["id"] if page else after
    body = {"results": page, "last_id": last, "more": more}
    return HttpResponse(dumps(body), content_type="application/json")
