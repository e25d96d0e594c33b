from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models_base import choice_constraint
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction


class Kind(models.TextChoices):
    HTML = "html", "HTML page"
    FEED = "feed", "RSS/Atom feed"
    JSON = "json", "JSON API"
    PDF = "pdf", "PDF"
    XML = "xml", "XML"


class Adapter(models.TextChoices):
    NONE = "", "none (text diff only)"
    FEDERAL_REGISTER = "federal_register", "Federal Register documents API"
    CONGRESS = "congress", "Congress.gov bill API"
    EURLEX = "eurlex", "EUR-Lex page"


def validate_source_url(value: str) -> None:
    # The full guard (addresses, redirects) runs at fetch time; this refuses
    # the obviously wrong early, with a message an editor understands.
    from django.conf import settings

    from apps.core.addresses import AddressRefused, check_url

    try:
        check_url(value, allow_private=settings.SOURCES_ALLOW_PRIVATE)
    except AddressRefused as exc:
        raise ValidationError(str(exc)) from None


def validate_ignore_rules(value: list[str]) -> None:
    # A "re:" rule runs on every line of every check: it must compile with the
    # linear-time engine the watcher uses, or every check of the source would fail.
    from apps.sources.extraction import ExtractionError, compile_line_rule

    errors = []
    for entry in value or ():
        entry = entry.strip()
        if entry.startswith("re:"):
            try:
                compile_line_rule(entry[3:])
            except ExtractionError as exc:
                errors.append(ValidationError(str(exc)))
    if errors:
        raise ValidationError(errors)


class Source(models.Model):
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, validators=[validate_source_url])
    kind = models.CharField(max_length=8, choices=Kind.choices)
    selector = models.CharField(
        max_length=500,
        blank=True,
        help_text="CSS or XPath (HTML/XML) or a JSON path like $.results[0]; empty for all.",
    )
    ignore = ArrayField(
        models.CharField(max_length=300),
        default=list,
        blank=True,
        validators=[validate_ignore_rules],
        help_text=(
            "Removed before comparing: CSS selectors, JSON keys, or re:<regex> lines "
            "(RE2 syntax: no backreferences or lookaround)."
        ),
    )
    adapter = models.CharField(max_length=20, choices=Adapter.choices, blank=True)
    check_interval_minutes = models.PositiveIntegerField(
        default=360, validators=[MinValueValidator(5)]
    )
    instruments = models.ManyToManyField(Instrument, blank=True, related_name="sources")
    # SET_NULL: a source keeps its history if its jurisdiction is retired.
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    active = models.BooleanField(default=True, help_text="Paused sources are not checked.")

    # Scheduling and health, written by the watcher only.
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when a check is queued, cleared when it ends; past it, the check is "
        "taken as lost and the source is claimed again.",
    )
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    # A check lost to a crash (its worker died, a deploy restarted it) says nothing about
    # the source, so it is not a failure; it is counted here, shown with the health, and
    # retried at once. Checks lost again and again leave no success behind, which the
    # health reports as stale.
    lost_checks = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Checks in a row that never reported back (lost with their worker); "
        "each was retried and none counted as a failure. Cleared by the next success.",
    )
    last_lost_at = models.DateTimeField(null=True, blank=True, editable=False)
    broken_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the source was reported broken; cleared by the next success.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            choice_constraint("kind", Kind, "source"),
            choice_constraint("adapter", Adapter, "source", blank=True),
        ]
        indexes = [
            models.Index(fields=["next_check_at"], condition=Q(active=True), name="source_due_idx"),
            models.Index(
                fields=["claim_expires_at"],
                condition=Q(active=True, claim_expires_at__isnull=False),
                name="source_claim_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


class Snapshot(models.Model):
    """A distinct state of a source, stored only when its normalised text changed."""

    # CASCADE: snapshots are the source's own history.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    sequence = models.PositiveIntegerField(help_text="1 for the first state, then 2, 3, ...")
    content_hash = models.CharField(max_length=64)
    text = models.TextField(help_text="The normalised text that was hashed.")
    raw = models.BinaryField(help_text="The body as fetched: evidence, served only as text.")
    content_type = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["source", "-sequence"]
        constraints = [
            # Two workers storing the same new state race here; one loses cleanly.
            models.UniqueConstraint(fields=["source", "sequence"], name="snapshot_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.sequence}"


class Significance(models.TextChoices):
    LOW = "low", "low"
    MEDIUM = "medium", "medium"
    HIGH = "high", "high"


class Change(models.Model):
    """The step from one snapshot to the next, with its diff."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="changes")
    before = models.OneToOneField(Snapshot, on_delete=models.CASCADE, related_name="change_out")
    after = models.OneToOneField(Snapshot, on_delete=models.CASCADE, related_name="change_in")
    diff = models.JSONField(default=list, help_text="Line diff with word-level detail.")
    significance = models.CharField(max_length=8, choices=Significance.choices)
    reasons = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    new_items = models.PositiveIntegerField(default=0)
    proposals = models.JSONField(
        default=list, blank=True, help_text="Structured proposals an adapter read from it."
    )
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [choice_constraint("significance", Significance, "change")]

    def __str__(self) -> str:
        return f"{self.source}: change #{self.after.sequence} ({self.significance})"


class HostSlot(models.Model):
    """When the next request to a host may go out, shared by every dispatcher run."""

    host = models.CharField(max_length=255, unique=True)
    next_free_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.host} free at {self.next_free_at:%H:%M:%S}"


class CheckWorker(models.Model):
    """A Celery worker that takes checks, and how many it runs at once (its pool's
    slots), announced by the worker itself (capacity.py) and read by the dispatcher
    to claim what the workers can take."""

    hostname = models.CharField(max_length=255, unique=True)
    slots = models.PositiveIntegerField()
    seen_at = models.DateTimeField(help_text="Its last announcement; old ones are not counted.")

    def __str__(self) -> str:
        return f"{self.hostname}: {self.slots} slots"


class DispatchPace(models.Model):
    """What the last dispatcher run saw, one row: when it ran and how many claims were
    open after it. The next run reads how many checks ended since (claims closed per
    second), and keeps the queue at SOURCES_QUEUE_SECONDS of that pace (capacity.py)."""

    measured_at = models.DateTimeField()
    claimed = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.claimed} claimed at {self.measured_at:%H:%M:%S}"
