"""Query filters for each list: names and values checked, errors say what would be accepted.

Filters read through the domain's querysets (published(), members_of,
applicable_on); nothing here re-states a rule of the record.
"""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.db.models import Q
from django.utils import timezone

from apps.amendments.models import Amendment
from apps.amendments.models import Kind as AmendmentKind
from apps.api.problems import bad
from apps.instruments.models import Identifier, Instrument, Kind, LegalForce, Pillar, Scheme, Status
from apps.jurisdictions.models import Approach, Coverage, Jurisdiction
from apps.jurisdictions.models import Kind as JurisdictionKind
from apps.obligations.models import Addressee, Obligation, RiskTier
from apps.reading.obligation_lists import LawOn, Wanted


class Scope:
    EXACT = "exact"
    SUBDIVISIONS = "subdivisions"  # and its states, provinces ...
    MEMBERSHIPS = "memberships"  # and the groups it belongs to: what binds it
    MEMBERS = "members"  # and its members: everything that binds the group's members
    CHOICES = [(v, v) for v in (EXACT, SUBDIVISIONS, MEMBERSHIPS, MEMBERS)]


def _choice(
    choices, help_text: str, field_name: str | None = None, method: str | None = None
) -> df.ChoiceFilter:
    values = ", ".join(value for value, _ in choices)
    return df.ChoiceFilter(
        choices=choices,
        help_text=help_text,
        field_name=field_name,
        method=method,
        error_messages={"invalid_choice": f"unknown value %(value)r; use one of {values}"},
    )


def _day(data) -> dt.date:
    value = data.get("as_of")
    return value or timezone.localdate()


def jurisdictions_in_scope(code: str, scope: str, on: dt.date) -> set[int]:
    """The jurisdictions a `jurisdiction=` filter covers on `on` (empty if the code is unknown)."""
    root = Jurisdiction.objects.published().filter(code=code).first()
    if root is None:
        return set()
    found = {root.pk}
    if scope == Scope.SUBDIVISIONS:
        frontier = {root.pk}
        while frontier:  # a few levels at most: country, state, county
            frontier = set(
                Jurisdiction.objects.published()
                .filter(parent__in=frontier)
                .exclude(pk__in=found)
                .values_list("pk", flat=True)
            )
            found |= frontier
    elif scope == Scope.MEMBERSHIPS:
        found |= set(
            Jurisdiction.objects.published()
            .filter(
                Q(memberships__joined_on__isnull=True) | Q(memberships__joined_on__lte=on),
                Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=on),
                memberships__member=root,
            )
            .values_list("pk", flat=True)
        )
    elif scope == Scope.MEMBERS:
        found |= set(Jurisdiction.objects.members_of(root, on=on).values_list("pk", flat=True))
    return found


class RecordFilter(df.FilterSet):
    """What every list filters by the same way."""

    updated_since = df.IsoDateTimeFilter(
        field_name="updated_at",
        method="filter_updated_since",
        help_text="Only rows changed at or after this instant (ISO 8601, e.g. "
        "`2025-06-01T00:00:00Z`); the changes feed says what changed.",
    )
    # The path from a row to its jurisdiction, for the `jurisdiction=` filter.
    jurisdiction_path = "jurisdiction"

    def filter_updated_since(self, queryset, name, value):
        # Compared in UTC: PostgreSQL refuses a UTC offset past 15:59, which ISO 8601
        # and Python allow up to 23:59 ("+18:50" answered 500, found by the fuzz test).
        try:
            since = value.astimezone(dt.UTC)
        except OverflowError:  # the same instant is past year 9999, or before year 1
            return queryset.none() if value.year > 1 else queryset
        return queryset.filter(updated_at__gte=since)

    def filter_noop(self, queryset, name, value):
        return queryset  # read by another filter or by the view

    def filter_jurisdiction(self, queryset, name, value):
        data = self.form.cleaned_data
        scope = data.get("jurisdiction_scope") or Scope.EXACT
        ids = jurisdictions_in_scope(value, scope, _day(data))
        return queryset.filter(**{f"{self.jurisdiction_path}__in": ids})


class JurisdictionFilter(RecordFilter):
    kind = _choice(JurisdictionKind.choices, "Country, subnational unit, forum ...")
    coverage = _choice(Coverage.choices, "How fully the record tracks it.")
    approach = _choice(Approach.choices, "A regulatory approach it follows.", "approaches")
    member_of = df.CharFilter(method="filter_member_of", help_text="Members of this group (code).")
    parent = df.CharFilter(field_name="parent__code", help_text="Subdivisions of this code.")
    ordering = df.OrderingFilter(fields=("code", "name", "updated_at"))

    class Meta:
        model = Jurisdiction
        fields: list[str] = []

    def filter_queryset(self, queryset):
        approach = self.form.cleaned_data.pop("approach", None)
        queryset = super().filter_queryset(queryset)
        if approach:
            queryset = queryset.filter(approaches__contains=[approach])
        return queryset

    def filter_member_of(self, queryset, name, value):
        group = Jurisdiction.objects.published().filter(code=value).first()
        if group is None:
            return queryset.none()
        # By id: members_of() is distinct (a member through several paths), and Django
        # will not AND a distinct query with the list's own (it answered 500).
        members = Jurisdiction.objects.members_of(group, on=timezone.localdate())
        return queryset.filter(pk__in=members.values("pk"))


class InstrumentFilter(RecordFilter):
    jurisdiction = df.CharFilter(method="filter_jurisdiction", help_text="A jurisdiction code.")
    jurisdiction_scope = df.ChoiceFilter(
        choices=Scope.CHOICES,
        method="filter_noop",
        help_text="exact (default); subdivisions; memberships (and the groups it belongs to); "
        "members (and the group's members).",
    )
    kind = _choice(Kind.choices, "The kind of instrument.")
    status = _choice(Status.choices, "The derived status (on `as_of` when given).")
    legal_force = _choice(LegalForce.choices, "Binding or soft law.")
    approach = _choice(Approach.choices, "The regulatory approach it embodies.")
    topic = df.CharFilter(method="filter_topic", help_text="A topic it is tagged with.")
    pillar = _choice(Pillar.choices, "A risk pillar it addresses.")
    addressee = _choice(Addressee.choices, "It imposes an obligation on this addressee.")
    risk_tier = _choice(RiskTier.choices, "It has an obligation in this risk tier.")
    identifier = df.CharFilter(method="filter_identifier", help_text="scheme:value, eg eo:14179")
    as_of = df.DateFilter(method="filter_noop", help_text="Status and obligations on this day.")
    status_since_from = df.DateFilter(
        field_name="status_since",
        lookup_expr="gte",
        help_text="Its current status began on or after this day, e.g. `2024-08-01`.",
    )
    status_since_to = df.DateFilter(
        field_name="status_since",
        lookup_expr="lte",
        help_text="Its current status began on or before this day.",
    )
    ordering = df.OrderingFilter(fields=("title", "status_since", "updated_at", "slug"))

    class Meta:
        model = Instrument
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        return queryset.filter(topics__contains=[value])

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        pillar = data.pop("pillar", None)
        addressee = data.pop("addressee", None)
        risk_tier = data.pop("risk_tier", None)
        if data.get("as_of") and data.get("status"):
            # The cached column is today's status; the view filters by the
            # status on `as_of` itself.
            data.pop("status")
        queryset = super().filter_queryset(queryset)
        if pillar:
            queryset = queryset.filter(pillars__contains=[pillar])
        if addressee or risk_tier:
            # Of its obligations as they stand on the day, amendments applied.
            obligations = Obligation.objects.published().filter(instrument__in=queryset)
            law = LawOn(obligations, data.get("as_of"))
            kept = law.select(obligations, Wanted(addressee=addressee, risk_tier=risk_tier))
            queryset = queryset.filter(pk__in=kept.values("instrument"))
        return queryset

    def filter_identifier(self, queryset, name, value):
        scheme, _, number = value.partition(":")
        if scheme not in Scheme.values or not number:
            raise bad(
                "identifier",
                f"write scheme:value with a scheme among {', '.join(Scheme.values)}",
            )
        owners = Identifier.objects.filter(scheme=scheme, value__iexact=number)
        return queryset.filter(pk__in=owners.values("instrument"))


class ObligationFilter(RecordFilter):
    """The filters on an obligation's dates, addressee and risk tier, and `as_of`, answer
    on its values as amended (apps.reading.obligation_lists): they only collect here,
    and the view decides them (`wanted`)."""

    instrument = df.CharFilter(field_name="instrument__slug", help_text="An instrument's id.")
    jurisdiction = df.CharFilter(method="filter_jurisdiction", help_text="A jurisdiction code.")
    jurisdiction_scope = InstrumentFilter.base_filters["jurisdiction_scope"]
    addressee = _choice(Addressee.choices, "Who must comply.", method="filter_noop")
    risk_tier = _choice(RiskTier.choices, "The risk tier it belongs to.", method="filter_noop")
    pillar = df.CharFilter(method="filter_pillar", help_text="data, algorithm or compute.")
    legal_force = _choice(
        LegalForce.choices, "Its instrument's legal force.", "instrument__legal_force"
    )
    topic = df.CharFilter(method="filter_topic", help_text="Its instrument's topic.")
    as_of = df.DateFilter(
        method="filter_noop",
        help_text="The obligations that applied on this day, as the amendments in effect "
        "then made them (default: every obligation, as it stands today).",
    )
    applies_on = df.DateFilter(method="filter_noop", help_text="Applicable on this day.")
    applies_from_from = df.DateFilter(
        method="filter_noop",
        help_text="It starts to apply on or after this day, e.g. `2026-08-02`.",
    )
    applies_from_to = df.DateFilter(
        method="filter_noop", help_text="It starts to apply on or before this day."
    )
    ordering = df.OrderingFilter(fields=("applies_from", "provision", "updated_at"))

    jurisdiction_path = "instrument__jurisdiction"

    class Meta:
        model = Obligation
        fields: list[str] = []

    def filter_pillar(self, queryset, name, value):
        if value not in Pillar.values:
            raise bad("pillar", f"use one of {', '.join(Pillar.values)}")
        return queryset.filter(pillars__contains=[value])

    def filter_topic(self, queryset, name, value):
        return queryset.filter(instrument__topics__contains=[value])


def wanted(data) -> Wanted:
    """What the cleaned filters of an obligation list ask of the derived values."""
    return Wanted(
        applying=bool(data.get("as_of")),
        applies_on=data.get("applies_on"),
        applies_from_from=data.get("applies_from_from"),
        applies_from_to=data.get("applies_from_to"),
        addressee=data.get("addressee") or None,
        risk_tier=data.get("risk_tier") or None,
    )


class AmendmentFilter(RecordFilter):
    kind = _choice(AmendmentKind.choices, "What the amendment does.")
    target = df.CharFilter(field_name="target_instrument__slug", help_text="Target instrument id.")
    source = df.CharFilter(method="filter_source", help_text="Source instrument id or code.")
    pending = df.BooleanFilter(
        field_name="effective_on",
        lookup_expr="isnull",
        help_text="true: only proposed changes (no date of effect); false: only dated ones.",
    )
    effective_from = df.DateFilter(
        field_name="effective_on",
        lookup_expr="gte",
        help_text="It takes effect on or after this day, e.g. `2025-01-01`.",
    )
    effective_to = df.DateFilter(
        field_name="effective_on",
        lookup_expr="lte",
        help_text="It takes effect on or before this day, e.g. `2025-12-31`.",
    )
    announced_from = df.DateFilter(
        field_name="announced_on", lookup_expr="gte", help_text="Announced on or after this day."
    )
    announced_to = df.DateFilter(
        field_name="announced_on", lookup_expr="lte", help_text="Announced on or before this day."
    )
    ordering = df.OrderingFilter(fields=("effective_on", "announced_on", "key", "updated_at"))

    class Meta:
        model = Amendment
        fields: list[str] = []

    def filter_source(self, queryset, name, value):
        return queryset.filter(
            Q(source_instrument__slug=value) | Q(source_jurisdiction__code=value)
        )
