"""An obligation's link to the penalty provisions that punish its breach (issue 23)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from apps.core.models import Citation
from apps.obligations.models import Obligation

NOT_A_FINE = "{fine} carries no penalty: link a penalty provision, a row with a fine."
OTHER_INSTRUMENT = "{fine} is a provision of another instrument: link a fine of this one."
ITSELF = "A row cannot punish its own breach: its penalty already stands beside it."


class FineLink(models.Model):
    """The record's word that a penalty provision (a row of the same instrument that
    carries a fine) punishes the breach of this duty, with the source that says so.

    Without it, a fine of no risk tier stands beside no duty: an addressee in common
    is not enough to say which duties a fine punishes (apps.reading.duty_table).
    """

    # CASCADE: a link is part of the duty that names it (a child in apps.record.registry).
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="fine_links")
    # RESTRICT: a fine a duty names cannot vanish under it (unlink it first), unless the
    # duty goes in the same delete (a wiped record), which takes its links with it.
    fine = models.ForeignKey(
        Obligation,
        on_delete=models.RESTRICT,
        related_name="punished_duties",
        help_text="The penalty provision (a row of this instrument with a fine) that punishes "
        "the breach of this duty.",
    )
    citations = models.ManyToManyField(
        Citation,
        blank=True,
        related_name="fine_links",
        help_text="The source that says this fine punishes this duty.",
    )

    class Meta:
        ordering = ["obligation", "fine"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "fine"],
                name="fine_link_once",
                violation_error_message="The duty already names this fine.",
            ),
            models.CheckConstraint(
                condition=~Q(obligation=F("fine")),
                name="fine_link_not_itself",
                violation_error_message=ITSELF,
            ),
        ]

    def __str__(self) -> str:
        return f"punished by #{self.fine_id}"

    def clean(self) -> None:
        # Said under the duty's list of links, where a form and the seed loader show it.
        if self.obligation_id is not None:
            try:
                self.check_parent(self.obligation)
            except ValidationError as exc:
                raise ValidationError({"fine_links": exc.messages}) from None

    def check_parent(self, duty: Obligation) -> None:
        """Refuse a fine of another instrument, a row without a fine, or the duty itself.
        `duty` may be unsaved (a proposed new obligation): its instrument is what counts."""
        if self.fine_id is None:
            return
        if duty.pk is not None and duty.pk == self.fine_id:
            raise ValidationError(ITSELF)
        fine = Obligation.objects.filter(pk=self.fine_id).select_related("instrument").first()
        if fine is None:
            return  # the foreign key's own check says so
        named = f"{fine.instrument.slug}/{fine.key} ({fine.provision})"
        if fine.instrument_id != duty.instrument_id:
            raise ValidationError(OTHER_INSTRUMENT.format(fine=named))
        if not fine.penalties.exists():
            raise ValidationError(NOT_A_FINE.format(fine=named))
