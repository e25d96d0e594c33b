from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

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
from apps.instruments.names import all_short_names
from apps.jurisdictions.models import Approach, Jurisdiction


class Kind(models.TextChoices):
    LAW = "law", "law"
    REGULATION = "regulation", "regulation"
    DIRECTIVE = "directive", "directive"
    EXECUTIVE_ORDER = "executive_order", "executive order"
    BILL = "bill", "bill"
    TREATY = "treaty", "treaty"
    DECLARATION = "declaration", "declaration"
    RECOMMENDATION = "recommendation", "recommendation"
    GUIDELINE = "guideline", "guideline or framework"
    STANDARD = "standard", "standard"
    STRATEGY = "strategy", "strategy"
    MEMORANDUM = "memorandum", "memorandum"
    STATEMENT = "statement", "statement"


class LegalForce(models.TextChoices):
    BINDING = "binding", "binding"
    SOFT_LAW = "soft_law", "soft law"


class Pillar(models.TextChoices):
    DATA = "data", "data"
    ALGORITHM = "algorithm", "algorithm"
    COMPUTE = "compute", "compute"


class Status(models.TextChoices):
    """The normalised lifecycle; derived from events and amendments, never typed."""

    UNKNOWN = "unknown", "unknown"
    PROPOSED = "proposed", "proposed"
    UNDER_NEGOTIATION = "under_negotiation", "under negotiation"
    ADOPTED = "adopted", "adopted"
    SIGNED = "signed", "signed"
    IN_FORCE = "in_force", "in force"
    PARTLY_APPLICABLE = "partly_applicable", "partly applicable"
    WITHDRAWN = "withdrawn", "withdrawn"
    REPEALED = "repealed", "repealed"
    REVOKED = "revoked", "revoked"
    SUPERSEDED = "superseded", "superseded"
    EXPIRED = "expired", "expired"
    REJECTED = "rejected", "rejected"


class EventKind(models.TextChoices):
    PROPOSED = "proposed", "proposed"
    INTRODUCED = "introduced", "introduced"
    REFERRED = "referred", "referred to committee"
    PASSED_CHAMBER = "passed_chamber", "passed one chamber"
    ADOPTED = "adopted", "adopted"
    SIGNED = "signed", "signed"
    OPENED_FOR_SIGNATURE = "opened_for_signature", "opened for signature"
    PUBLISHED = "published", "published"
    ENTERED_INTO_FORCE = "entered_into_force", "entered into force"
    APPLIES_FROM = "applies_from", "applies from"
    AMENDED = "amended", "amended"
    WITHDRAWAL_ANNOUNCED = "withdrawal_announced", "withdrawal announced"
    WITHDRAWN = "withdrawn", "withdrawn"
    REPEALED = "repealed", "repealed"
    REVOKED = "revoked", "revoked"
    SUPERSEDED = "superseded", "superseded"
    EXPIRED = "expired", "expired"
    REJECTED = "rejected", "rejected"
    ANNOUNCED = "announced", "announced"


class Scheme(models.TextChoices):
    CELEX = "celex", "CELEX number"
    ELI = "eli", "European Legislation Identifier"
    COM = "com", "COM document number"
    EU_PROCEDURE = "eu_procedure", "EU procedure reference"
    FR_DOC = "fr_doc", "Federal Register document number"
    EO = "eo", "executive order number"
    US_BILL = "us_bill", "US bill number"
    OECD_LEGAL = "oecd_legal", "OECD legal instrument number"
    OTHER = "other", "other"


class InstrumentQuerySet(CuratedQuerySet):
    def with_detail(self) -> InstrumentQuerySet:
        """Everything an instrument page shows, in a fixed number of queries."""
        return self.select_related("jurisdiction", "verified_against").prefetch_related(
            "identifiers",
            "citations",
            models.Prefetch(
                "events", queryset=InstrumentEvent.objects.prefetch_related("citations")
            ),
            models.Prefetch(
                "parties", queryset=InstrumentParty.objects.select_related("jurisdiction")
            ),
        )


class Instrument(Checked, Curated):
    slug = models.SlugField(max_length=120, unique=True, help_text="Stable name used in URLs.")
    title = models.CharField(max_length=500, help_text="English title.")
    original_title = models.CharField(
        max_length=500, blank=True, help_text="Title in the original language, if not English."
    )
    original_language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # PROTECT: instruments outlive edits to the jurisdiction list.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="instruments",
        help_text="The jurisdiction or body that issued it.",
    )
    issuing_body = models.CharField(max_length=300, blank=True)
    legal_force = models.CharField(max_length=10, choices=LegalForce.choices)
    summary = models.TextField(blank=True)
    topics = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    pillars = ArrayField(
        models.CharField(max_length=10, choices=Pillar.choices),
        default=list,
        blank=True,
        help_text="Risk pillars it addresses: data, algorithm, compute.",
    )
    approach = models.CharField(max_length=24, choices=Approach.choices, blank=True)
    source_status_text = models.CharField(
        max_length=300, blank=True, help_text="The source's own status words, kept verbatim."
    )
    # A curated fact like any other (proposed in cases, audited), so readers can
    # tell a row checked last week from one untouched since the seed was written.
    last_verified_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day an editor last checked this row against its official source.",
    )
    verified_against = check_source()
    # Written only by the write service (apps.record.services), audited like any
    # field: a cache of the derivation so lists can filter by status.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.UNKNOWN, editable=False
    )
    status_since = models.DateField(null=True, blank=True, editable=False)
    # Also the write service's: the earliest event's date, so the portal's year facet
    # and filter read a column instead of a subquery per instrument.
    first_event_on = models.DateField(null=True, blank=True, editable=False)
    # Derived from the titles on every save (names.all_short_names) and indexed, so
    # the search finds "AILD" or "AI Act" without deriving them for every instrument.
    short_names = ArrayField(models.CharField(max_length=500), default=list, editable=False)
    citations = models.ManyToManyField(Citation, blank=True, related_name="instruments")

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["topics"], name="instrument_topics_gin"),
            GinIndex(fields=["short_names"], name="instrument_short_names_gin"),
            models.Index(fields=["first_event_on"], name="instrument_first_event_idx"),
        ]
        constraints = [
            choice_constraint("provenance", Provenance, "instrument"),
            choice_constraint("kind", Kind, "instrument"),
            choice_constraint("legal_force", LegalForce, "instrument"),
            choice_constraint("status", Status, "instrument"),
            choice_constraint("approach", Approach, "instrument", blank=True),
            array_choice_constraint("pillars", Pillar, "instrument"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or {"title", "original_title"} & set(fields):
            self.short_names = all_short_names(self.title, self.original_title)
            if fields is not None:
                kwargs["update_fields"] = [*fields, "short_names"]
        super().save(*args, **kwargs)


class Identifier(Sourced):
    # CASCADE: an identifier is part of its instrument.
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=16, choices=Scheme.choices)
    value = models.CharField(max_length=200)

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            choice_constraint("provenance", Provenance, "identifier"),
            choice_constraint("scheme", Scheme, "identifier"),
            models.UniqueConstraint(
                fields=["scheme", "value"],
                name="identifier_one_owner_per_scheme",
                violation_error_message="This identifier already belongs to another instrument.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class InstrumentEvent(Sourced):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    date = models.DateField()
    date_precision = precision_field()
    note = models.CharField(max_length=500, blank=True)
    citations = models.ManyToManyField(Citation, blank=True, related_name="events")

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            choice_constraint("provenance", Provenance, "instrumentevent"),
            choice_constraint("kind", EventKind, "event"),
            models.UniqueConstraint(
                fields=["instrument", "kind", "date"],
                name="event_unique",
                violation_error_message="This event is already recorded for this instrument.",
            ),
            *partial_date_constraints("date", "event"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_partial(self.date, self.date_precision)}"


class InstrumentParty(Sourced):
    """An original signatory or adherent of a multilateral instrument.

    Later accessions are amendments of kind `accedes`, so they carry their own
    dates and citations.
    """

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="parties")
    # PROTECT: removing a jurisdiction must not rewrite who signed what.
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="instrument_parties"
    )
    joined_on = models.DateField(null=True, blank=True)
    joined_on_precision = precision_field()
    citations = models.ManyToManyField(Citation, blank=True, related_name="instrument_parties")

    class Meta:
        ordering = ["jurisdiction__name"]
        verbose_name_plural = "instrument parties"
        constraints = [
            choice_constraint("provenance", Provenance, "instrumentparty"),
            models.UniqueConstraint(
                fields=["instrument", "jurisdiction"],
                name="party_unique",
                violation_error_message="This party is already recorded for this instrument.",
            ),
            *partial_date_constraints("joined_on", "party"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} - {self.instrument}"
