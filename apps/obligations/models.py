from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q

from apps.core.models import Citation
from apps.core.models_base import (
    Curated,
    CuratedQuerySet,
    Provenance,
    Sourced,
    array_choice_constraint,
    choice_constraint,
)
from apps.instruments.models import Instrument, Pillar


class Addressee(models.TextChoices):
    PROVIDER = "provider", "provider"
    DEPLOYER = "deployer", "deployer"
    IMPORTER = "importer", "importer"
    DISTRIBUTOR = "distributor", "distributor"
    AUTHORISED_REPRESENTATIVE = "authorised_representative", "authorised representative"
    PRODUCT_MANUFACTURER = "product_manufacturer", "product manufacturer"
    DATA_CONTROLLER = "data_controller", "data controller"
    DATA_PROCESSOR = "data_processor", "data processor"
    DATA_FIDUCIARY = "data_fiduciary", "data fiduciary"
    PLATFORM = "platform", "platform"
    SERVICE_PROVIDER = "service_provider", "service provider"
    MEMBER_STATE = "member_state", "member state"
    PUBLIC_AUTHORITY = "public_authority", "public authority"
    INDIVIDUAL = "individual", "individual"
    COMPANY = "company", "company"


class RiskTier(models.TextChoices):
    PROHIBITED = "prohibited", "prohibited practice"
    HIGH = "high", "high risk"
    LIMITED = "limited", "limited risk (transparency)"
    MINIMAL = "minimal", "minimal risk"
    GPAI = "gpai", "general-purpose AI model"
    GPAI_SYSTEMIC = "gpai_systemic", "general-purpose AI model with systemic risk"


class ObligationQuerySet(CuratedQuerySet):
    def published(self) -> ObligationQuerySet:
        """Not retired, and of an instrument not retired: retiring an instrument takes
        its obligations out of the record with it (they keep their own retired_at)."""
        return super().published().filter(instrument__retired_at__isnull=True)

    def applicable_on(self, on: dt.date) -> ObligationQuerySet:
        """Obligations whose own dates cover `on` (the instrument's status is checked by as_of)."""
        return self.filter(applies_from__lte=on).filter(
            Q(applies_until__isnull=True) | Q(applies_until__gt=on)
        )

    def with_penalties(self) -> ObligationQuerySet:
        return self.prefetch_related("penalties", "citations").with_fine_keys()

    def with_fine_keys(self) -> ObligationQuerySet:
        """Each row's `fine_keys`: the keys of the penalty provisions (rows of its own
        instrument) the record says punish it, read in the rows' own query (a subquery),
        so a page or an API answer showing them costs no query more."""
        links = FineLink.objects.filter(obligation=OuterRef("pk")).order_by("fine__key")
        return self.annotate(fine_keys=ArraySubquery(links.values("fine__key")))


class Obligation(Curated):
    # PROTECT: obligations are retired through a case, not deleted with their instrument.
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="obligations")
    key = models.SlugField(max_length=120, help_text="Stable name, unique within the instrument.")
    provision = models.CharField(max_length=120, help_text='The article, e.g. "Article 99(3)".')
    addressee = models.CharField(max_length=28, choices=Addressee.choices)
    requirement = models.TextField(help_text="What the addressee must or must not do.")
    risk_tier = models.CharField(max_length=16, choices=RiskTier.choices, blank=True)
    applies_from = models.DateField(
        null=True, blank=True, help_text="Empty while the date is not yet fixed."
    )
    applies_until = models.DateField(null=True, blank=True)
    pillars = ArrayField(
        models.CharField(max_length=10, choices=Pillar.choices), default=list, blank=True
    )
    needs_review = models.BooleanField(
        default=False, help_text="Set when its instrument changed; cleared by a reviewed case."
    )
    citations = models.ManyToManyField(Citation, blank=True, related_name="obligations")

    objects = ObligationQuerySet.as_manager()

    class Meta:
        # Key and id last: two duties of one provision and day (S.321's) must come back
        # in one order, whichever way they are read (a list, a prefetch, a page).
        ordering = ["instrument__title", "applies_from", "provision", "key", "id"]
        constraints = [
            choice_constraint("provenance", Provenance, "obligation"),
            models.UniqueConstraint(
                fields=["instrument", "key"],
                name="obligation_key_unique",
                violation_error_message="This instrument already has an obligation with this key.",
            ),
            choice_constraint("addressee", Addressee, "obligation"),
            choice_constraint("risk_tier", RiskTier, "obligation", blank=True),
            array_choice_constraint("pillars", Pillar, "obligation"),
            models.CheckConstraint(
                condition=Q(applies_until__isnull=True)
                | Q(applies_from__isnull=True)
                | Q(applies_until__gt=F("applies_from")),
                name="obligation_period_ordered",
                violation_error_message="An obligation must start applying before it stops.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["instrument"],
                condition=Q(needs_review=True),
                name="obligation_needs_review_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.title}, {self.provision}"


class PenaltyRule(models.TextChoices):
    HIGHER = "higher", "whichever is higher"
    LOWER = "lower", "whichever is lower"
    SINGLE = "single", "a single cap"


class PenaltyTarget(models.TextChoices):
    COMPANY = "company", "companies"
    INDIVIDUAL = "individual", "individuals"
    ANY = "any", "anyone"


# The field validator puts the error beside the field in a form (Django then skips the
# matching check constraint, so it is said once); the constraint holds for every writer.
NEGATIVE_AMOUNT = "A penalty's amount cannot be negative."
NEGATIVE_PRISON = "A prison term cannot be negative."


class Penalty(Sourced):
    # CASCADE: a penalty is part of its obligation.
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="penalties")
    applies_to = models.CharField(max_length=10, choices=PenaltyTarget.choices, default="any")
    max_amount = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NEGATIVE_AMOUNT)],
    )
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. EUR.")
    turnover_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Share of total worldwide annual turnover, in percent.",
    )
    prison_years = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NEGATIVE_PRISON)],
    )
    rule = models.CharField(
        max_length=8,
        choices=PenaltyRule.choices,
        default=PenaltyRule.SINGLE,
        help_text="How an amount and a turnover share combine.",
    )

    class Meta:
        ordering = ["obligation", "applies_to"]
        verbose_name_plural = "penalties"
        constraints = [
            choice_constraint("provenance", Provenance, "penalty"),
            choice_constraint("rule", PenaltyRule, "penalty"),
            choice_constraint("applies_to", PenaltyTarget, "penalty"),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=False)
                | Q(turnover_percent__isnull=False)
                | Q(prison_years__isnull=False),
                name="penalty_has_a_measure",
                violation_error_message=(
                    "A penalty needs an amount, a turnover share or a prison term."
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True, currency="")
                | Q(max_amount__isnull=False, currency__regex=r"^[A-Z]{3}$"),
                name="penalty_amount_has_currency",
                violation_error_message=(
                    "An amount needs a three-letter currency, and only an amount has one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(turnover_percent__isnull=True)
                | Q(turnover_percent__gt=0, turnover_percent__lte=100),
                name="penalty_turnover_is_a_percentage",
                violation_error_message="A turnover share is a percentage above 0 and at most 100.",
            ),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=0),
                name="penalty_amount_not_negative",
                violation_error_message=NEGATIVE_AMOUNT,
            ),
            models.CheckConstraint(
                condition=Q(prison_years__isnull=True) | Q(prison_years__gte=0),
                name="penalty_prison_not_negative",
                violation_error_message=NEGATIVE_PRISON,
            ),
            models.CheckConstraint(
                condition=Q(rule="single")
                | Q(max_amount__isnull=False, turnover_percent__isnull=False),
                name="penalty_rule_needs_two_measures",
                violation_error_message=(
                    "'Whichever is higher/lower' needs both an amount and a turnover share."
                ),
            ),
        ]

    def describe(self) -> str:
        """The penalty as a reader says it: 'EUR 35 million or 7% of ..., whichever is higher'."""
        parts = []
        if self.max_amount is not None:
            parts.append(f"{self.currency} {_amount_words(self.max_amount)}")
        if self.turnover_percent is not None:
            parts.append(f"{_number(self.turnover_percent)}% of worldwide annual turnover")
        text = " or ".join(parts)
        if self.rule != PenaltyRule.SINGLE:
            text += f", {self.get_rule_display()}"
        if self.prison_years is not None:
            prison = f"up to {_number(self.prison_years)} years' imprisonment"
            text = f"{text}; {prison}" if text else prison
        return text

    def __str__(self) -> str:
        return self.describe()


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _amount_words(value: Decimal) -> str:
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if value >= size and (value / size) == (value / size).quantize(Decimal("0.01")):
            return f"{_number(value / size)} {word}"
    return f"{value.quantize(Decimal(1)):,}"


class Fact(models.TextChoices):
    """What an applicability condition asks of an organisation (apps.reading.applicability)."""

    ANNUAL_REVENUE_USD = "annual_revenue_usd", "annual revenue (USD)"
    TRAINING_COMPUTE_FLOP = "training_compute_flop", "training compute (FLOP)"
    USERS = "users", "number of users"
    EMPLOYEES = "employees", "number of employees"
    SME = "sme", "small or medium-sized enterprise"
    SECTOR = "sector", "sector"


class Sector(models.TextChoices):
    EMPLOYMENT = "employment", "employment"
    EDUCATION = "education", "education"
    CREDIT = "credit", "credit and insurance"
    HEALTH = "health", "health"
    BIOMETRICS = "biometrics", "biometrics"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", "critical infrastructure"
    LAW_ENFORCEMENT = "law_enforcement", "law enforcement"
    MIGRATION = "migration", "migration and border control"
    JUSTICE = "justice", "justice and democratic processes"
    PUBLIC_SERVICES = "public_services", "essential public services"
    HOUSING = "housing", "housing"
    LEGAL_SERVICES = "legal_services", "legal services"


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", "at least"
    MORE_THAN = "more_than", "more than"
    BELOW = "below", "below"
    AT_MOST = "at_most", "at most"
    IS = "is", "is"
    ONE_OF = "one_of", "is one of"


NUMERIC_FACTS = (Fact.ANNUAL_REVENUE_USD, Fact.TRAINING_COMPUTE_FLOP, Fact.USERS, Fact.EMPLOYEES)
NUMERIC_COMPARISONS = (
    Comparison.AT_LEAST,
    Comparison.MORE_THAN,
    Comparison.BELOW,
    Comparison.AT_MOST,
)


class Condition(models.Model):
    """One condition the obligation's text sets on whom it binds: a threshold, SME
    status or a sector. An obligation applies when all its conditions are met."""

    # CASCADE: a condition is part of its obligation (a child in apps.record.registry).
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="conditions")
    fact = models.CharField(max_length=24, choices=Fact.choices)
    comparison = models.CharField(max_length=10, choices=Comparison.choices)
    number = models.DecimalField(
        max_digits=40,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The threshold, for revenue, compute, users or employees (e.g. 1e25 FLOP).",
    )
    flag = models.BooleanField(null=True, blank=True, help_text="For SME status: true or false.")
    sectors = ArrayField(
        models.CharField(max_length=24, choices=Sector.choices),
        default=list,
        blank=True,
        help_text="For a sector condition: the sectors it covers.",
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="Where the text sets it, e.g. 'Article 51(2)'."
    )

    class Meta:
        ordering = ["fact", "comparison"]
        constraints = [
            choice_constraint("fact", Fact, "condition"),
            choice_constraint("comparison", Comparison, "condition"),
            array_choice_constraint("sectors", Sector, "condition"),
            models.UniqueConstraint(
                fields=["obligation", "fact", "comparison"],
                name="condition_once",
                violation_error_message="The obligation already has this condition.",
            ),
            models.CheckConstraint(
                condition=Q(
                    fact__in=NUMERIC_FACTS,
                    comparison__in=NUMERIC_COMPARISONS,
                    number__isnull=False,
                    flag__isnull=True,
                    sectors=[],
                )
                | Q(fact=Fact.SME, comparison=Comparison.IS, flag__isnull=False, number=None)
                & Q(sectors=[])
                | Q(fact=Fact.SECTOR, comparison=Comparison.ONE_OF, number=None, flag=None)
                & ~Q(sectors=[]),
                name="condition_shape",
                violation_error_message="A threshold compares a number (at least, more than, "
                "below, at most); SME status is true or false; a sector condition lists its "
                "sectors.",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0),
                name="condition_number_not_negative",
                violation_error_message="A threshold cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        if self.fact == Fact.SECTOR:
            return f"sector one of {', '.join(self.sectors)}"
        if self.fact == Fact.SME:
            return f"SME is {'yes' if self.flag else 'no'}"
        return f"{self.get_fact_display()} {self.get_comparison_display()} {self.number:,f}"


# At the end: the link names Obligation, and Obligation's queryset reads the link.
from apps.obligations.fine_links import FineLink  # noqa: E402
