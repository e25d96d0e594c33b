from django.db import models


class Heartbeat(models.Model):
    """A round trip through the broker: queued by web or beat, stamped by a worker.

    /health/ reports the age of the newest completed one, so an operator can
    tell a stalled worker from a quiet one.
    """

    class Origin(models.TextChoices):
        WEB = "web", "web request"
        BEAT = "beat", "beat schedule"

    origin = models.CharField(max_length=8, choices=Origin.choices)
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin__in=["web", "beat"]),
                name="heartbeat_origin_valid",
            )
        ]

    def __str__(self) -> str:
        return f"heartbeat {self.pk} ({self.origin})"


class Citation(models.Model):
    """A source a fact rests on; rows point at citations, citations are shared."""

    key = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Stable name used by the seed data, e.g. fn-12 for the seed's footnote 12.",
    )
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=500)
    # Blank means not read: a date that claims a reading that did not happen is
    # worse than none (issue 30).
    accessed_on = models.DateField(
        null=True, blank=True, help_text="When the source was read; empty if it was not."
    )
    seed_footnote = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The seed document's footnote number, if it cites this."
    )
    last_verified_on = models.DateField(
        null=True,
        blank=True,
        help_text="When someone last checked the source still says it; empty if never.",
    )
    locator = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where in the source the fact stands: article, section, paragraph, page.",
    )
    states = models.TextField(
        blank=True,
        help_text="What the source was read to state, in the editor's own words "
        "(never a copy of its sentences).",
    )
    provenance = models.CharField(
        max_length=12,
        default="seed",
        choices=[
            ("seed", "cited by the seed document"),
            ("outside_seed", "outside the seed"),
            ("editorial", "added by the editors"),
        ],
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provenance__in=["seed", "outside_seed", "editorial"]),
                name="citation_provenance_valid",
                violation_error_message="provenance: unknown value.",
            ),
            models.CheckConstraint(
                condition=models.Q(seed_footnote__isnull=True) | models.Q(provenance="seed"),
                name="citation_footnote_only_from_seed",
                violation_error_message="Only a citation from the seed has a seed footnote.",
            ),
            # A reading date says a check happened; outside the seed document it
            # stands only with where the fact is and what the source was read to say.
            models.CheckConstraint(
                condition=models.Q(provenance="seed")
                | (models.Q(accessed_on__isnull=True) & models.Q(last_verified_on__isnull=True))
                | (~models.Q(locator="") & ~models.Q(states="")),
                name="citation_read_date_needs_locator_and_statement",
                violation_error_message="A citation outside the seed document that gives a "
                "read or check date needs a locator and a statement.",
            ),
        ]

    def __str__(self) -> str:
        prefix = f"[{self.seed_footnote}] " if self.seed_footnote else ""
        return f"{prefix}{self.title}"

    def stands_behind(self, day) -> bool:
        """Whether this citation can back a check stamp of `day`: it says where the fact
        stands and what it states, and it was read on or before that day."""
        return bool(
            self.locator.strip()
            and self.states.strip()
            and self.accessed_on is not None
            and self.accessed_on <= day
        )


def check_source() -> models.ForeignKey:
    """A checked row's `verified_against`: the citation its last check was made against.

    Written with last_verified_on, only by a check (apps.record.services.verify) or a
    seed row whose citation says where and what. PROTECT: a stamp must keep its source.
    """
    return models.ForeignKey(
        Citation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The citation the last check was made against.",
    )
