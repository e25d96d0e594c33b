"""What a client sees of each published row: stable ids (codes, slugs, keys), never row numbers.

Related data is opt-in through `include=`; a serializer drops every optional
field its view was not asked for (see `Included`), and the view prefetches
exactly what was asked, so the query count does not grow with the page.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.amendments.models import Amendment, EffectKind
from apps.api import compiled, prefetch
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.reading.obligation_lists import Told, told


def obligation_id(obligation: Obligation) -> str:
    """An obligation's stable id: its instrument's slug and its own key."""
    return f"{obligation.instrument.slug}:{obligation.key}"


class Included(serializers.Serializer):
    """Drops the optional fields (Meta.optional) that the request did not include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = set(self.context.get("include", ()))
        # A field named in Meta.included_with comes with the include named there.
        with_ = getattr(self.Meta, "included_with", {})
        for name in getattr(self.Meta, "optional", ()):
            if with_.get(name, name) not in wanted:
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
    locator = serializers.CharField(
        help_text="Where in the source the fact stands (article, section, paragraph); "
        "empty when not recorded."
    )
    states = serializers.CharField(
        help_text="What the source was read to state, in the editor's words; empty when "
        "not recorded."
    )
    accessed_on = serializers.DateField(allow_null=True, help_text="Null: not read.")
    last_verified_on = serializers.DateField(allow_null=True, help_text="Null: never checked.")


class CheckCitationSerializer(serializers.Serializer):
    key = serializers.CharField()
    url = serializers.URLField()
    title = serializers.CharField()
    locator = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    """What the record knows of the row's last check (apps.core.models_base.CheckState)."""

    state = serializers.ChoiceField(
        choices=["checked", "not_checked_since_seed", "never_checked"],
        help_text="checked: an editor checked the row against `citation` on `checked_on`; "
        "not_checked_since_seed: no check since it came from the seed data; "
        "never_checked: added by the editors and not checked since.",
    )
    checked_on = serializers.DateField(allow_null=True)
    citation = CheckCitationSerializer(
        allow_null=True, help_text="The source of the last check; null when none is recorded."
    )


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


class AmendmentLink(serializers.Serializer):
    id = serializers.CharField()
    url = serializers.URLField()


class StepSerializer(serializers.Serializer):
    """One change an amendment makes to an obligation, and what it replaced."""

    amendment = AmendmentLink()
    kind = serializers.ChoiceField(choices=EffectKind.choices)
    field = serializers.CharField(
        allow_null=True, help_text="The value it changes; null when it adds the obligation."
    )
    was = serializers.JSONField(allow_null=True)
    became = serializers.JSONField(allow_null=True)
    effective_on = serializers.DateField(allow_null=True, help_text="Null: only proposed.")
    sentence = serializers.CharField(help_text="The change in plain words.")


class PendingSerializer(serializers.Serializer):
    scheduled = StepSerializer(many=True, help_text="Adopted, in effect after the day.")
    proposed = StepSerializer(many=True, help_text="Proposed: no date of effect, not law.")


class EffectSerializer(serializers.Serializer):
    obligation = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=EffectKind.choices)
    date = serializers.DateField(allow_null=True)
    text = serializers.CharField()
    penalties = serializers.JSONField(allow_null=True)

    def get_obligation(self, obj) -> str:
        return obligation_id(obj.obligation)


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
    current_as_of = serializers.DateField(
        allow_null=True,
        help_text="The day this jurisdiction's record was swept to; null when not swept.",
    )
    last_verified_on = serializers.DateField(allow_null=True)
    check = CheckSerializer(source="check_state")
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
    punished_by = serializers.SerializerMethodField(
        help_text="The penalty provisions (obligations of the same instrument, by id) the "
        "record says punish a breach of this duty; comes with include=penalties."
    )
    citations = CitationSerializer(many=True)
    history = serializers.SerializerMethodField()
    pending = serializers.SerializerMethodField()

    class Meta:
        optional = ("penalties", "punished_by", "citations", "history", "pending")
        included_with = {"pending": "history", "punished_by": "penalties"}

    # The rows are obligations as they stand on a day (apps.amendments.effects'
    # DerivedObligation): its dates, requirement, addressee, risk tier and penalties
    # are the amended ones, and it carries the steps that made them.
    def get_id(self, obj) -> str:
        return obligation_id(obj)

    def get_url(self, obj) -> str:
        return _url("api:obligation-detail", obligation_id(obj), self.context)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_punished_by(self, obj) -> list[str]:
        # Read with the rows (ObligationQuerySet.with_fine_keys), never row by row.
        return [f"{obj.instrument.slug}:{key}" for key in obj.fine_keys]

    @extend_schema_field(StepSerializer(many=True))
    def get_history(self, obj) -> list[dict]:
        return [self._step(step) for step in told(obj, obj.history)]

    @extend_schema_field(PendingSerializer)
    def get_pending(self, obj) -> dict:
        return {
            "scheduled": [self._step(step) for step in told(obj, obj.scheduled)],
            "proposed": [self._step(step) for step in told(obj, obj.pending)],
        }

    @cached_property
    def _penalty(self) -> compiled.Row:
        return compiled.plan(PenaltySerializer())

    def _value(self, value):
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list):  # penalties, as the penalties field writes them
            return [self._penalty(penalty) for penalty in value]
        return value

    def _step(self, step: Told) -> dict:
        key = step.amendment.key
        return {
            "amendment": {"id": key, "url": _url("api:amendment-detail", key, self.context)},
            "kind": step.kind,
            "field": step.field,
            "was": self._value(step.was),
            "became": self._value(step.became),
            "effective_on": self._value(step.effective_on),
            "sentence": step.sentence,
        }


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
    effective_on = serializers.DateField(
        allow_null=True, help_text="Null while the change is only proposed (pending)."
    )
    effective_on_precision = serializers.CharField()
    pending = serializers.BooleanField(
        source="is_pending", help_text="A proposed change: not law, in effect nowhere."
    )
    summary = serializers.CharField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    citations = CitationSerializer(many=True)
    effects = EffectSerializer(many=True)

    class Meta:
        optional = ("citations", "effects")

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
    check = CheckSerializer(source="check_state")
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
