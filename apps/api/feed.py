"""GET /api/v1/changes/: the changes feed, walked with `after=<id>`."""

from __future__ import annotations

from django.conf import settings
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.api import changes
from apps.api.base import ApiView
from apps.api.problems import bad
from apps.api.renderers import LIST_RENDERERS
from apps.record.models import AppliedChange, Target

FieldChange = inline_serializer(
    "FieldChange",
    {
        "before": serializers.JSONField(allow_null=True),
        "after": serializers.JSONField(allow_null=True),
    },
)


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entity = inline_serializer(
        "Entity",
        {
            "kind": serializers.ChoiceField(choices=Target.choices),
            "id": serializers.CharField(),
            "url": serializers.URLField(),
        },
    )
    action = serializers.ChoiceField(choices=["create", "update", "retire"])
    version = serializers.IntegerField(allow_null=True)
    changes = serializers.DictField(child=FieldChange)
    origin = serializers.ChoiceField(choices=["case", "direct", "seed", "system", "verify"])
    reason = serializers.CharField()
    applied_at = serializers.DateTimeField()
    sentences = serializers.ListField(
        child=serializers.CharField(),
        help_text="For an amendment: what its effects on obligations move, in plain words.",
    )


class FeedPage(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.URLField(help_text="Ask this next; it stays valid while nothing is new.")
    last_id = serializers.IntegerField(help_text="Store this: the id to pass as `after`.")
    more = serializers.BooleanField(help_text="Whether `next` has changes already.")


# What changes.items reads of a change (and of its case): a page of a hundred is
# built with nothing more (the case's description, the proposer's ids...).
FEED_FIELDS = (
    "target", "row_id", "action", "version", "before", "after", "origin", "reason",
    "applied_at", "case",
)  # fmt: skip


def _whole(name: str, raw: str | None, default: int, lowest: int, highest: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise bad(name, f"a whole number from {lowest} to {highest}")
    return int(raw)


class ChangesFeed(ApiView):
    read_cache = True  # the published record only
    renderer_classes = LIST_RENDERERS
    extra_parameters = frozenset({"after", "limit", "kind"})

    @extend_schema(
        summary="The changes feed",
        description="Every change applied to the published record, oldest first, in the "
        "order it was committed: the entity, the action, the changed fields before and after, "
        "the origin and the public reason. Store `last_id` and ask again with "
        "`after=<last_id>`: no change is missed or repeated; `more` says whether the next "
        "page already has changes. Example: `?after=0&limit=100`; `?format=csv` answers CSV.",
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0, "maximum": 2**62},
                description="The last id you saw; 0 to start.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE * 10},
                description="Changes per page.",
            ),
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=Target.values, description="Only this entity kind."
            ),
        ],
        responses=FeedPage,
    )
    def get(self, request):
        params = request.query_params
        after = _whole("after", params.get("after"), 0, 0, 2**62)
        limit = _whole("limit", params.get("limit"), 100, 1, settings.API_MAX_PAGE_SIZE * 10)
        rows = (
            AppliedChange.objects.filter(id__gt=after)
            .select_related("case")
            .only(*FEED_FIELDS, "case__public_reason")
            .order_by("id")
        )
        kind = params.get("kind")
        if kind is not None:
            if kind not in Target.values:
                raise bad("kind", f"one of {', '.join(Target.values)}")
            rows = rows.filter(target=kind)
        page = list(rows[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        last = page[-1].pk if page else after
        query = {"after": last, "limit": limit, **({"kind": kind} if kind else {})}
        next_url = (
            reverse("api:changes", request=request)
            + "?"
            + "&".join(f"{k}={v}" for k, v in query.items())
        )
        response = Response(
            {
                "results": changes.items(page, request),
                "next": next_url,
                "last_id": last,
                "more": more,
            }
        )
        if page:
            # The page's newest change: a client may ask If-Modified-Since it (a 304).
            response["Last-Modified"] = http_date(max(c.applied_at for c in page).timestamp())
        return response
