from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from apps.core.models import Citation
from apps.core.models_base import Curated, Provenance, choice_constraint
from apps.core.partial_dates import format_partial, partial_date_constraints, precision_field
from apps.instruments.lifecycle import NOT_ADOPTED, only_proposed_on
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Addressee, Obligation, RiskTier


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
    effective_on = models.DateField(
        null=True,
        blank=True,
        help_text="Empty while the amending act is only proposed: a pending change, in effect "
        "nowhere. Set it when the act is adopted.",
    )
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
        when = format_partial(self.effective_on, self.effective_on_precision) or "proposed"
        return f"{source} {self.get_kind_display()} {self.target_instrument} ({when})"

    def clean(self) -> None:
        super().clean()
        # An instrument named as its own amender is refused by amendment_not_self, in its words.
        amender = self.source_instrument_id not in (None, self.target_instrument_id)
        source = self.source_instrument if amender else None
        if (
            self.effective_on
            and source
            and only_proposed_on(source.events.all(), self.effective_on)
        ):
            # A proposal is not law: its change read as "in effect" on the target's timeline.
            when = format_partial(self.effective_on, self.effective_on_precision or "day")
            raise ValidationError(
                {
                    "effective_on": f"{source} is only proposed on {when}: an amendment takes "
                    "effect only through an adopted act. Leave the date of effect empty while "
                    "the act is proposed (the change is then pending)."
                }
            )

    @property
    def is_pending(self) -> bool:
        """A proposed change: no date of effect, so it changes nothing yet."""
        return self.effective_on is None

    @property
    def pending_words(self) -> str:
        """How every surface names a pending change: a proposal, or an act already adopted
        whose date of effect the record does not hold yet. Neither is in effect."""
        source = self.source_instrument
        if source is not None and source.status not in NOT_ADOPTED:
            return "adopted, no date of effect recorded yet"
        return "proposed, not in effect"


class EffectKind(models.TextChoices):
    APPLIES_FROM = "applies_from", "moves the date it applies from"
    APPLIES_UNTIL = "applies_until", "moves the date it applies until"
    REQUIREMENT = "requirement", "replaces the requirement"
    ADDRESSEE = "addressee", "replaces the addressee"
    RISK_TIER = "risk_tier", "replaces the risk tier"
    PENALTIES = "penalties", "replaces the penalties"
    ENDS = "ends", "ends the obligation"
    ADDS = "adds", "adds the obligation"


# What each kind carries: a new date, a new text, new penalties, or nothing.
DATED = (EffectKind.APPLIES_FROM, EffectKind.APPLIES_UNTIL)
WORDED = (EffectKind.REQUIREMENT, EffectKind.ADDRESSEE, EffectKind.RISK_TIER)


class Effect(models.Model):
    """What an amendment does to one obligation of its target, from the amendment's effect.

    An obligation as of a day is its own values plus every effect whose amendment
    had taken effect by then, in order of effect (apps.amendments.effects). An
    obligation that an amendment adds exists only from that amendment's effect.
    """

    # CASCADE: an effect is part of its amendment (a child in apps.record.registry).
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="effects")
    # PROTECT: the obligation an effect changes cannot vanish under it.
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="effects")
    kind = models.CharField(max_length=14, choices=EffectKind.choices)
    date = models.DateField(
        null=True, blank=True, help_text="The new date, for a move of applies from or until."
    )
    text = models.TextField(
        blank=True,
        help_text="The new requirement, addressee or risk tier (empty removes the risk tier).",
    )
    penalties = models.JSONField(
        null=True,
        blank=True,
        help_text="The penalties that replace the obligation's own, as a list of penalty values.",
    )

    class Meta:
        ordering = ["obligation", "kind", "id"]  # id last: one order, whatever the ties
        constraints = [
            choice_constraint("kind", EffectKind, "effect"),
            models.UniqueConstraint(
                fields=["amendment", "obligation", "kind"],
                name="effect_once",
                violation_error_message="An amendment has one effect of each kind on an "
                "obligation.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DATED, date__isnull=False)
                | (~Q(kind__in=DATED) & Q(date__isnull=True)),
                name="effect_date_for_a_move",
                violation_error_message="A move of applies from or until names its new date; "
                "no other effect has one.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EffectKind.REQUIREMENT, EffectKind.ADDRESSEE]) | ~Q(text=""),
                name="effect_text_for_a_replacement",
                violation_error_message="A replaced requirement or addressee names its new text.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EffectKind.ADDRESSEE) | Q(text__in=Addressee.values),
                name="effect_addressee_valid",
                violation_error_message="addressee: unknown value.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EffectKind.RISK_TIER) | Q(text__in=[*RiskTier.values, ""]),
                name="effect_risk_tier_valid",
                violation_error_message="risk tier: unknown value.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=WORDED) | Q(text=""),
                name="effect_text_only_when_worded",
                violation_error_message="Only a replaced requirement, addressee or risk tier "
                "has a text.",
            ),
            models.CheckConstraint(
                condition=Q(kind=EffectKind.PENALTIES, penalties__isnull=False)
                | (~Q(kind=EffectKind.PENALTIES) & Q(penalties__isnull=True)),
                name="effect_penalties_when_replaced",
                violation_error_message="Replaced penalties are listed (an empty list removes "
                "them); no other effect lists penalties.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amendment.key}: {self.get_kind_display()} ({self.obligation.key})"

    def clean(self) -> None:
        super().clean()
        amendment, obligation = self.amendment_id and self.amendment, self.obligation_id
        if amendment and obligation:
            target = self.obligation.instrument_id
            if target != amendment.target_instrument_id:
                raise ValidationError(
                    {"obligation": "An effect changes an obligation of the amendment's target."}
                )
