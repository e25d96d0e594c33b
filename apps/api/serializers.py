"""What a client sees of each published row: stable ids (codes, slugs, keys), never row numbers.

Related data is opt-in through `include=`; a serializer drops every optional
field its view was not asked for (see `Included`), and the view prefetches
exactly what was asked, so the query count does not grow with the page.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.amendments.models import Amendment
from apps.api import compiled, prefetch
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation


def obligation_id(obligation: Obligation) -> str:
    """An obligation's stable id: its instrument's slug and its own key."""
    return f"{obligation.instrument.slug}:{obligation.key}"


class Included(serializers.Serializer):
    """Drops the optional fields (Meta.optional) that the request did not include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = set(self.context.get("include", ()))
        for name in getattr(self.Meta, "optional", ()):
            if name not in wanted:
                self.fields.pop(name, None)

    def to_representation(self, instance):
        return self._write(instance)

    @cached_property
    def _write(self) -> compiled.Row:
        # Planned once per serializer, so once per page for a list (apps.api.compiled).
        return compiled.plan(self)


_PLACEHOLDER = "0stable0id0"


@lru_cache(maxsize=64)
def _pattern(view_name: str, prefix: str) -> str:
    # Resolving a URL per row was a tenth of a list page's time: resolve once per
    # view (and script prefix) and put each id in its place.
    return reverse(view_name, kwargs={"id": _PLACEHOLDER})


def canonical(view_name: str, stable_id: str, request) -> str:
    """A row's canonical URL: absolute, and free of the query that asked for it."""
    path = _pattern(view_name, get_script_prefix()).replace(
        _PLACEHOLDER, quote(stable_id, safe=":@-._~!$&'()*+,;=")
    )
    if request is None:  # a webhook's payload, built in a worker
        return settings.SITE_URL.rstrip("/") + path
    # The scheme and host once per request, not parsed again for each of its rows.
    origin = getattr(request, "_canonical_origin", None)
    if origin is None:
        origin = request._canonical_origin = request.build_absolute_uri("/")[:-1]
    return origin + path


def _url(view_name: str, stable_id: str, context) -> str:
    return canonical(view_name, stable_id, context.get("request"))


class CitationSerializer(serializers.Serializer):
    key = serializers.CharField()
    url = serializers.URLField()
    title = serializers.CharField()
    accessed_on = serializers.DateField()
    last_verified_on = serializers.DateField()


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    value = serializers.CharField()


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    date = serializers.DateField()
    date_precision = serializers.CharField()
    note = serializers.CharField()


class PartySerializer(serializers.Serializer):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    joined_on = serializers.DateField(allow_null=True)
    joined_on_precision = serializers.CharField()


class PenaltySerializer(serializers.Serializer):
    applies_to = serializers.CharField()
    max_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=True
    )
    currency = serializers.CharField()
    turnover_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    prison_years = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    rule = serializers.CharField()
    description = serializers.CharField(source="describe")


class MembershipSerializer(serializers.Serializer):
    group = serializers.CharField(source="group.code")
    member = serializers.CharField(source="member.code")
    joined_on = serializers.DateField(allow_null=True)
    joined_on_precision = serializers.CharField()
    left_on = serializers.DateField(allow_null=True)
    left_on_precision = serializers.CharField()


class JurisdictionSerializer(Included):
    id = serializers.CharField(source="code")
    url = serializers.SerializerMethodField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    iso_alpha2 = serializers.CharField()
    iso_alpha3 = serializers.CharField()
    approaches = serializers.ListField(child=serializers.CharField())
    coverage = serializers.CharField()
    summary = serializers.CharField()
    last_verified_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    members = MembershipSerializer(source="memberships", many=True)
    member_of = MembershipSerializer(many=True)
    citations = CitationSerializer(many=True)

    class Meta:
        optional = ("members", "member_of", "citations")

    def get_url(self, obj) -> str:
        return _url("api:jurisdiction-detail", obj.code, self.context)


class ObligationSerializer(Included):
    id = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    instrument = serializers.CharField(source="instrument.slug")
    key = serializers.CharField()
    provision = serializers.CharField()
    addressee = serializers.CharField()
    requirement = serializers.CharField()
    risk_tier = serializers.CharField()
    applies_from = serializers.DateField(allow_null=True)
    applies_until = serializers.DateField(allow_null=True)
    pillars = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    penalties = PenaltySerializer(many=True)
    citations = CitationSerializer(many=True)

    class Meta:
        optional = ("penalties", "citations")

    def get_id(self, obj) -> str:
        return obligation_id(obj)

    def get_url(self, obj) -> str:
        return _url("api:obligation-detail", obligation_id(obj), self.context)


class AmendmentSerializer(Included):
    id = serializers.CharField(source="key")
    url = serializers.SerializerMethodField()
    kind = serializers.CharField()
    source_instrument = serializers.CharField(
        source="source_instrument.slug", allow_null=True, default=None
    )
    source_jurisdiction = serializers.CharField(
        source="source_jurisdiction.code", allow_null=True, default=None
    )
    target_instrument = serializers.CharField(source="target_instrument.slug")
    target_provision = serializers.CharField()
    announced_on = serializers.DateField(allow_null=True)
    announced_on_precision = serializers.CharField()
    effective_on = serializers.DateField()
    effective_on_precision = serializers.CharField()
    summary = serializers.CharField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    citations = CitationSerializer(many=True)

    class Meta:
        optional = ("citations",)

    def get_url(self, obj) -> str:
        return _url("api:amendment-detail", obj.key, self.context)


class AmendmentsBothWays(serializers.Serializer):
    incoming = AmendmentSerializer(many=True)
    outgoing = AmendmentSerializer(many=True)


class InstrumentSerializer(Included):
    id = serializers.CharField(source="slug")
    url = serializers.SerializerMethodField()
    title = serializers.CharField()
    original_title = serializers.CharField()
    original_language = serializers.CharField()
    kind = serializers.CharField()
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    issuing_body = serializers.CharField()
    legal_force = serializers.CharField()
    status = serializers.SerializerMethodField()
    status_since = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()
    summary = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())
    pillars = serializers.ListField(child=serializers.CharField())
    approach = serializers.CharField()
    source_status_text = serializers.CharField()
    last_verified_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    identifiers = IdentifierSerializer(many=True)
    events = EventSerializer(many=True)
    parties = PartySerializer(many=True)
    obligations = serializers.SerializerMethodField()
    amendments = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True)

    class Meta:
        optional = ("identifiers", "events", "parties", "obligations", "amendments", "citations")

    def _on(self, obj):
        """The instrument on the requested day (views attach it), or None for today."""
        return getattr(obj, "api_as_of", None)

    def get_url(self, obj) -> str:
        return _url("api:instrument-detail", obj.slug, self.context)

    @extend_schema_field(serializers.CharField())
    def get_status(self, obj) -> str:
        state = self._on(obj)
        return state.status.status if state else obj.status

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_status_since(self, obj):
        state = self._on(obj)
        since = state.status.since if state else obj.status_since
        return since.isoformat() if since else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_as_of(self, obj):
        state = self._on(obj)
        return state.on.isoformat() if state else None

    # Nested serializers are built once per page, not once per instrument: building
    # one (its fields, its context) cost more than the rows it wrote (bench/RESULTS.md).
    @cached_property
    def _obligations(self) -> ObligationSerializer:
        context = {**self.context, "include": ["penalties", "citations"]}
        return ObligationSerializer(many=True, context=context)

    @cached_property
    def _amendments(self) -> AmendmentSerializer:
        return AmendmentSerializer(many=True, context={**self.context, "include": ["citations"]})

    @extend_schema_field(ObligationSerializer(many=True))
    def get_obligations(self, obj):
        state = self._on(obj)
        if state:
            rows = state.obligations
        else:
            rows = getattr(obj, prefetch.rows_attr("obligations"), None)
            rows = obj.obligations.all() if rows is None else rows
        return self._obligations.to_representation(rows)

    @extend_schema_field(AmendmentsBothWays)
    def get_amendments(self, obj):
        return {
            "incoming": self._amendments.to_representation(obj.incoming_amendments.all()),
            "outgoing": self._amendments.to_representation(obj.outgoing_amendments.all()),
        }


MODELS = {
    Jurisdiction: JurisdictionSerializer,
    Instrument: InstrumentSerializer,
    Obligation: ObligationSerializer,
    Amendment: AmendmentSerializer,
}
