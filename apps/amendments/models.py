from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from apps.core.models import Citation
from apps.core.models_base import Curated, Provenance, choice_constraint
from apps.core.partial_dates import format_partial, partial_date_constraints, precision_field
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction


class Kind(models.TextChoices):
    AMENDS = "amends", "amends"
    REPEALS = "repeals", "repeals"
    REVOKES = "revokes", "revokes"
    WITHDRAWS = "withdraws", "withdraws"
    SUPERSEDES = "supersedes", "supersedes"
    IMPLEMENTS = "implements", "implements"
    DELEGATES = "delegates", "delegates"
    EXTENDS = "extends", "extends"
    CORRECTS = "corrects", "corrects"
    ACCEDES = "accedes", "accedes to"
    SUSPENDS = "suspends", "suspends"


class Amendment(Curated):
    """A dated, cited relation: a source changes a target instrument (or one provision).

    The source is another instrument, or a jurisdiction when it accedes to a
    declaration or treaty. Announcement and effect can differ: the AI
    Liability Directive's withdrawal was announced on 2025-02-11 and took
    effect on 2025-10-06.
    """

    key = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # PROTECT on all three: an amendment is evidence; its ends cannot vanish under it.
    source_instrument = models.ForeignKey(
        Instrument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing_amendments",
    )
    source_jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accessions",
        help_text="For an accession: the jurisdiction that joins.",
    )
    target_instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="incoming_amendments"
    )
    target_provision = models.CharField(
        max_length=120, blank=True, help_text="Only this provision changes, e.g. 'Article 5'."
    )
    announced_on = models.DateField(null=True, blank=True)
    announced_on_precision = precision_field()
    effective_on = models.DateField()
    effective_on_precision = precision_field()
    summary = models.TextField(blank=True)
    citations = models.ManyToManyField(Citation, blank=True, related_name="amendments")

    class Meta:
        ordering = ["effective_on", "key"]
        constraints = [
            choice_constraint("provenance", Provenance, "amendment"),
            choice_constraint("kind", Kind, "amendment"),
            models.CheckConstraint(
                condition=Q(source_instrument__isnull=False, source_jurisdiction__isnull=True)
                | Q(source_instrument__isnull=True, source_jurisdiction__isnull=False),
                name="amendment_one_source",
                violation_error_message=(
                    "An amendment has one source: an instrument or a jurisdiction."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="accedes", source_jurisdiction__isnull=False)
                | (~Q(kind="accedes") & Q(source_instrument__isnull=False)),
                name="amendment_accession_source",
                violation_error_message="An accession's source is a jurisdiction; "
                "any other amendment's source is an instrument.",
            ),
            models.CheckConstraint(
                condition=~Q(source_instrument=F("target_instrument")),
                name="amendment_not_self",
                violation_error_message="An instrument cannot amend itself.",
            ),
            models.CheckConstraint(
                condition=Q(announced_on__isnull=True) | Q(announced_on__lte=F("effective_on")),
                name="amendment_announced_before_effect",
                violation_error_message="An amendment cannot take effect before it is announced.",
            ),
            *partial_date_constraints("announced_on", "amendment"),
            *partial_date_constraints("effective_on", "amendment"),
        ]

    def __str__(self) -> str:
        source = self.source_instrument or self.source_jurisdiction
        when = format_partial(self.effective_on, self.effective_on_precision)
        return f"{source} {self.get_kind_display()} {self.target_instrument} ({when})"
