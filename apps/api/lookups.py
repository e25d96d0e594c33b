"""Search, compare and coverage: reads of the record across resources."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.base import ApiView
from apps.api.problems import bad
from apps.api.renderers import LIST_RENDERERS
from apps.api.serializers import obligation_id
from apps.reading import compare as record_compare
from apps.reading import crosswalk
from apps.reading import search as record_search


class SearchHit(serializers.Serializer):
    """One hit: an instrument or an obligation, its link, rank and snippet."""

    id = serializers.CharField()
    url = serializers.URLField()
    title = serializers.CharField()
    rank = serializers.FloatField()
    snippet = serializers.CharField(allow_null=True)


class SearchView(ApiView):
    read_cache = True  # the published record only
    extra_parameters = frozenset({"q", "limit"})

    @extend_schema(
        summary="Search instruments and obligations",
        description="Ranked full-text search over titles, short names, identifiers and "
        "texts; each hit with its id, link, rank and a snippet. `q` takes web-search syntax "
        '(quotes for a phrase, `-` to leave a word out). Example: `?q="general-purpose AI" '
        "-guidelines`.",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
                required=True,
                description='What to look for, in web-search syntax, e.g. `"general-purpose AI"`.',
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="Most hits of each kind (instruments, obligations); default 20.",
            ),
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "q": serializers.CharField(),
                # A field object each: one object under two names keeps only the last
                # (the schema then lacked `instruments`).
                "instruments": SearchHit(many=True),
                "obligations": SearchHit(many=True),
            },
        ),
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        if not q:
            raise bad("q", "say what to search for")
        if len(q) > 200:
            raise bad("q", "at most 200 characters")
        raw = request.query_params.get("limit", "20")
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            raise bad("limit", "a whole number from 1 to 100")
        found = record_search.hits(q, int(raw))
        build = request.build_absolute_uri
        instruments = [
            {
                "id": i.slug,
                "url": build(f"/api/v1/instruments/{i.slug}/"),
                "title": i.title,
                "rank": round(float(i.rank), 6),
                "snippet": i.snippet or None,
            }
            for i in found.instruments
        ]
        obligations = [
            {
                "id": obligation_id(o),
                "url": build(f"/api/v1/obligations/{obligation_id(o)}/"),
                "title": f"{o.instrument.title}, {o.provision}",
                "rank": round(float(o.rank), 6),
                "snippet": o.snippet or None,
            }
            for o in found.obligations
        ]
        return Response({"q": q, "instruments": instruments, "obligations": obligations})


Penalties = inline_serializer(
    "MaximumPenalties",
    {
        "amounts": serializers.DictField(child=serializers.CharField()),
        "turnover_percent": serializers.CharField(allow_null=True),
        "prison_years": serializers.CharField(allow_null=True),
    },
)
CrosswalkItem = inline_serializer(
    "CrosswalkAnswer",
    {
        "text": serializers.CharField(),
        "detail": serializers.CharField(),
        "url": serializers.URLField(help_text="The API resource of the row it comes from."),
        "date": serializers.DateField(allow_null=True),
        "source_title": serializers.CharField(allow_null=True),
        "source_url": serializers.URLField(allow_null=True),
    },
    many=True,
)
CrosswalkCell = inline_serializer(
    "CrosswalkCell",
    {
        "question": serializers.CharField(),
        "answer": serializers.CharField(),
        "found": serializers.BooleanField(help_text="False: the record holds none."),
        "items": CrosswalkItem,
    },
)
Compared = inline_serializer(
    "ComparedJurisdiction",
    {
        "id": serializers.CharField(),
        "name": serializers.CharField(),
        "approaches": serializers.ListField(child=serializers.CharField()),
        "coverage": serializers.CharField(),
        "binding_in_force": serializers.ListField(child=serializers.CharField()),
        "maximum_penalties": Penalties,
        "obligations_by_addressee": serializers.DictField(child=serializers.IntegerField()),
        "obligations_by_pillar": serializers.DictField(child=serializers.IntegerField()),
        "crosswalk": serializers.DictField(
            child=CrosswalkCell,
            help_text="The portal's crosswalk: per question (binding, in_force, pending, "
            "soft_law, addressed, penalty, next_date), answers with their rows and sources.",
        ),
    },
    many=True,  # the answer lists them, in the order asked
)


def _number(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _item_url(item: crosswalk.Item) -> str:
    if item.obligation:
        return f"/api/v1/obligations/{item.instrument}:{item.obligation}/"
    if item.instrument:
        return f"/api/v1/instruments/{item.instrument}/"
    return f"/api/v1/jurisdictions/{item.jurisdiction}/"


def _crosswalk(column: crosswalk.Column, build) -> dict:
    """The portal's crosswalk for one jurisdiction, each answer pointing at its row's
    resource: the reading layer's one answer (apps.reading.crosswalk)."""
    questions = dict(crosswalk.QUESTIONS)
    return {
        key: {
            "question": questions[key],
            "answer": cell.answer,
            "found": cell.found,
            "items": [
                {
                    "text": item.text,
                    "detail": item.detail,
                    "url": build(_item_url(item)),
                    "date": item.day.isoformat() if item.day else None,
                    "source_title": item.source.title if item.source else None,
                    "source_url": item.source.url if item.source else None,
                }
                for item in cell.items
            ],
        }
        for key, cell in column.cells.items()
    }


class CompareView(ApiView):
    read_cache = True  # the published record only
    extra_parameters = frozenset({"jurisdictions"})

    @extend_schema(
        summary="Compare jurisdictions",
        description="Two to five jurisdictions side by side: their approaches, coverage, "
        "binding law in force, highest penalties and obligations counted by addressee and by "
        "risk pillar. Example: `?jurisdictions=EU,CN,US`.",
        parameters=[
            OpenApiParameter(
                "jurisdictions",
                OpenApiTypes.STR,
                required=True,
                description="2 to 5 jurisdiction codes, comma-separated, e.g. `EU,CN,US`.",
            )
        ],
        responses=inline_serializer("Comparison", {"jurisdictions": Compared}),
    )
    def get(self, request):
        raw = request.query_params.get("jurisdictions", "")
        codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
        low, high = record_compare.MIN_COMPARED, record_compare.MAX_COMPARED
        if not low <= len(codes) <= high:
            raise bad("jurisdictions", f"{low} to {high} different codes, comma-separated")
        chosen = record_compare.choose(codes)
        if chosen.missing:
            raise bad(
                "jurisdictions", f"no published jurisdiction has the code {chosen.missing[0]!r}"
            )
        rows = record_compare.compare(chosen.jurisdictions)
        walked = {c.jurisdiction.pk: c for c in crosswalk.crosswalk(chosen.jurisdictions)}
        build = request.build_absolute_uri
        return Response(
            {
                "jurisdictions": [
                    {
                        "id": row["jurisdiction"].code,
                        "name": row["jurisdiction"].name,
                        "approaches": row["approaches"],
                        "coverage": row["coverage"],
                        "binding_in_force": [i.slug for i in row["binding_in_force"]],
                        "maximum_penalties": {
                            "amounts": {
                                k: _number(v)
                                for k, v in row["maximum_penalties"].get("amounts", {}).items()
                            },
                            "turnover_percent": _number(
                                row["maximum_penalties"].get("turnover_percent")
                            ),
                            "prison_years": _number(row["maximum_penalties"].get("prison_years")),
                        },
                        "obligations_by_addressee": row["obligations_by_addressee"],
                        "obligations_by_pillar": row["obligations_by_pillar"],
                        "crosswalk": _crosswalk(walked[row["jurisdiction"].pk], build),
                    }
                    for row in rows
                ]
            }
        )


class CoverageSerializer(serializers.Serializer):
    id = serializers.CharField(source="code")
    name = serializers.CharField()
    kind = serializers.CharField()
    coverage = serializers.CharField()
    instrument_count = serializers.IntegerField()
    binding_count = serializers.IntegerField()


class CoverageView(ApiView):
    read_cache = True  # the published record only
    serializer_class = CoverageSerializer
    renderer_classes = LIST_RENDERERS

    @extend_schema(
        summary="Coverage of each jurisdiction",
        description="How fully the record tracks each jurisdiction, with how many instruments "
        "(and binding ones) it holds, paged; `?format=csv` answers CSV.",
        responses=CoverageSerializer(many=True),
    )
    def get(self, request):
        rows = record_compare.coverage()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CoverageSerializer(page, many=True).data)
