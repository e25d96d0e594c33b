from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from apps.core.models import Citation, check_source
from apps.core.models_base import (
    Checked,
    Curated,
    CuratedQuerySet,
    Provenance,
    Sourced,
    array_choice_constraint,
    choice_constraint,
)
from apps.core.partial_dates import format_partial, partial_date_constraints, precision_field


class Kind(models.TextChoices):
    COUNTRY = "country", "country"
    SUBNATIONAL = "subnational", "subnational unit"
    SUPRANATIONAL = "supranational", "supranational union"
    INTERNATIONAL_ORG = "international_org", "international organisation"
    FORUM = "forum", "forum"
    BILATERAL = "bilateral", "bilateral mechanism"
    NON_STATE = "non_state", "non-state body"


class Approach(models.TextChoices):
    STATE_LED = "state_led", "state-led legislation of direct risks"
    GUIDED_SELF_REGULATION = (
        "guided_self_regulation",
        "corporate self-regulation guided by a regulator",
    )
    RISK_TIERED = "risk_tiered", "risk tiers with closed-loop supervision"
    SECTORAL_SOFT_LAW = "sectoral_soft_law", "sectoral control plus industry soft law"


class Coverage(models.TextChoices):
    IN_DEPTH = "in_depth", "tracked in depth"
    PARTIAL = "partial", "tracked partially"
    NOT_TRACKED = "not_tracked", "not tracked"


class JurisdictionQuerySet(CuratedQuerySet):
    def members_of(self, group: Jurisdiction, *, on: dt.date) -> JurisdictionQuerySet:
        return self.filter(
            Q(member_of__joined_on__isnull=True) | Q(member_of__joined_on__lte=on),
            Q(member_of__left_on__isnull=True) | Q(member_of__left_on__gt=on),
            member_of__group=group,
        ).distinct()


class Jurisdiction(Checked, Curated):
    code = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", "Use capitals, digits and hyphens.")],
        help_text="Stable code: ISO 3166 alpha-2 for countries (US, CN), US-CA for a state, "
        "a short name for bodies (OECD, G7).",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    iso_alpha2 = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, if any.")
    iso_alpha3 = models.CharField(max_length=3, blank=True, help_text="ISO 3166-1 alpha-3, if any.")
    # PROTECT: deleting a country must not silently delete its states.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The jurisdiction this one is part of (a US state's country).",
    )
    approaches = ArrayField(
        models.CharField(max_length=24, choices=Approach.choices),
        default=list,
        blank=True,
        help_text="Regulatory approach(es) as classified by the seed (DOMAIN.md section 3).",
    )
    coverage = models.CharField(
        max_length=12,
        choices=Coverage.choices,
        default=Coverage.NOT_TRACKED,
        help_text="How fully we track it, so readers can tell 'no law' from 'not tracked'.",
    )
    summary = models.TextField(blank=True)
    # A curated fact like any other (proposed in cases, audited), so readers can
    # tell a row checked last week from one untouched since the seed was written.
    last_verified_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day an editor last checked this row against its official source.",
    )
    verified_against = check_source()
    current_as_of = models.DateField(
        null=True,
        blank=True,
        help_text="The day the record of this jurisdiction was swept to: events up to it "
        "were looked for. Empty when it has not been swept.",
    )
    citations = models.ManyToManyField(Citation, blank=True, related_name="jurisdictions")

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            choice_constraint("provenance", Provenance, "jurisdiction"),
            choice_constraint("kind", Kind, "jurisdiction"),
            choice_constraint("coverage", Coverage, "jurisdiction"),
            array_choice_constraint("approaches", Approach, "jurisdiction"),
            models.UniqueConstraint(
                fields=["iso_alpha2"],
                condition=~Q(iso_alpha2=""),
                name="jurisdiction_iso_alpha2_unique",
                violation_error_message="Another jurisdiction already has this ISO alpha-2 code.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="jurisdiction_not_own_parent",
                violation_error_message="A jurisdiction cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(Sourced):
    """A member of a group (an EU member state, a G7 member) over a period."""

    # CASCADE: a membership means nothing without either side.
    group = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="member_of")
    joined_on = models.DateField(null=True, blank=True)
    joined_on_precision = precision_field()
    left_on = models.DateField(null=True, blank=True)
    left_on_precision = precision_field()
    citations = models.ManyToManyField(Citation, blank=True, related_name="memberships")

    class Meta:
        ordering = ["group__name", "member__name"]
        constraints = [
            choice_constraint("provenance", Provenance, "membership"),
            models.UniqueConstraint(
                fields=["group", "member", "joined_on"],
                name="membership_unique",
                nulls_distinct=False,
                violation_error_message="This membership is already recorded.",
            ),
            models.CheckConstraint(
                condition=~Q(group=F("member")),
                name="membership_not_self",
                violation_error_message="A jurisdiction cannot be a member of itself.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message="A member cannot leave before it joined.",
            ),
            *partial_date_constraints("joined_on", "membership"),
            *partial_date_constraints("left_on", "membership"),
        ]

    def __str__(self) -> str:
        joined = format_partial(self.joined_on, self.joined_on_precision)
        return f"{self.member} in {self.group}" + (f" since {joined}" if joined else "")
